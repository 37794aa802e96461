export { bundleKeelWorkflows, createKeelWorker, DEFAULT_TASK_QUEUE, type KeelWorkerOptions } from './keel-worker';
export { combinedWorkflows, createKeelActivities, KeelPlugin, type KeelPluginOptions } from './keel-plugin';
export { workflowsPath } from './workflow-bundle';
export { DEFAULT_TRACING_SERVICE_NAME, tracingFromEnvironment, tracingWorkflowInterceptorModules, type KeelTracingOptions } from './tracing-options';
export { DEFAULT_SDK_METRICS_ADDRESS, installSdkMetrics, KeelMetrics, serveMetrics, waitingSessionsFromVisibility, type MetricsServer, type ServeMetricsOptions, type WaitingSessionsOptions } from '../metrics';
export { BUILD_ID_ENV, DEPLOYMENT_NAME_ENV, deploymentFromEnv } from './worker-deployment';
export { InvalidWorkerDeploymentError, type KeelWorkerDeployment } from '../core/worker-deployment';
