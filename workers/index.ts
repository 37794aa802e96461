export { bundleKeelWorkflows, createKeelWorker, DEFAULT_STORE_DIR, DEFAULT_TASK_QUEUE, type KeelWorkerOptions } from './keel-worker';
