export { bundleKeelWorkflows, createKeelWorker, DEFAULT_TASK_QUEUE, type KeelWorkerOptions } from './keel-worker';
