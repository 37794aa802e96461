import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import type { VersioningBehavior, WorkflowDefinitionOptions, WorkflowDefinitionOptionsOrGetter } from '@temporalio/common';
import { agentSession } from './agent-session';
import { agentMonitor } from './agent-monitor';
import { sessionEvaluation } from './session-evaluation';
import { debateSession, pipelineSession, supervisorSession } from './orchestration';

/**
 * How each of Keel's workflow types moves between builds when workers run with Worker Deployment
 * Versioning (`deployment` of the worker options). On an unversioned worker nothing is declared and
 * nothing changes: every worker of the task queue serves every workflow, as before.
 *
 * - `PINNED`: the run finishes on the build it started on, even when a newer build becomes current;
 *   a session that continues as new stays there too. Sessions and orchestrations are pinned: the
 *   agent's prompt, tools and limits may change between builds, and a session must not start a
 *   conversation with one agent and finish it with another. A session waiting days for an approval
 *   keeps its build's workers busy (draining) until it ends: see docs/production/rollout.md.
 *   One evaluation run is pinned too: it judges its sample with one rubric and judge, and lasts minutes.
 * - `AUTO_UPGRADE`: the next workflow task goes to the current build. The behaviour monitor never
 *   ends (it continues as new forever), so pinning would keep its first build alive for good; its
 *   changes go behind `patched()` like any long-running workflow's.
 */
export const KEEL_VERSIONING_BEHAVIOR = {
  agentSession: 'PINNED',
  supervisorSession: 'PINNED',
  pipelineSession: 'PINNED',
  debateSession: 'PINNED',
  sessionEvaluation: 'PINNED',
  agentMonitor: 'AUTO_UPGRADE',
} as const satisfies Record<string, VersioningBehavior>;

const workflows: Record<keyof typeof KEEL_VERSIONING_BEHAVIOR, (...args: never[]) => Promise<unknown>> = {
  agentSession,
  supervisorSession,
  pipelineSession,
  debateSession,
  sessionEvaluation,
  agentMonitor,
};

// Options on the functions, read once per execution before the workflow runs (no command, nothing in
// the history), merged with any options set elsewhere. Only a versioned worker declares a behaviour:
// Temporal takes a declared behaviour as "this workflow is versioned", and an unversioned worker's
// workflow would then wait for a versioned worker that never comes.
for (const [name, fn] of Object.entries(workflows) as Array<[keyof typeof KEEL_VERSIONING_BEHAVIOR, (...args: never[]) => Promise<unknown>]>) {
  const existing = (fn as { workflowDefinitionOptions?: WorkflowDefinitionOptionsOrGetter }).workflowDefinitionOptions;
  setWorkflowOptions((): WorkflowDefinitionOptions => {
    const own = typeof existing === 'function' ? existing() : (existing ?? {});
    // An unversioned worker reports its build id without a deployment name.
    return workflowInfo().currentDeploymentVersion?.deploymentName ? { ...own, versioningBehavior: KEEL_VERSIONING_BEHAVIOR[name] } : own;
  }, fn);
}
