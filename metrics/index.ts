export { KeelMetrics } from './keel-metrics';
export { keelMetricsSinks } from './metrics-sinks';
export { serveMetrics, type MetricsServer } from './metrics-server';
