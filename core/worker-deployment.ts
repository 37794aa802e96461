/**
 * A worker's place in a Temporal Worker Deployment: the deployment (one per service, e.g. `keel`)
 * and the build it runs. Used by the worker's `deployment` option and by `keel rollout`.
 */

/** How workflows without a declared behaviour move between builds (Temporal's `VersioningBehavior`). */
export type KeelVersioningBehavior = 'PINNED' | 'AUTO_UPGRADE';

/** Longest deployment name or build id accepted (Temporal's own limit is 255 bytes for both). */
export const MAX_DEPLOYMENT_NAME_LENGTH = 255;

/**
 * The Worker Deployment Version a worker polls as. Keel's sessions are pinned to the build they start
 * on (see workflows/versioning-behavior.ts); set which build new sessions start on with
 * `keel rollout set-current` / `keel rollout ramp`.
 */
export interface KeelWorkerDeployment {
  /** The deployment, the same for every build of one service (e.g. `keel`). No `.` or `:` (Temporal refuses them). */
  name: string;
  /** This build (e.g. a git commit or image tag): workers with the same build id run the same code. */
  buildId: string;
  /**
   * The versioning behaviour of workflows that declare none: the worker's own workflows registered
   * beside Keel's. Keel's workflows declare theirs (sessions and orchestrations pinned, the behaviour
   * monitor auto-upgrading). `AUTO_UPGRADE` is what such workflows had without versioning.
   * @default 'AUTO_UPGRADE'
   */
  defaultVersioningBehavior?: KeelVersioningBehavior;
}

/** A deployment name, build id or percentage that Temporal would refuse; the message names which. */
export class InvalidWorkerDeploymentError extends Error {
  override readonly name = 'InvalidWorkerDeploymentError';
  constructor(readonly field: 'name' | 'buildId' | 'defaultVersioningBehavior' | 'percentage', message: string) {
    super(message);
  }
}

/** Checks a deployment name: non-empty, bounded, printable, without the `.` and `:` Temporal's version strings use as separators. */
export function checkDeploymentName(name: unknown, what = 'deployment name'): string {
  return checkIdentifier(name, 'name', what, /[.:]/);
}

/** Checks a build id: non-empty, bounded, printable. */
export function checkBuildId(buildId: unknown, what = 'build id'): string {
  return checkIdentifier(buildId, 'buildId', what);
}

/** Checks a ramp percentage: a number from 0 to 100. */
export function checkRampPercentage(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new InvalidWorkerDeploymentError('percentage', `ramp percentage must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The deployment option checked, with its default filled in. */
export function resolveWorkerDeployment(deployment: KeelWorkerDeployment): Required<KeelWorkerDeployment> {
  const behavior = deployment.defaultVersioningBehavior ?? 'AUTO_UPGRADE';
  if (behavior !== 'PINNED' && behavior !== 'AUTO_UPGRADE') {
    throw new InvalidWorkerDeploymentError('defaultVersioningBehavior', `defaultVersioningBehavior must be "PINNED" or "AUTO_UPGRADE", got ${JSON.stringify(behavior)}`);
  }
  return { name: checkDeploymentName(deployment.name), buildId: checkBuildId(deployment.buildId), defaultVersioningBehavior: behavior };
}

function checkIdentifier(value: unknown, field: 'name' | 'buildId', what: string, forbidden?: RegExp): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidWorkerDeploymentError(field, `${what} is required (a non-empty string), got ${JSON.stringify(value)}`);
  if (value.length > MAX_DEPLOYMENT_NAME_LENGTH) throw new InvalidWorkerDeploymentError(field, `${what} is longer than ${MAX_DEPLOYMENT_NAME_LENGTH} characters (${value.length})`);
  if (/[\s\x00-\x1f\x7f]/.test(value)) throw new InvalidWorkerDeploymentError(field, `${what} ${JSON.stringify(value)} contains whitespace or a control character`);
  const bad = forbidden?.exec(value);
  if (bad) throw new InvalidWorkerDeploymentError(field, `${what} ${JSON.stringify(value)} contains "${bad[0]}", which Temporal's version strings use as a separator`);
  return value;
}
