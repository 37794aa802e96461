import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Where the Temporal SDK's own Prometheus exporter listens unless configured: loopback only, read through Keel's `/metrics`. */
export const DEFAULT_SDK_METRICS_ADDRESS = '127.0.0.1:9465';

/**
 * Installs the process's Temporal runtime with the SDK's Prometheus exporter on `bindAddress`
 * (`host:port`), named the Prometheus way: counters end in `_total`, durations are histograms in
 * seconds with the unit in the name (e.g. `temporal_workflow_task_schedule_to_start_latency_seconds`).
 * Call it before the first `NativeConnection` (the runtime is per process and installed once).
 * Returns the exporter's URL, for `serveMetrics(..., { sdkMetricsUrl })`.
 */
export function installSdkMetrics(bindAddress = DEFAULT_SDK_METRICS_ADDRESS, options: { logLevel?: LogLevel } = {}): string {
  Runtime.install({
    ...(options.logLevel ? { logger: new DefaultLogger(options.logLevel) } : {}),
    telemetryOptions: {
      metrics: {
        prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    },
  });
  return `http://${bindAddress}/metrics`;
}
