export { bundleKeelWorkflows, createKeelWorker, DEFAULT_TASK_QUEUE, type KeelWorkerOptions } from './keel-worker';
export { combinedWorkflows, createKeelActivities, KeelPlugin, type KeelPluginOptions } from './keel-plugin';
export { workflowsPath } from './workflow-bundle';
