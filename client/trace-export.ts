import { sha256Hex } from '../core/intent';
import type { TraceEvent } from '../core/trace';
import { TRACE_RECORD_SCHEMA_VERSION, type SessionTraceRecord } from '../core/trace-schema';

/** Formats `keel trace` can export. */
export const TRACE_FORMATS = ['json', 'jsonl', 'otlp-json'] as const;
/** One of {@link TRACE_FORMATS}. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/**
 * A session's trace in a format: the record as JSON (with its schema version; a record built from a
 * live session or its history has the current one), one event per line, or OTLP/JSON spans.
 */
export function formatTrace(record: SessionTraceRecord, format: TraceFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ schemaVersion: TRACE_RECORD_SCHEMA_VERSION, ...record }, null, 2);
    case 'jsonl':
      return record.events.map((event) => JSON.stringify({ sessionId: record.sessionId, ...event })).join('\n');
    case 'otlp-json':
      return JSON.stringify(toOtlp(record));
  }
}

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
const attribute = (key: string, value: string | number | boolean): { key: string; value: OtlpValue } => ({
  key,
  value:
    typeof value === 'string'
      ? { stringValue: value }
      : typeof value === 'boolean'
        ? { boolValue: value }
        : Number.isInteger(value)
          ? { intValue: String(value) }
          : { doubleValue: value },
});
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/**
 * The trace as OTLP/JSON (`ExportTraceServiceRequest`): a root span for the session and a child span
 * per model call (`chat <model>`) and tool call (`execute_tool <name>`), with OpenTelemetry GenAI
 * attribute names. Ids derive from the session id, so exporting twice gives the same spans.
 */
function toOtlp(record: SessionTraceRecord) {
  const traceId = sha256Hex(record.sessionId).slice(0, 32);
  const rootId = sha256Hex(`${record.sessionId}/root`).slice(0, 16);
  const spans = [
    {
      traceId,
      spanId: rootId,
      name: `invoke_agent ${record.agent}`,
      kind: 1,
      startTimeUnixNano: nanos(record.startedAtMs),
      endTimeUnixNano: nanos(record.endedAtMs),
      attributes: [
        attribute('gen_ai.operation.name', 'invoke_agent'),
        attribute('gen_ai.agent.name', record.agent),
        attribute('gen_ai.conversation.id', record.sessionId),
        attribute('keel.tenant', record.tenant),
        attribute('keel.outcome', record.outcome),
      ],
      status: { code: record.outcome === 'completed' ? 1 : 2 },
    },
    ...record.events.flatMap((event, index) => childSpan(event, index, record.sessionId, traceId, rootId)),
  ];
  return {
    resourceSpans: [
      { resource: { attributes: [attribute('service.name', 'keel')] }, scopeSpans: [{ scope: { name: 'keel' }, spans }] },
    ],
  };
}

function childSpan(event: TraceEvent, index: number, sessionId: string, traceId: string, parentSpanId: string) {
  const base = { traceId, spanId: sha256Hex(`${sessionId}/${index}`).slice(0, 16), parentSpanId, kind: 3 };
  if (event.type === 'model_call') {
    return [
      {
        ...base,
        name: `chat ${event['gen_ai.request.model']}`,
        startTimeUnixNano: nanos(event.atMs - event.latencyMs),
        endTimeUnixNano: nanos(event.atMs),
        attributes: [
          attribute('gen_ai.operation.name', 'chat'),
          attribute('gen_ai.request.model', event['gen_ai.request.model']),
          attribute('gen_ai.response.model', event['gen_ai.response.model']),
          attribute('gen_ai.usage.input_tokens', event['gen_ai.usage.input_tokens']),
          attribute('gen_ai.usage.output_tokens', event['gen_ai.usage.output_tokens']),
          attribute('gen_ai.response.finish_reasons', event['gen_ai.response.finish_reasons'].join(',')),
          attribute('keel.cost_usd', event.costUsd),
        ],
        status: { code: 1 },
      },
    ];
  }
  if (event.type === 'tool_call') {
    return [
      {
        ...base,
        name: `execute_tool ${event['gen_ai.tool.name']}`,
        startTimeUnixNano: nanos(event.atMs),
        endTimeUnixNano: nanos(event.atMs + event.latencyMs),
        attributes: [
          attribute('gen_ai.operation.name', 'execute_tool'),
          attribute('gen_ai.tool.name', event['gen_ai.tool.name']),
          attribute('gen_ai.tool.call.id', event['gen_ai.tool.call.id']),
          ...(event.tier ? [attribute('keel.tool.tier', event.tier)] : []),
          ...(event.error ? [attribute('error.type', event.error.kind)] : []),
        ],
        status: event.ok ? { code: 1 } : { code: 2, message: event.error?.message ?? '' },
      },
    ];
  }
  return [];
}
