export { bundleKeelWorkflows, createKeelWorker, DEFAULT_TASK_QUEUE, type KeelWorkerOptions } from './keel-worker';
export { combinedWorkflows, createKeelActivities, KeelPlugin, type KeelPluginOptions } from './keel-plugin';
export { workflowsPath } from './workflow-bundle';
export { DEFAULT_SDK_METRICS_ADDRESS, installSdkMetrics, KeelMetrics, serveMetrics, waitingSessionsFromVisibility, type MetricsServer, type ServeMetricsOptions, type WaitingSessionsOptions } from '../metrics';
