import Ajv, { type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';

/**
 * A tool input given as a raw JSON Schema (an MCP tool's `inputSchema`): the schema goes to the
 * model as it is, and this zod type validates the model's input against it with Ajv, so that Keel
 * checks the input (and the approval digest covers it) before anything reaches the server.
 */
export interface JsonSchemaInput {
  /** The schema as the model gets it (`$schema` removed, everything else as the server sent it). */
  jsonSchema: Record<string, unknown>;
  /** Validates an input against the schema; the issues name the failing path. Passes the input through unchanged. */
  validator: z.ZodType<Record<string, unknown>>;
}

/** A JSON Schema Keel cannot validate tool inputs against. */
export class JsonSchemaInputError extends Error {
  override readonly name = 'JsonSchemaInputError';
}

const AJV_OPTIONS: AjvOptions = {
  // Servers write schemas with keywords Ajv does not know (`title` variants, vendor keys): not an error.
  strict: false,
  allErrors: true,
  // Formats (`uri`, `date-time`) are the server's to check: Ajv would need a formats plugin, and an
  // unknown format must not make a tool unusable.
  validateFormats: false,
  logger: false,
};

/**
 * Compiles a tool's input schema. The dialect follows `$schema`: 2020-12 and 2019-09 are validated
 * as such; draft-07 and a schema without `$schema` as draft-07 (the dialect MCP servers built with
 * zod emit). Throws {@link JsonSchemaInputError} when the schema is not an object schema or does not
 * compile.
 */
export function jsonSchemaInput(schema: unknown): JsonSchemaInput {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new JsonSchemaInputError('the input schema is not a JSON object');
  const raw = schema as Record<string, unknown>;
  if (raw.type !== 'object') throw new JsonSchemaInputError(`a tool input must be an object schema, got type ${JSON.stringify(raw.type)}`);
  const dialect = typeof raw.$schema === 'string' ? raw.$schema : '';
  // A fresh Ajv per schema: one tool's `$id`s and `$ref`s never meet another's.
  const ajv = /2020-12/.test(dialect) ? new Ajv2020(AJV_OPTIONS) : /2019-09/.test(dialect) ? new Ajv2019(AJV_OPTIONS) : new Ajv(AJV_OPTIONS);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(raw);
  } catch (error) {
    throw new JsonSchemaInputError(`the input schema does not compile: ${(error as Error).message}`);
  }
  const { $schema: _dialect, ...jsonSchema } = raw;
  const validator = z
    .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: 'expected an object' })
    .superRefine((value, ctx) => {
      if (validate(value)) return;
      for (const error of (validate.errors ?? []).slice(0, 20)) ctx.addIssue({ code: 'custom', path: issuePath(error), message: issueMessage(error) });
    });
  return { jsonSchema, validator };
}

/** The path of a failing value: Ajv's JSON pointer, plus the missing property of a `required` error. */
function issuePath(error: ErrorObject): Array<string | number> {
  const path: Array<string | number> = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (error.keyword === 'required' && typeof missing === 'string') path.push(missing);
  return path;
}

function issueMessage(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (error.keyword === 'additionalProperties' && typeof extra === 'string') return `unknown property "${extra}"`;
  const allowed = (error.params as { allowedValues?: unknown }).allowedValues;
  if (error.keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? `fails "${error.keyword}"`;
}
