import type { Client } from '@temporalio/client';
import { checkBuildId, checkDeploymentName, checkRampPercentage } from '../core/worker-deployment';

/** A rollout step Temporal refused; the subclasses say why and what to do. */
export class RolloutError extends Error {
  override readonly name: string = 'RolloutError';
}

/** No worker of this deployment has polled the namespace yet (or the name is misspelt). */
export class DeploymentNotFoundError extends RolloutError {
  override readonly name = 'DeploymentNotFoundError';
  constructor(readonly deploymentName: string, namespace: string) {
    super(`no worker deployment "${deploymentName}" in namespace ${namespace}: start its workers with KEEL_DEPLOYMENT_NAME=${deploymentName} (and KEEL_BUILD_ID), or check the name ("keel rollout status" without --deployment lists them)`);
  }
}

/** The build has never polled this deployment: its workers are not running, or run with another build id. */
export class VersionNotFoundError extends RolloutError {
  override readonly name = 'VersionNotFoundError';
  constructor(readonly deploymentName: string, readonly buildId: string) {
    super(`build "${buildId}" of deployment "${deploymentName}" has no workers: start them with KEEL_DEPLOYMENT_NAME=${deploymentName} KEEL_BUILD_ID=${buildId} before routing sessions to it`);
  }
}

/** Someone changed the deployment's routing between this command's read and its write: read again and retry. */
export class RolloutConflictError extends RolloutError {
  override readonly name = 'RolloutConflictError';
  constructor(readonly deploymentName: string) {
    super(`deployment "${deploymentName}" changed while this command ran (another rollout?): run "keel rollout status --deployment ${deploymentName}" and try again`);
  }
}

/**
 * The new build's workers do not (yet) poll every task queue the current build's do: made current,
 * those queues' new work would go to unversioned workers. Wait until its workers are up, or check
 * that they run with the same task queue (KEEL_TASK_QUEUE).
 */
export class TaskQueuesMissingError extends RolloutError {
  override readonly name = 'TaskQueuesMissingError';
  constructor(readonly deploymentName: string, readonly buildId: string) {
    super(`build "${buildId}" of deployment "${deploymentName}" does not poll every task queue the current build polls (yet): wait for its workers to start (keel rollout status --deployment ${deploymentName} lists its task queues), or check their KEEL_TASK_QUEUE`);
  }
}

/** Temporal refused the step for a reason of its own (e.g. the build is already current); `reason` is its words. */
export class RolloutRefusedError extends RolloutError {
  override readonly name = 'RolloutRefusedError';
  constructor(readonly deploymentName: string, readonly reason: string) {
    super(`deployment "${deploymentName}": Temporal refused the change: ${reason}`);
  }
}

/** One build of a deployment as the server sees it. */
export interface DeploymentVersionStatus {
  buildId: string;
  /** `current`, `ramping`, `draining` (pinned sessions may still run on it), `drained`, `inactive`, `created`. */
  status: string;
  /** Whether pinned workflows still run on it: `draining`, `drained`, or undefined (never drained: current, ramping or inactive). */
  drainage?: 'draining' | 'drained';
}

/** Where a deployment's new sessions go, and its builds. */
export interface DeploymentStatus {
  name: string;
  /** The build new sessions start on (undefined: unversioned workers). */
  currentBuildId?: string;
  /** The build taking `percentage` % of new sessions, if a ramp is on. */
  ramping?: { buildId: string; percentage: number };
  versions: DeploymentVersionStatus[];
}

/** Bounds of what a status reads. */
const MAX_LISTED_DEPLOYMENTS = 1000;

/** Options of the routing changes. */
export interface RoutingChangeOptions {
  /**
   * Route to a build even if no worker of it has polled yet (Temporal refuses by default: sessions
   * would wait for workers that may never come).
   * @default false
   */
  allowNoPollers?: boolean;
}

/**
 * Worker Deployment Versioning for operators: which build new sessions start on (current), a
 * percentage of them on a candidate build (ramp), and what each build still runs. Sessions already
 * running stay on the build they started on (they are pinned). Wraps Temporal's WorkflowService.
 */
export class WorkerRollout {
  constructor(
    private readonly temporal: Client,
    /** Recorded by Temporal as the last modifier of the deployment. */
    private readonly identity = 'keel rollout',
  ) {}

  private get namespace(): string {
    return this.temporal.options.namespace;
  }

  /** Where the deployment's new sessions go and the state of each build. */
  async status(deploymentName: string): Promise<DeploymentStatus> {
    const name = checkDeploymentName(deploymentName);
    const response = await this.call(name, undefined, () => this.temporal.workflowService.describeWorkerDeployment({ namespace: this.namespace, deploymentName: name }));
    const info = response.workerDeploymentInfo;
    const routing = info?.routingConfig;
    const current = routing?.currentDeploymentVersion?.buildId || undefined;
    const ramping = routing?.rampingDeploymentVersion?.buildId || undefined;
    return {
      name,
      ...(current ? { currentBuildId: current } : {}),
      ...(ramping ? { ramping: { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 } } : {}),
      versions: (info?.versionSummaries ?? []).map((summary) => {
        const drainage = drainageName(summary.drainageStatus ?? summary.drainageInfo?.status);
        return { buildId: summary.deploymentVersion?.buildId ?? '', status: versionStatusName(summary.status), ...(drainage ? { drainage } : {}) };
      }),
    };
  }

  /** The names of the namespace's deployments (at most 1,000). */
  async deployments(): Promise<string[]> {
    const names: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.temporal.workflowService.listWorkerDeployments({ namespace: this.namespace, pageSize: 100, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const d of page.workerDeployments ?? []) if (d.name) names.push(d.name);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken && names.length < MAX_LISTED_DEPLOYMENTS);
    return names.slice(0, MAX_LISTED_DEPLOYMENTS);
  }

  /**
   * Makes `buildId` the build new sessions start on (and the build auto-upgrading workflows such as
   * the behaviour monitor move to); ends a ramp of that build. Returns the build that was current.
   */
  async setCurrent(deploymentName: string, buildId: string, options: RoutingChangeOptions = {}): Promise<{ previousBuildId?: string }> {
    const name = checkDeploymentName(deploymentName);
    const build = checkBuildId(buildId);
    const response = await this.call(name, build, () =>
      this.temporal.workflowService.setWorkerDeploymentCurrentVersion({ namespace: this.namespace, deploymentName: name, buildId: build, identity: this.identity, allowNoPollers: options.allowNoPollers ?? false }),
    );
    const previous = response.previousDeploymentVersion?.buildId;
    return previous ? { previousBuildId: previous } : {};
  }

  /** Sends `percentage` % of new sessions to `buildId` (the rest to the current build). */
  async ramp(deploymentName: string, buildId: string, percentage: number, options: RoutingChangeOptions = {}): Promise<{ previous?: { buildId: string; percentage: number } }> {
    const name = checkDeploymentName(deploymentName);
    const build = checkBuildId(buildId);
    const share = checkRampPercentage(percentage);
    const response = await this.call(name, build, () =>
      this.temporal.workflowService.setWorkerDeploymentRampingVersion({ namespace: this.namespace, deploymentName: name, buildId: build, percentage: share, identity: this.identity, allowNoPollers: options.allowNoPollers ?? false }),
    );
    return previousRamp(response);
  }

  /** Ends the ramp: every new session goes to the current build again (a rollback of the candidate). */
  async stopRamp(deploymentName: string): Promise<{ previous?: { buildId: string; percentage: number } }> {
    const name = checkDeploymentName(deploymentName);
    const response = await this.call(name, undefined, () =>
      this.temporal.workflowService.setWorkerDeploymentRampingVersion({ namespace: this.namespace, deploymentName: name, buildId: '', percentage: 0, identity: this.identity }),
    );
    return previousRamp(response);
  }

  /** The task queues a build's workers poll, as `name (workflow|activity|nexus)`. */
  async taskQueues(deploymentName: string, buildId: string): Promise<string[]> {
    const name = checkDeploymentName(deploymentName);
    const build = checkBuildId(buildId);
    const response = await this.call(name, build, () =>
      this.temporal.workflowService.describeWorkerDeploymentVersion({ namespace: this.namespace, deploymentVersion: { deploymentName: name, buildId: build } }),
    );
    return (response.versionTaskQueues ?? []).map((q) => `${q.name} (${TASK_QUEUE_TYPE[q.type ?? 0] ?? 'unspecified'})`).sort();
  }

  /**
   * The visibility query of the running workflows pinned to a build (for `temporal workflow list
   * --query`, the Temporal UI, or {@link runningOn}): sessions, orchestrations and evaluation runs
   * that will finish there. Auto-upgrading workflows (the behaviour monitors) are left out: their
   * next workflow task goes to the current build.
   */
  static pinnedQuery(deploymentName: string, buildId: string): string {
    const version = `${checkDeploymentName(deploymentName)}:${checkBuildId(buildId)}`;
    return `TemporalWorkerDeploymentVersion = ${JSON.stringify(version)} AND TemporalWorkflowVersioningBehavior = "Pinned" AND ExecutionStatus = "Running"`;
  }

  /** How many workflows are pinned to a build and still running: its workers are needed until 0. */
  async runningOn(deploymentName: string, buildId: string): Promise<number> {
    const { count } = await this.temporal.workflow.count(WorkerRollout.pinnedQuery(deploymentName, buildId));
    return count;
  }

  /** Runs one WorkflowService call, turning the server's refusals into the errors above. */
  private async call<T>(deploymentName: string, buildId: string | undefined, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const { code, details, message } = error as { code?: number; details?: string; message?: string };
      const reason = details || message || String(error);
      if (code === GRPC_NOT_FOUND) {
        if (buildId !== undefined && /version/i.test(reason)) throw new VersionNotFoundError(deploymentName, buildId);
        throw new DeploymentNotFoundError(deploymentName, this.namespace);
      }
      if (code === GRPC_FAILED_PRECONDITION) {
        if (/conflict token/i.test(reason)) throw new RolloutConflictError(deploymentName);
        if (/no Worker Deployment found/i.test(reason)) throw new DeploymentNotFoundError(deploymentName, this.namespace);
        if (buildId !== undefined && /missing active task queues/i.test(reason)) throw new TaskQueuesMissingError(deploymentName, buildId);
        if (buildId !== undefined && /poller/i.test(reason)) throw new VersionNotFoundError(deploymentName, buildId);
        throw new RolloutRefusedError(deploymentName, reason);
      }
      if (code === GRPC_INVALID_ARGUMENT) throw new RolloutRefusedError(deploymentName, reason);
      throw error;
    }
  }
}

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

type RampingResponse = Awaited<ReturnType<Client['workflowService']['setWorkerDeploymentRampingVersion']>>;

function previousRamp(response: RampingResponse): { previous?: { buildId: string; percentage: number } } {
  const buildId = response.previousDeploymentVersion?.buildId;
  return buildId ? { previous: { buildId, percentage: response.previousPercentage ?? 0 } } : {};
}

/** Temporal's `WorkerDeploymentVersionStatus` values, by number. */
const VERSION_STATUS = ['unspecified', 'inactive', 'current', 'ramping', 'draining', 'drained', 'created'];
/** Temporal's `TaskQueueType` values, by number. */
const TASK_QUEUE_TYPE = ['unspecified', 'workflow', 'activity', 'nexus'];
/** Temporal's `VersionDrainageStatus`: 1 draining, 2 drained. */
const DRAINAGE_STATUS: Record<number, 'draining' | 'drained'> = { 1: 'draining', 2: 'drained' };

function versionStatusName(status: number | null | undefined): string {
  return VERSION_STATUS[status ?? 0] ?? `unknown (${status})`;
}

function drainageName(status: number | null | undefined): 'draining' | 'drained' | undefined {
  return status ? DRAINAGE_STATUS[status] : undefined;
}
