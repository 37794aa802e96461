import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { InvalidWorkerDeploymentError, resolveWorkerDeployment, type KeelWorkerDeployment } from '../core/worker-deployment';

/** Environment variables of a worker's deployment (both or neither). */
export const DEPLOYMENT_NAME_ENV = 'KEEL_DEPLOYMENT_NAME';
export const BUILD_ID_ENV = 'KEEL_BUILD_ID';

/**
 * Temporal's worker deployment options for Keel's `deployment` option: versioned, with the default
 * behaviour for workflows that declare none. Refuses a worker that also brings its own
 * `workerDeploymentOptions` (two versions for one worker).
 */
export function workerDeploymentOptions(deployment: KeelWorkerDeployment, own?: WorkerDeploymentOptions): WorkerDeploymentOptions {
  const resolved = resolveWorkerDeployment(deployment);
  if (own) {
    throw new InvalidWorkerDeploymentError('name', `keel plugin: the worker has its own workerDeploymentOptions (${own.version.deploymentName}/${own.version.buildId}) and Keel's deployment option (${resolved.name}/${resolved.buildId}); give one`);
  }
  return {
    useWorkerVersioning: true,
    version: { deploymentName: resolved.name, buildId: resolved.buildId },
    defaultVersioningBehavior: resolved.defaultVersioningBehavior,
  };
}

/**
 * The deployment from `KEEL_DEPLOYMENT_NAME` and `KEEL_BUILD_ID`: both set (versioned), or neither
 * (unversioned, undefined). One without the other is an error naming the missing one.
 */
export function deploymentFromEnv(env: NodeJS.ProcessEnv = process.env): KeelWorkerDeployment | undefined {
  const name = env[DEPLOYMENT_NAME_ENV];
  const buildId = env[BUILD_ID_ENV];
  if (!name && !buildId) return undefined;
  if (!name) throw new InvalidWorkerDeploymentError('name', `${BUILD_ID_ENV} is set but ${DEPLOYMENT_NAME_ENV} is not: a versioned worker needs both`);
  if (!buildId) throw new InvalidWorkerDeploymentError('buildId', `${DEPLOYMENT_NAME_ENV} is set but ${BUILD_ID_ENV} is not: a versioned worker needs both`);
  return resolveWorkerDeployment({ name, buildId });
}
