import { z } from 'zod';
import type { temporal } from '@temporalio/proto';
import { runCli } from '../client/cli';
import { DeploymentNotFoundError, VersionNotFoundError, WorkerRollout } from '../client/worker-rollout';
import { UsageError } from '../client/usage-error';
import type { SessionHandle } from '../client';
import { defineAgent } from '../core/agent';
import { defineTool } from '../core/tool';
import { InvalidWorkerDeploymentError, resolveWorkerDeployment } from '../core/worker-deployment';
import { monitorWorkflowId } from '../workflows/api';
import { deploymentFromEnv, workerDeploymentOptions } from '../workers/worker-deployment';
import { ScriptedModelServer } from '../scripted-model';
import { createTestEnvironment, expectReplays, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { testKey } from './support/approver-keys';
import { unmarked } from './support/marked-data';

/**
 * The same agent in two builds that tell themselves apart: the instructions name the build, and the
 * write_critical tool (which waits for an approval) reports the build whose worker ran it.
 */
function releaseAgent(build: string) {
  const shipRelease = defineTool({
    name: 'ship_release',
    description: 'Ship a release to customers.',
    tier: 'write_critical',
    input: z.object({ release: z.string() }),
    async run({ release }) {
      return { release, shippedBy: `build ${build}` };
    },
  });
  return defineAgent({ name: 'release', instructions: `You are the release agent of build ${build}.`, tools: [shipRelease] });
}

const scope = { tenant: 'acme', subjects: [] };
/** Behaviour numbers of Temporal's `VersioningBehavior`. */
const PINNED = 1;
const AUTO_UPGRADE = 2;

let env: TestEnvironment;
let model: ScriptedModelServer;
let rollout: WorkerRollout;
const deployment = uniqueName('keel-test');

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
  // Turn 0 asks to ship; turn 1 answers with what the tool said and what the system prompt said.
  model.addScenario({
    name: 'release',
    match: 'ship ',
    turns: (ctx) =>
      ctx.turn === 0
        ? { text: 'Shipping it.', toolCalls: [{ name: 'ship_release', input: { release: ctx.firstUserText } }] }
        : { text: `tool: ${ctx.toolResults.map((r) => unmarked(r.content)).join(' | ')}; prompt: ${JSON.stringify(ctx.request.system ?? '')}` },
  });
  env = await createTestEnvironment('rollout');
  rollout = new WorkerRollout(env.temporal);
});

afterAll(async () => {
  await env?.close();
  await model?.stop();
});

/** Runs `keel …` against the test server; returns exit code and printed lines. */
async function keel(...args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', env.taskQueue], (l) => lines.push(l));
  return { code, lines };
}

/** Waits (bounded) until `check` holds; the last value is returned. */
async function eventually<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, tries = 150): Promise<T> {
  let last: T | undefined;
  let lastError: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached; last value ${JSON.stringify(last)}${lastError ? `, last error ${(lastError as Error).message}` : ''}`);
}

/** Starts a build's worker and waits until the server knows the version (its pollers arrived). */
async function startBuild(buildId: string): Promise<void> {
  await env.startWorker({ agents: [releaseAgent(buildId)], modelURL: model.url, deployment: { name: deployment, buildId } });
  // Its workflow and activity pollers register separately; Temporal refuses to make current a build
  // that does not poll every queue the current one polls.
  const queues = [`${env.taskQueue} (activity)`, `${env.taskQueue} (workflow)`];
  await eventually(`build ${buildId} polling`, () => rollout.taskQueues(deployment, buildId), (q) => queues.every((name) => q.includes(name)));
}

async function pendingApproval(session: SessionHandle): Promise<string> {
  const status = await eventually(`${session.sessionId} awaiting approval`, () => session.status(), (s) => s.state === 'awaiting_approval' && s.pendingApprovals.length === 1);
  return status.pendingApprovals[0]!.requestId;
}

/** The builds that completed the session's workflow tasks, from its history. */
async function buildsInHistory(session: SessionHandle): Promise<{ builds: string[]; behaviors: number[] }> {
  const history = await session.workflow.fetchHistory();
  const completed = (history.events ?? []).map((e: temporal.api.history.v1.IHistoryEvent) => e.workflowTaskCompletedEventAttributes).filter((a) => a != null);
  return {
    builds: [...new Set(completed.map((a) => a.deploymentVersion?.buildId ?? '(none)'))],
    behaviors: [...new Set(completed.map((a) => Number(a.versioningBehavior ?? 0)))],
  };
}

async function versioningInfo(workflowId: string) {
  const info = (await env.temporal.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: Number(info?.behavior ?? 0), buildId: info?.deploymentVersion?.buildId };
}

test('sessions finish on the build they started on while new ones start on the new build; a ramp shows in the deployment', async () => {
  // Build A serves the deployment.
  await startBuild('A');
  const setA = await keel('rollout', 'set-current', '--deployment', deployment, '--build-id', 'A');
  expect(setA.code).toBe(0);
  expect(setA.lines[0]).toContain('new sessions start on build A (was unversioned workers)');

  const onA = await Promise.all([1, 2].map((n) => env.client.startSession({ agent: 'release', input: `ship ${uniqueName(`old-${n}`)}`, scope, approvers: ['alice'] })));
  const requestsA = await Promise.all(onA.map(pendingApproval));

  // Build B arrives and becomes current while A's sessions wait for their approvals.
  await startBuild('B');
  const setB = await keel('rollout', 'set-current', '--deployment', deployment, '--build-id', 'B');
  expect(setB.code).toBe(0);
  expect(setB.lines).toEqual([
    `deployment ${deployment}: new sessions start on build B (was A)`,
    `sessions already running on A finish there: keep its workers until "keel rollout status --deployment ${deployment}" shows 0 pinned workflows running on it`,
  ]);
  const onB = await Promise.all([1, 2].map((n) => env.client.startSession({ agent: 'release', input: `ship ${uniqueName(`new-${n}`)}`, scope, approvers: ['alice'] })));
  const requestsB = await Promise.all(onB.map(pendingApproval));

  // While they wait, each build's pinned sessions are visible (draining A has 2 running).
  expect(await eventually('2 running on A', () => rollout.runningOn(deployment, 'A'), (n) => n === 2)).toBe(2);
  const status = await keel('rollout', 'status', '--deployment', deployment);
  expect(status.lines.slice(0, 2)).toEqual([`deployment ${deployment}`, '  new sessions: build B']);
  expect(status.lines).toContainEqual('  build A: draining, 2 pinned workflows running');
  expect(status.lines).toContainEqual(`    its pinned sessions: temporal workflow list --query '${WorkerRollout.pinnedQuery(deployment, 'A')}'`);

  // The approvals release every session.
  await Promise.all([...onA, ...onB].map((s, i) => s.approve([...requestsA, ...requestsB][i]!, { key: testKey('alice') })));
  const [resultsA, resultsB] = await Promise.all([Promise.all(onA.map((s) => s.result())), Promise.all(onB.map((s) => s.result()))]);

  for (const result of resultsA) {
    expect(result.outcome).toBe('completed');
    expect(result.output).toContain('"shippedBy":"build A"');
    expect(result.output).toContain('release agent of build A');
  }
  for (const result of resultsB) {
    expect(result.outcome).toBe('completed');
    expect(result.output).toContain('"shippedBy":"build B"');
    expect(result.output).toContain('release agent of build B');
  }
  // Every workflow task of a session was completed by its own build, pinned.
  for (const session of onA) expect(await buildsInHistory(session)).toEqual({ builds: ['A'], behaviors: [PINNED] });
  for (const session of onB) expect(await buildsInHistory(session)).toEqual({ builds: ['B'], behaviors: [PINNED] });
  expect(await versioningInfo(onA[0]!.sessionId)).toEqual({ behavior: PINNED, buildId: 'A' });
  expect(await versioningInfo(onB[0]!.sessionId)).toEqual({ behavior: PINNED, buildId: 'B' });
  // The behaviour monitor auto-upgrades: it is on the current build, B.
  expect(await eventually('monitor on B', () => versioningInfo(monitorWorkflowId('release', env.taskQueue)), (v) => v.buildId === 'B')).toEqual({ behavior: AUTO_UPGRADE, buildId: 'B' });
  // The versioning behaviour is registration-time: the histories replay on the current code.
  await expectReplays(env.temporal, onA[0]!.sessionId);
  expect(await eventually('A drained of sessions', () => rollout.runningOn(deployment, 'A'), (n) => n === 0)).toBe(0);

  // A candidate build C takes 25% of new sessions, then the ramp stops (a rollback of C).
  await startBuild('C');
  const ramp = await keel('rollout', 'ramp', '--deployment', deployment, '--build-id', 'C', '--percentage', '25');
  expect(ramp).toEqual({ code: 0, lines: [`deployment ${deployment}: 25% of new sessions start on build C, the rest on the current build`] });
  const ramping = await rollout.status(deployment);
  expect(ramping).toMatchObject({ currentBuildId: 'B', ramping: { buildId: 'C', percentage: 25 } });
  expect(ramping.versions.find((v) => v.buildId === 'C')?.status).toBe('ramping');
  const described = await keel('rollout', 'status', '--deployment', deployment, '--json');
  expect(JSON.parse(described.lines.join('\n'))).toMatchObject({ name: deployment, currentBuildId: 'B', ramping: { buildId: 'C', percentage: 25 } });
  expect(await keel('rollout', 'ramp', '--deployment', deployment, '--stop')).toEqual({ code: 0, lines: [`deployment ${deployment}: ramp of build C (25%) stopped; new sessions start on the current build`] });
  expect((await rollout.status(deployment)).ramping).toBeUndefined();
});

test('an unversioned worker declares no versioning behaviour: its sessions run as before', async () => {
  const plain = await createTestEnvironment('rollout-unversioned');
  try {
    await plain.startWorker({ agents: [releaseAgent('plain')], modelURL: model.url });
    const session = await plain.client.startSession({ agent: 'release', input: `ship ${uniqueName('plain')}`, scope, approvers: ['alice'] });
    await session.approve(await pendingApproval(session), { key: testKey('alice') });
    expect((await session.result()).output).toContain('"shippedBy":"build plain"');
    expect(await buildsInHistory(session)).toEqual({ builds: ['(none)'], behaviors: [0] });
    expect((await session.workflow.describe()).raw.workflowExecutionInfo?.versioningInfo ?? null).toBeNull();
  } finally {
    await plain.close();
  }
});

test('rollout steps Temporal would refuse fail with an error that names what is wrong', async () => {
  await expect(keel('rollout', 'set-current', '--deployment', uniqueName('keel-nobody'), '--build-id', 'A')).rejects.toThrow(DeploymentNotFoundError);
  await expect(keel('rollout', 'status', '--deployment', uniqueName('keel-nobody'))).rejects.toThrow(/no worker deployment "keel-nobody-[0-9a-f]+" in namespace default/);
  await expect(keel('rollout', 'ramp', '--deployment', deployment, '--build-id', 'never-deployed', '--percentage', '10')).rejects.toThrow(VersionNotFoundError);
  await expect(keel('rollout', 'ramp', '--deployment', deployment, '--build-id', 'B', '--percentage', '150')).rejects.toThrow(new UsageError('--percentage: ramp percentage must be a number from 0 to 100, got 150'));
  await expect(keel('rollout', 'ramp', '--deployment', deployment, '--build-id', 'B', '--percentage', 'half')).rejects.toThrow('--percentage must be a number from 0 to 100, got "half"');
  await expect(keel('rollout', 'set-current', '--deployment', 'keel.prod', '--build-id', 'A')).rejects.toThrow(/--deployment: deployment name "keel.prod" contains "\."/);
  await expect(keel('rollout', 'set-current', '--deployment', deployment)).rejects.toThrow('keel rollout set-current needs --build-id B');
  await expect(keel('rollout', 'rewind')).rejects.toThrow(UsageError);
  const help = await keel('help', 'rollout');
  expect(help.code).toBe(0);
  expect(help.lines[0]).toContain('keel rollout ramp --deployment NAME --build-id B --percentage P');
});

test('the worker deployment option and its environment variables are checked before anything connects', () => {
  expect(deploymentFromEnv({})).toBeUndefined();
  expect(deploymentFromEnv({ KEEL_DEPLOYMENT_NAME: 'keel', KEEL_BUILD_ID: 'git-4f2a' })).toEqual({ name: 'keel', buildId: 'git-4f2a', defaultVersioningBehavior: 'AUTO_UPGRADE' });
  expect(() => deploymentFromEnv({ KEEL_BUILD_ID: 'git-4f2a' })).toThrow('KEEL_BUILD_ID is set but KEEL_DEPLOYMENT_NAME is not');
  expect(() => deploymentFromEnv({ KEEL_DEPLOYMENT_NAME: 'keel' })).toThrow('KEEL_DEPLOYMENT_NAME is set but KEEL_BUILD_ID is not');
  expect(() => resolveWorkerDeployment({ name: 'keel', buildId: 'x'.repeat(256) })).toThrow(InvalidWorkerDeploymentError);
  expect(() => resolveWorkerDeployment({ name: 'keel', buildId: 'a b' })).toThrow('contains whitespace');
  expect(() => resolveWorkerDeployment({ name: 'keel', buildId: 'A', defaultVersioningBehavior: 'SOMETIMES' as 'PINNED' })).toThrow('defaultVersioningBehavior must be');
  expect(workerDeploymentOptions({ name: 'keel', buildId: 'A', defaultVersioningBehavior: 'PINNED' })).toEqual({ useWorkerVersioning: true, version: { deploymentName: 'keel', buildId: 'A' }, defaultVersioningBehavior: 'PINNED' });
  expect(() => workerDeploymentOptions({ name: 'keel', buildId: 'A' }, { useWorkerVersioning: true, version: { deploymentName: 'other', buildId: 'B' }, defaultVersioningBehavior: 'PINNED' })).toThrow('give one');
});
