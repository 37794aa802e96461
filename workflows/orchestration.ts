import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../core/errors';
import {
  ConsensusSchema,
  nodeDependencies,
  ORCHESTRATION_OUTPUTS,
  PipelineValidationError,
  resolveReference,
  SupervisorPlanSchema,
  validatePipeline,
  type AgentContract,
  type OrchestrationResult,
  type SupervisorPlan,
  type TaskMessage,
} from '../core/orchestration';
import type { AgentDescriptor } from '../core/agent';
import { Orchestration, type ChildRun } from './orchestration-runtime';

/** What a child produced for its receiver: its validated data, or its text when it has no output schema. */
function outputOf(run: ChildRun): unknown {
  return run.result?.data !== undefined ? run.result.data : run.result?.output ?? null;
}

/** The output name a message asks an agent for: its output schema's name, or `text`. */
function expectedOutputOf(agent: AgentDescriptor | null): string {
  return agent?.output?.name ?? 'text';
}

/**
 * Supervisor pattern: a coordinator agent breaks the task into subtasks (a typed plan), each
 * subtask runs as a child `agentSession` of a specialised agent (in parallel, limits carved from the
 * budget), a failed child is retried, then the coordinator re-plans, then a human decides; an
 * assembler agent turns the subtasks' outputs into the final, validated result.
 */
export async function supervisorSession(raw: unknown): Promise<OrchestrationResult> {
  const run = new Orchestration(raw, 'supervisor');
  const request = run.request;
  if (request.pattern !== 'supervisor') throw new Error('unreachable');
  const results: Record<string, unknown> = {};
  const failures: string[] = [];
  let replans = 0;
  let planning = 0;

  for (;;) {
    // Plan (or re-plan) what is left.
    const coordinator = await run.agent(request.coordinator);
    planning += 1;
    const context: Record<string, unknown> = {};
    if (Object.keys(results).length) context.completed = results;
    if (failures.length) context.failures = failures.splice(0);
    const planned = await run.runChild({
      agent: request.coordinator,
      role: 'plan',
      message: {
        task: request.input,
        context,
        constraints: ['Break the task into subtasks for the available specialised agents; do not repeat completed subtasks.'],
        expectedOutput: expectedOutputOf(coordinator),
      },
    });
    if (planned.unfunded) {
      if (await run.askHuman('budget_exhausted', planned.failure!)) continue;
      return run.finish('breaker_tripped', null, { type: FailureType.BudgetExhausted, message: planned.failure! });
    }
    if (!planned.result || planned.result.outcome !== 'completed') {
      if (await run.askHuman('child_failed', `the coordinator failed: ${planned.failure}`)) continue;
      return run.finish('failed', null, { type: FailureType.ChildFailed, message: `the coordinator failed: ${planned.failure}` });
    }
    const plan = await checkPlan(run, outputOf(planned));
    if (!plan.ok) {
      run.trace.push({ type: 'message_rejected', atMs: Date.now(), from: request.coordinator, role: 'plan', issues: plan.issues });
      if (replans < request.maxReplans) {
        replans += 1;
        failures.push(`your plan was rejected: ${plan.issues}`);
        continue;
      }
      return run.finish('invalid_message', null, { type: FailureType.InvalidMessage, message: `the coordinator's plan is invalid: ${plan.issues}` });
    }

    // Run the subtasks, each retried up to maxChildAttempts.
    let pending = plan.value.subtasks.filter((s) => !(s.id in results));
    for (let attempt = 1; attempt <= request.maxChildAttempts && pending.length > 0; attempt++) {
      const runs = await run.runChildren(pending.map((s) => ({ agent: s.agent, role: s.id, message: s.message })));
      const unfunded = runs.find((r) => r.unfunded);
      runs.forEach((r, i) => {
        if (r.result?.outcome === 'completed') results[pending[i]!.id] = outputOf(r);
      });
      pending = pending.filter((s) => !(s.id in results));
      if (unfunded) {
        failures.push(...pending.map((s) => `${s.id}: ${unfunded.failure}`));
        break;
      }
      if (attempt === request.maxChildAttempts) failures.push(...pending.map((s) => `${s.id} (${s.agent}): ${runs.find((r) => r.view.role === s.id)?.failure}`));
    }
    if (pending.length === 0) break;
    const budgetGone = failures.some((f) => f.includes('nothing left of the budget'));
    if (!budgetGone && replans < request.maxReplans) {
      replans += 1;
      continue;
    }
    const detail = `subtasks failed: ${failures.join('; ')}`;
    if (await run.askHuman(budgetGone ? 'budget_exhausted' : 'child_failed', detail)) continue;
    return run.finish(budgetGone ? 'breaker_tripped' : 'failed', null, { type: budgetGone ? FailureType.BudgetExhausted : FailureType.ChildFailed, message: detail });
  }

  // Assemble the final result.
  const assembler = await run.agent(request.assembler);
  for (;;) {
    const assembled = await run.runChild({
      agent: request.assembler,
      role: 'assemble',
      message: { task: request.input, context: { results }, constraints: ['Assemble the subtasks\' results into the final answer.'], expectedOutput: expectedOutputOf(assembler) },
    });
    if (assembled.result?.outcome === 'completed') return run.finish('completed', outputOf(assembled));
    const reason = assembled.unfunded ? 'budget_exhausted' : 'child_failed';
    if (await run.askHuman(reason, `the assembler failed: ${assembled.failure}`)) continue;
    return run.finish(assembled.unfunded ? 'breaker_tripped' : 'failed', null, {
      type: assembled.unfunded ? FailureType.BudgetExhausted : FailureType.ChildFailed,
      message: `the assembler failed: ${assembled.failure}`,
    });
  }

  /** The plan, validated: its shape, each subtask's agent, and the output each message expects of it. */
  async function checkPlan(orchestration: Orchestration, data: unknown): Promise<{ ok: true; value: SupervisorPlan } | { ok: false; issues: string }> {
    const parsed = SupervisorPlanSchema.safeParse(data);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ') };
    const issues: string[] = [];
    const ids = new Set<string>();
    for (const subtask of parsed.data.subtasks) {
      if (ids.has(subtask.id)) issues.push(`subtask "${subtask.id}" appears twice`);
      ids.add(subtask.id);
      const agent = await orchestration.agent(subtask.agent);
      if (!agent) {
        issues.push(`subtask "${subtask.id}": no agent "${subtask.agent}"`);
        continue;
      }
      const offered = expectedOutputOf(agent);
      if (subtask.message.expectedOutput !== offered) {
        issues.push(`subtask "${subtask.id}": expects output "${subtask.message.expectedOutput}" but agent "${subtask.agent}" produces "${offered}"`);
      }
    }
    return issues.length ? { ok: false, issues: issues.join('; ') } : { ok: true, value: parsed.data };
  }
}

/**
 * Pipeline pattern: a DAG of agents given as data, validated before anything runs (acyclic, every
 * reference exists, referenced fields exist in upstream output schemas), then executed with every
 * node started as soon as its inputs are ready, so independent branches run in parallel.
 */
export async function pipelineSession(raw: unknown): Promise<OrchestrationResult> {
  const run = new Orchestration(raw, 'pipeline');
  const request = run.request;
  if (request.pattern !== 'pipeline') throw new Error('unreachable');
  const spec = request.pipeline;

  const contracts: Record<string, AgentContract | undefined> = {};
  for (const name of new Set(spec.nodes.map((n) => n.agent))) {
    const agent = await run.agent(name);
    if (agent) contracts[name] = { outputName: agent.output?.name ?? null, ...(agent.output ? { outputJsonSchema: agent.output.jsonSchema } : {}) };
  }
  try {
    validatePipeline(spec, contracts);
  } catch (error) {
    if (error instanceof PipelineValidationError) throw ApplicationFailure.create({ type: FailureType.InvalidPipeline, message: error.message, nonRetryable: true });
    throw error;
  }

  const outputs: Record<string, unknown> = {};
  const started = new Set<string>();
  const failed: string[] = [];
  const runNode = async (node: (typeof spec.nodes)[number], share: number, left: ReturnType<Orchestration['left']>): Promise<void> => {
    const context = Object.fromEntries(Object.entries(node.from).map(([name, ref]) => [name, resolveReference(ref, request.input, outputs)]));
    const message: TaskMessage = { task: node.task, context, constraints: node.constraints, expectedOutput: contracts[node.agent]?.outputName ?? 'text' };
    let result = await run.runChild({ agent: node.agent, role: node.id, message, ...(node.limits ? { limits: node.limits } : {}) }, left, share);
    while (!result.result || result.result.outcome !== 'completed') {
      if (!(await run.askHuman(result.unfunded ? 'budget_exhausted' : 'child_failed', `node "${node.id}" failed: ${result.failure}`))) {
        failed.push(`${node.id}: ${result.failure}`);
        return;
      }
      result = await run.runChild({ agent: node.agent, role: node.id, message, ...(node.limits ? { limits: node.limits } : {}) });
    }
    outputs[node.id] = outputOf(result);
  };

  const inFlight = new Map<string, Promise<void>>();
  for (;;) {
    const ready = spec.nodes.filter((n) => !started.has(n.id) && nodeDependencies(n).every((d) => d in outputs));
    if (failed.length === 0 && ready.length > 0) {
      const left = run.left();
      for (const node of ready) {
        started.add(node.id);
        inFlight.set(node.id, runNode(node, ready.length, left).finally(() => inFlight.delete(node.id)));
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  if (failed.length > 0 || !(spec.output in outputs)) {
    const message = failed.length ? `nodes failed: ${failed.join('; ')}` : `the output node "${spec.output}" did not run`;
    const budget = failed.some((f) => f.includes('nothing left of the budget'));
    return run.finish(budget ? 'breaker_tripped' : 'failed', null, { type: budget ? FailureType.BudgetExhausted : FailureType.ChildFailed, message });
  }
  return run.finish('completed', outputs[spec.output]);
}

/**
 * Debate pattern: several agents analyse the same input independently and in parallel; a judge
 * agent reads their analyses and produces a typed {@link ConsensusSchema consensus} with the points
 * of agreement and dissent.
 */
export async function debateSession(raw: unknown): Promise<OrchestrationResult> {
  const run = new Orchestration(raw, 'debate');
  const request = run.request;
  if (request.pattern !== 'debate') throw new Error('unreachable');
  const judge = await run.agent(request.judge);
  if (!judge || judge.output?.name !== ORCHESTRATION_OUTPUTS.consensus) {
    const why = judge ? `its output is "${expectedOutputOf(judge)}", not "${ORCHESTRATION_OUTPUTS.consensus}"` : 'no such agent';
    throw ApplicationFailure.create({ type: FailureType.InvalidSessionRequest, message: `invalid debate request: judge "${request.judge}": ${why}`, nonRetryable: true });
  }
  const debaters = await Promise.all(request.debaters.map((name) => run.agent(name)));
  const unknown = request.debaters.filter((_, i) => !debaters[i]);
  if (unknown.length) {
    throw ApplicationFailure.create({ type: FailureType.InvalidSessionRequest, message: `invalid debate request: no agent ${unknown.map((n) => `"${n}"`).join(', ')}`, nonRetryable: true });
  }
  const runs = await run.runChildren(
    request.debaters.map((agent, i) => ({
      agent,
      role: `debater-${i + 1}`,
      message: { task: request.input, context: {}, constraints: ['Analyse independently; state your position and your reasons.'], expectedOutput: expectedOutputOf(debaters[i]!) },
    })),
  );
  const analyses = Object.fromEntries(runs.filter((r) => r.result?.outcome === 'completed').map((r) => [r.view.agent, outputOf(r)]));
  const missing = runs.filter((r) => r.result?.outcome !== 'completed');
  if (Object.keys(analyses).length < 2) {
    const message = `fewer than two analyses: ${missing.map((r) => `${r.view.agent}: ${r.failure}`).join('; ')}`;
    return run.finish(missing.some((r) => r.unfunded) ? 'breaker_tripped' : 'failed', null, { type: FailureType.ChildFailed, message });
  }
  const judged = await run.runChild({
    agent: request.judge,
    role: 'judge',
    message: {
      task: 'Weigh these independent analyses of the question and give the consensus, the points of agreement and the points of dissent (naming who dissents).',
      context: { question: request.input, analyses, ...(missing.length ? { missing: missing.map((r) => r.view.agent) } : {}) },
      constraints: [],
      expectedOutput: ORCHESTRATION_OUTPUTS.consensus,
    },
  });
  if (!judged.result || judged.result.outcome !== 'completed') {
    return run.finish('failed', null, { type: FailureType.ChildFailed, message: `the judge failed: ${judged.failure}` });
  }
  const consensus = ConsensusSchema.safeParse(outputOf(judged));
  if (!consensus.success) {
    const issues = consensus.error.issues.map((i) => `${i.path.join('.') || '(consensus)'}: ${i.message}`).join('; ');
    run.trace.push({ type: 'message_rejected', atMs: Date.now(), from: request.judge, role: 'judge', issues });
    return run.finish('invalid_message', null, { type: FailureType.InvalidMessage, message: `the judge's consensus is invalid: ${issues}` });
  }
  return run.finish('completed', consensus.data);
}
