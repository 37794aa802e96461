import { z } from 'zod';
import type { ToolTrust } from './information-flow';

/** Permission tier of a tool, fixed where it is registered; the prompt cannot change it. */
export type ToolTier = 'read' | 'write_reversible' | 'write_critical';

/** The permission tiers, in order of risk. */
export const TOOL_TIERS: readonly ToolTier[] = ['read', 'write_reversible', 'write_critical'];

/**
 * What part of a session's scope a tool needs: `tenant` tools are offered to every session;
 * `subject` tools act on a subject (a customer, an account) and are offered only to sessions scoped
 * to at least one subject.
 */
export type ToolScope = 'tenant' | 'subject';

/** What a tool receives beside its validated input. */
export interface ToolContext {
  /** The session (workflow id) the call belongs to. */
  sessionId: string;
  /** Tenant and subjects of the session, passed out of band: never from the model. */
  scope: { tenant: string; subjects: string[] };
  /** Key of this call's semantic intent: the same on every retry and replay. Pass it on to external APIs. */
  idempotencyKey: string;
  /** Aborted when the call is cancelled or its worker shuts down. */
  signal: AbortSignal;
}

/** A tool that an agent can call. Build one with {@link defineTool}. */
export interface Tool<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly tier: ToolTier;
  /** @default 'tenant' */
  readonly scope: ToolScope;
  readonly input: z.ZodType<I>;
  /**
   * The input's JSON Schema exactly as the model gets it, for a tool that brings its own (a tool
   * from an MCP server); `input` then validates against it. Without it the model gets `input` as
   * JSON Schema (see {@link toolModelInputSchema}).
   */
  readonly inputJsonSchema?: Record<string, unknown>;
  /** Where a tool that is not defined in code comes from (see `core/tool-source.ts`). */
  readonly origin?: ToolOrigin;
  /** When given, every output is validated against it before it reaches the model. */
  readonly output?: z.ZodType;
  /**
   * A `read` tool whose results may be reused for this long: within a session (a repeated identical
   * call runs nothing and the model is pointed at the earlier result; any write in the session
   * clears it) and, with `shared`, across sessions of the same tenant (see {@link ToolCacheOptions}).
   */
  readonly cache?: ToolCacheOptions<I, O>;
  /**
   * For a write tool: the resource tags (e.g. `customer:cus_1`) a successful call changes. Shared
   * cache entries of the session's tenant that carry one of them are dropped after the call; a
   * failing call drops nothing.
   */
  invalidates?(input: I, output: O): readonly string[];
  /** Largest output the tool may return, in bytes (see {@link ToolLimitsSchema}). */
  readonly maxOutputBytes: number;
  /** For a write_critical tool: distinct people who must approve each call (absent: one). */
  readonly approvals?: ToolApprovals;
  /**
   * For a write tool: the input fields whose values decide where an effect goes (recipients, account
   * numbers, URLs, amounts, record ids). Their sources are checked against the agent's
   * information-flow policy before the call runs (see `core/information-flow.ts`).
   */
  readonly sensitive?: readonly string[];
  /** Whether this tool's outputs may be the source of a sensitive argument. @default 'untrusted' */
  readonly trust?: ToolTrust;
  run(input: I, context: ToolContext): Promise<O>;
}

/** Most approvers a tool can require for one call. */
export const MAX_REQUIRED_APPROVALS = 5;

/**
 * How many distinct people must approve each call of a write_critical tool (a quorum). Each
 * approval is a separate signed statement; the same identity approving twice counts once, and a
 * rejection by any approver rejects the call.
 */
export interface ToolApprovals {
  /** Distinct approvers needed, 1 to {@link MAX_REQUIRED_APPROVALS}. @default 1 */
  required: number;
}

/** The origin of a tool from a tool source (an MCP server): sessions pin it by `digest`. */
export interface ToolOrigin {
  /** The source, e.g. `mcp:files`. */
  source: string;
  /** Where the tier came from, e.g. `annotation:readOnlyHint`, `default:no-annotations`, `override`. */
  tierSource: string;
  /** Digest of the tool's contract (name, description, input schema, tier, scope, source). */
  digest: string;
}

/** Limits set where a tool is registered ({@link defineTool}); every field is optional there. */
export const ToolLimitsSchema = z
  .object({
    /**
     * Largest output the tool may return, in bytes of UTF-8 as stored: the string itself, or the
     * JSON of any other value. A larger output is neither stored nor screened: the model gets an
     * `output_too_large` error result ({@link ToolOutputTooLargeError}) asking it for less.
     * @default 1_048_576 (1 MiB)
     */
    maxOutputBytes: z.number().int().positive().default(1_048_576),
  })
  .strict();

/** The limits of a tool with every default filled in. */
export type ToolLimits = z.output<typeof ToolLimitsSchema>;

/** The defaults of {@link ToolLimitsSchema}. */
export const DEFAULT_TOOL_LIMITS: Readonly<ToolLimits> = Object.freeze(ToolLimitsSchema.parse({}));

/** How a `read` tool's results are cached. */
export interface ToolCacheOptions<I = unknown, O = unknown> {
  /** How long a result is reused, in milliseconds (at both levels). */
  ttlMs: number;
  /**
   * Also share results across sessions, in the worker's database (opt-in; needs a worker with a
   * database). Never across tenants:
   * - `true`: sessions of the same tenant whose subjects are exactly the same (row-level security can
   *   make a read's result depend on the subjects, as the CRM pack's do);
   * - `'tenant'`: every session of the tenant; only for `tenant`-scoped tools whose result cannot
   *   depend on the session's subjects (a product catalogue, a policy text).
   * @default false (session level only)
   */
  shared?: boolean | 'tenant';
  /**
   * The resource tags of a result (e.g. `customer:cus_1`, `order:ord_7`), so that a write tool that
   * declares one of them in `invalidates` drops it from the shared cache. A result without tags
   * expires only with its TTL. Tags must be non-empty strings of at most
   * {@link MAX_RESOURCE_TAG_LENGTH} characters, at most {@link MAX_RESOURCE_TAGS} per call.
   */
  resources?(input: I, output: O): readonly string[];
}

/** Longest resource tag accepted by `cache.resources` and `invalidates`. */
export const MAX_RESOURCE_TAG_LENGTH = 200;
/** Most resource tags one call may declare. */
export const MAX_RESOURCE_TAGS = 100;

/**
 * The resource tags a tool declares for one call, checked; `null` when the declaration throws or
 * returns something that is not a list of valid tags (the caller then falls back to the safe side).
 */
export function resourceTags<I, O>(declare: (input: I, output: O) => readonly string[], input: I, output: O): string[] | null {
  let tags: unknown;
  try {
    tags = declare(input, output);
  } catch {
    return null;
  }
  if (!Array.isArray(tags) || tags.length > MAX_RESOURCE_TAGS) return null;
  for (const tag of tags) if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_RESOURCE_TAG_LENGTH) return null;
  return [...new Set(tags as string[])].sort();
}

/** A tool of any input and output type, as registries hold them. */
export type AnyTool = Tool<any, any>;

/** Tool names as the Anthropic API accepts them. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Declares a tool: its name, description for the model, permission tier, zod input schema (sent to
 * the model as JSON Schema) and implementation. Throws {@link ToolDefinitionError} naming the tool
 * when the definition is unusable.
 */
export function defineTool<S extends z.ZodType, O>(definition: {
  name: string;
  description: string;
  tier: ToolTier;
  /** @default 'tenant' */
  scope?: ToolScope;
  input: S;
  /** The input's JSON Schema as the model gets it, when the tool brings its own; `input` must validate against it. */
  inputJsonSchema?: Record<string, unknown>;
  origin?: ToolOrigin;
  output?: z.ZodType<O>;
  cache?: ToolCacheOptions<z.output<S>, O>;
  invalidates?: (input: z.output<S>, output: O) => readonly string[];
  /** Largest output in bytes; a larger one is an `output_too_large` error result. @default 1_048_576 (see {@link ToolLimitsSchema}) */
  maxOutputBytes?: number;
  /** For a write_critical tool: distinct approvers each call needs (quorum). @default { required: 1 } */
  approvals?: { required?: number };
  /** For a write tool: input fields checked by the information-flow policy (recipients, accounts, URLs, amounts, ids). @default none */
  sensitive?: readonly (keyof z.output<S> & string)[];
  /** Whether this tool's outputs may be the source of a sensitive argument. @default 'untrusted' */
  trust?: ToolTrust;
  run: (input: z.output<S>, context: ToolContext) => Promise<O>;
}): Tool<z.output<S>, O> {
  const { name, description, tier, input, run, output, cache, invalidates, scope = 'tenant' } = definition;
  const limits = ToolLimitsSchema.safeParse({ maxOutputBytes: definition.maxOutputBytes });
  if (!limits.success) throw new ToolDefinitionError(String(name), `maxOutputBytes must be a positive whole number of bytes, got ${String(definition.maxOutputBytes)}`);
  if (cache && tier !== 'read') throw new ToolDefinitionError(String(name), 'only read tools can be cached');
  if (cache && !(Number.isInteger(cache.ttlMs) && cache.ttlMs > 0)) throw new ToolDefinitionError(String(name), 'cache.ttlMs must be a positive whole number');
  if (cache?.shared !== undefined && cache.shared !== true && cache.shared !== false && cache.shared !== 'tenant') {
    throw new ToolDefinitionError(String(name), `cache.shared must be true, false or 'tenant', got ${String(cache.shared)}`);
  }
  if (cache?.shared === 'tenant' && scope === 'subject') {
    throw new ToolDefinitionError(String(name), "a subject-scoped tool cannot share results across subjects (cache.shared: 'tenant'); use shared: true");
  }
  if (cache?.resources && !cache.shared) throw new ToolDefinitionError(String(name), 'cache.resources is only used by a shared cache (set cache.shared)');
  if (invalidates && tier === 'read') throw new ToolDefinitionError(String(name), 'only write tools can invalidate cached results');
  if (invalidates !== undefined && typeof invalidates !== 'function') throw new ToolDefinitionError(String(name), 'invalidates must be a function (input, output) => tags');
  const required = definition.approvals?.required ?? 1;
  if (!(Number.isInteger(required) && required >= 1 && required <= MAX_REQUIRED_APPROVALS)) {
    throw new ToolDefinitionError(String(name), `approvals.required must be a whole number from 1 to ${MAX_REQUIRED_APPROVALS}, got ${String(definition.approvals?.required)}`);
  }
  if (required > 1 && tier !== 'write_critical') throw new ToolDefinitionError(String(name), 'only write_critical tools need approvals (approvals.required)');
  const { sensitive, trust } = definition;
  if (sensitive !== undefined && (!Array.isArray(sensitive) || sensitive.some((f) => typeof f !== 'string' || !f) || sensitive.length > 32)) {
    throw new ToolDefinitionError(String(name), 'sensitive must be a list of at most 32 input field names');
  }
  if (sensitive?.length && tier === 'read') throw new ToolDefinitionError(String(name), 'only write tools have sensitive arguments');
  if (trust !== undefined && trust !== 'trusted' && trust !== 'untrusted') throw new ToolDefinitionError(String(name), `trust must be 'trusted' or 'untrusted', got ${String(trust)}`);
  if (!TOOL_NAME.test(name ?? '')) {
    throw new ToolDefinitionError(String(name), 'the name must be 1-64 letters, digits, _ or -');
  }
  if (!TOOL_TIERS.includes(tier)) {
    throw new ToolDefinitionError(name, `tier must be one of ${TOOL_TIERS.join(', ')}, got ${String(tier)}`);
  }
  if (scope !== 'tenant' && scope !== 'subject') throw new ToolDefinitionError(name, `scope must be tenant or subject, got ${String(scope)}`);
  if (!description?.trim()) throw new ToolDefinitionError(name, 'a description is required');
  const { inputJsonSchema, origin } = definition;
  if (inputJsonSchema !== undefined && (typeof inputJsonSchema !== 'object' || inputJsonSchema === null || inputJsonSchema.type !== 'object')) {
    throw new ToolDefinitionError(name, 'inputJsonSchema must be a JSON Schema of type object');
  }
  try {
    if (!inputJsonSchema) toolInputJsonSchema(input);
  } catch (error) {
    throw new ToolDefinitionError(name, `its input schema cannot be expressed as JSON Schema: ${(error as Error).message}`);
  }
  return { name, description, tier, scope, input: input as z.ZodType<z.output<S>>, run, maxOutputBytes: limits.data.maxOutputBytes, ...(output ? { output } : {}), ...(cache ? { cache } : {}), ...(invalidates ? { invalidates } : {}), ...(required > 1 ? { approvals: { required } } : {}), ...(inputJsonSchema ? { inputJsonSchema } : {}), ...(origin ? { origin } : {}), ...(sensitive?.length ? { sensitive: [...sensitive] } : {}), ...(trust ? { trust } : {}) };
}

/** The JSON Schema of a tool's input as the model gets it: its own when it brings one, else its zod input's. */
export function toolModelInputSchema(tool: AnyTool): Record<string, unknown> {
  return tool.inputJsonSchema ?? toolInputJsonSchema(tool.input);
}

/** JSON Schema of a tool's input, as sent to the model. */
export function toolInputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  if (json.type !== 'object') throw new Error(`a tool input must be an object schema, got ${String(json.type)}`);
  delete json.$schema;
  return json;
}

/** A tool definition that cannot be registered. */
export class ToolDefinitionError extends Error {
  override readonly name = 'ToolDefinitionError';
  constructor(
    readonly tool: string,
    reason: string,
  ) {
    super(`tool "${tool}": ${reason}`);
  }
}

/**
 * Thrown by a tool for a failure that may pass (a timeout of a backend, a 503): the call is retried
 * by Temporal up to `timeouts.toolMaxAttempts`, then given to the model as an error result.
 * Any other error is given to the model at once.
 */
export class ToolTransientError extends Error {
  override readonly name = 'ToolTransientError';
}

/**
 * Thrown by a tool when the model asked for something outside the session's scope (another tenant's
 * or another subject's data). The model is told only that it is out of scope; the trace records the
 * attempt and the session counts it.
 */
export class ScopeViolationError extends Error {
  override readonly name = 'ScopeViolationError';
}

/**
 * A tool returned more than its `maxOutputBytes`: the output is neither stored nor screened, and the
 * model gets this as an error result (kind `output_too_large`) asking it for less. Not retried: the
 * same call would return the same output. For a side-effecting tool the effect stands (the
 * idempotency ledger records it), only its output is dropped.
 */
export class ToolOutputTooLargeError extends Error {
  override readonly name = 'ToolOutputTooLargeError';
  /** The error kind of the tool result the model gets. */
  readonly kind = 'output_too_large';
  readonly nonRetryable = true;
  constructor(
    readonly tool: string,
    /** Size of the output in bytes of UTF-8 as it would be stored. */
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`tool "${tool}" returned ${groupedDigits(bytes)} bytes; the limit is ${groupedDigits(limit)}: ask for less (filter, page)`);
  }
}

/** 52428800 as `52,428,800`, the same on every platform and locale. */
function groupedDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
