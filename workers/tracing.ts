/**
 * Keel's OpenTelemetry tracing: spans of sessions (workflows), of their activities and of their
 * model and tool calls (GenAI attributes), exported over OTLP. Workflow and activity spans come
 * from `@temporalio/interceptors-opentelemetry`; the workflow's reach the exporter through a sink.
 * Loaded only by a worker with tracing on (its options are in `tracing-options.ts`).
 */
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, type OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSink } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { DEFAULT_TRACING_SERVICE_NAME, type KeelTracingOptions } from './tracing-options';

/** Which of a workflow's details its spans carry (bounded: no memo, search attributes or results). */
const WORKFLOW_SPAN_INFO = ['workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'attempt'] as const;

/**
 * One worker's tracing: a tracer for activity, model and tool spans, the workflow span sink, and a
 * batching processor both feed. {@link shutdown} flushes what is pending (the worker does it when it stops).
 */
export class KeelTracing {
  readonly tracer: Tracer;
  readonly resource: Resource;
  private readonly processor: SpanProcessor;
  private readonly provider: BasicTracerProvider;

  constructor(options: KeelTracingOptions = {}) {
    ensureContextPropagation();
    const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? DEFAULT_TRACING_SERVICE_NAME;
    this.resource = Resource.default().merge(envDetectorSync.detect()).merge(new Resource({ [ATTR_SERVICE_NAME]: serviceName }));
    const exporter = options.exporter ?? new OTLPTraceExporter(options.otlpEndpoint ? { url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` } : {});
    this.processor = new BatchSpanProcessor(exporter);
    // Not registered globally: Keel's spans go to Keel's exporter, whatever else the process traces.
    this.provider = new BasicTracerProvider({ resource: this.resource, spanProcessors: [this.processor] });
    this.tracer = this.provider.getTracer('keel');
  }

  /** Activity interceptors: a `RunActivity:<type>` span around each activity, child of the workflow's `StartActivity` span. */
  activityInterceptors(): ActivityInterceptorsFactory[] {
    const options = { tracer: this.tracer };
    return [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })];
  }

  /** The sink the workflow interceptors export their spans through (not called during replay). */
  workflowSinks(): { exporter: InjectedSink<OpenTelemetryWorkflowExporter> } {
    const sink = makeWorkflowExporter(this.processor, this.resource);
    return {
      exporter: {
        export: {
          fn: (info: WorkflowInfo, spans) => {
            const kept: Record<string, unknown> = {};
            for (const key of WORKFLOW_SPAN_INFO) kept[key] = info[key];
            sink.export.fn(kept as unknown as WorkflowInfo, spans);
          },
        },
      },
    };
  }

  /** Exports what is pending. */
  async flush(): Promise<void> {
    await this.processor.forceFlush();
  }

  /** Exports what is pending and stops (later spans are dropped). */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

/**
 * Activity, model and tool spans nest through the active context, and an activity's span continues
 * the workflow's trace from the W3C trace context in its headers: a context manager that follows
 * async calls and the W3C propagators are installed unless the process has its own (kept as they are).
 */
function ensureContextPropagation(): void {
  const manager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(manager.enable())) manager.disable();
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
}
