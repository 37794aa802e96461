/**
 * What Keel's OpenTelemetry tracing is configured with, and when the worker entry turns it on. No
 * OpenTelemetry code is loaded here: a worker without tracing never loads it (see `tracing.ts`).
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Keel's tracing options (`tracing` of `KeelPlugin` and `createKeelWorker`). */
export interface KeelTracingOptions {
  /**
   * Where spans go. @default an OTLP/HTTP exporter (JSON) to `otlpEndpoint`, else to the standard
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`),
   * else `http://localhost:4318/v1/traces`; headers from `OTEL_EXPORTER_OTLP_HEADERS`
   */
  exporter?: SpanExporter;
  /** The OTLP receiver's base URL (spans go to `<otlpEndpoint>/v1/traces`); ignored with an `exporter`. @default from the environment (see `exporter`) */
  otlpEndpoint?: string;
  /** The resource's `service.name`. @default `OTEL_SERVICE_NAME`, else `keel-worker` */
  serviceName?: string;
}

/** Default `service.name` of a Keel worker's spans. */
export const DEFAULT_TRACING_SERVICE_NAME = 'keel-worker';

/** The workflow interceptor modules that make workflow spans (they must be in the workflow bundle). */
export function tracingWorkflowInterceptorModules(): string[] {
  return [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
}

/**
 * Tracing from the standard OpenTelemetry environment: on when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_ENDPOINT` is set, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 */
export function tracingFromEnvironment(env: NodeJS.ProcessEnv = process.env): KeelTracingOptions | false {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : false;
}
