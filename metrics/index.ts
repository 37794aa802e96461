export { KeelMetrics, WAITING_STATES, type WaitingSessions, type WaitingState } from './keel-metrics';
export { keelMetricsSinks } from './metrics-sinks';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './metrics-server';
export { DEFAULT_SDK_METRICS_ADDRESS, installSdkMetrics } from './sdk-metrics';
export { waitingSessionsFromVisibility, type WaitingSessionsOptions } from './waiting-sessions';
