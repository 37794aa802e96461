import type { Client } from '@temporalio/client';
import { InvalidWorkerDeploymentError } from '../core/worker-deployment';
import { UsageError } from './usage-error';
import { WorkerRollout, type DeploymentStatus } from './worker-rollout';

/** The flags `keel rollout` reads. */
export interface RolloutCliValues {
  deployment?: string;
  'build-id'?: string;
  percentage?: string;
  'allow-no-pollers'?: boolean;
  stop?: boolean;
  json?: boolean;
}

const USAGE = 'keel rollout status|set-current|ramp [--deployment NAME] [--build-id B] [--percentage P | --stop] (keel help rollout)';

/**
 * `keel rollout`: which build of a worker deployment new sessions start on. Bad flags are a
 * {@link UsageError}; Temporal's refusals are {@link RolloutError}s (not found, no workers of the
 * build, a concurrent change). Returns the exit code.
 */
export async function runRollout(temporal: Client, rest: string[], values: RolloutCliValues, out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const action = rest[0];
  const rollout = new WorkerRollout(temporal);
  const deployment = values.deployment ?? env.KEEL_DEPLOYMENT_NAME;
  const needDeployment = (): string => {
    if (!deployment) throw new UsageError(`keel rollout ${action} needs --deployment NAME (or KEEL_DEPLOYMENT_NAME)`);
    return deployment;
  };
  const needBuild = (): string => {
    if (!values['build-id']) throw new UsageError(`keel rollout ${action} needs --build-id B (the build's KEEL_BUILD_ID)`);
    return values['build-id'];
  };
  const options = values['allow-no-pollers'] ? { allowNoPollers: true } : {};
  try {
    switch (action) {
      case 'status': {
        if (!deployment) {
          const names = await rollout.deployments();
          if (values.json) out(JSON.stringify(names));
          else out(names.length ? `deployments: ${names.join(', ')}` : 'no worker deployment in this namespace (workers run unversioned)');
          return 0;
        }
        const status = await rollout.status(deployment);
        const builds = await Promise.all(
          status.versions.map(async (v) => ({ buildId: v.buildId, running: await rollout.runningOn(deployment, v.buildId), taskQueues: await rollout.taskQueues(deployment, v.buildId) })),
        );
        if (values.json) out(JSON.stringify({ ...status, builds }, null, 2));
        else for (const line of formatStatus(status, new Map(builds.map((b) => [b.buildId, b])))) out(line);
        return 0;
      }
      case 'set-current': {
        const name = needDeployment();
        const build = needBuild();
        const { previousBuildId } = await rollout.setCurrent(name, build, options);
        out(`deployment ${name}: new sessions start on build ${build} (was ${previousBuildId ?? 'unversioned workers'})`);
        if (previousBuildId && previousBuildId !== build) out(`sessions already running on ${previousBuildId} finish there: keep its workers until "keel rollout status --deployment ${name}" shows 0 pinned workflows running on it`);
        return 0;
      }
      case 'ramp': {
        const name = needDeployment();
        if (values.stop) {
          if (values['build-id'] || values.percentage !== undefined) throw new UsageError('keel rollout ramp --stop takes no --build-id or --percentage');
          const { previous } = await rollout.stopRamp(name);
          out(previous ? `deployment ${name}: ramp of build ${previous.buildId} (${previous.percentage}%) stopped; new sessions start on the current build` : `deployment ${name}: no ramp was on`);
          return 0;
        }
        const build = needBuild();
        if (values.percentage === undefined) throw new UsageError('keel rollout ramp needs --percentage P (0-100), or --stop');
        const percentage = Number(values.percentage);
        if (values.percentage.trim() === '' || !Number.isFinite(percentage)) throw new UsageError(`--percentage must be a number from 0 to 100, got "${values.percentage}"`);
        await rollout.ramp(name, build, percentage, options);
        out(`deployment ${name}: ${percentage}% of new sessions start on build ${build}, the rest on the current build`);
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  } catch (error) {
    // A name or number Temporal would refuse is the command line's fault: name the flag.
    if (error instanceof InvalidWorkerDeploymentError) {
      const flag = { name: '--deployment', buildId: '--build-id', percentage: '--percentage', defaultVersioningBehavior: '--deployment' }[error.field];
      throw new UsageError(`${flag}: ${error.message}`);
    }
    throw error;
  }
}

/** The status for people: where new sessions go, then each build with what still runs on it. */
export function formatStatus(status: DeploymentStatus, builds: ReadonlyMap<string, { running: number; taskQueues: readonly string[] }>): string[] {
  const lines = [`deployment ${status.name}`, `  new sessions: build ${status.currentBuildId ?? '(unversioned workers)'}${status.ramping ? `, ${status.ramping.percentage}% to build ${status.ramping.buildId}` : ''}`];
  for (const v of status.versions) {
    const build = builds.get(v.buildId);
    const drainage = v.drainage && v.drainage !== v.status ? ` (${v.drainage})` : '';
    lines.push(`  build ${v.buildId}: ${v.status}${drainage}${build ? `, ${build.running} pinned workflows running` : ''}`);
    if (build?.taskQueues.length) lines.push(`    task queues: ${build.taskQueues.join(', ')}`);
    if (v.drainage === 'draining') lines.push(`    its pinned sessions: temporal workflow list --query '${WorkerRollout.pinnedQuery(status.name, v.buildId)}'`);
  }
  return lines;
}
