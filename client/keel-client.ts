import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, ServiceError, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { EvaluationRequestSchema, type EvaluationReport, type EvaluationRequestInput } from '../core/evaluation';
import { ApplicationFailure } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { FailureType } from '../core/errors';
import type { TraceEvent } from '../core/trace';
import type { ContentStore, TraceStore } from '../store';
import type { SessionTraceRecord } from '../core/trace-schema';
import { KEEL_SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { statusFromMemo } from '../core/status-memo';
import {
  describeRequestIssues,
  SessionRequestSchema,
  type SessionRequestInput,
  type SessionResult,
  type SessionStatus,
  type SessionTrace,
} from '../core/session';
import {
  AGENT_MONITOR_WORKFLOW,
  AGENT_SESSION_WORKFLOW,
  approveSignal,
  approveUpdate,
  evaluationScheduleId,
  KEEL_SEARCH_ATTRIBUTE_KEYS,
  SESSION_EVALUATION_WORKFLOW,
  monitorStatusQuery,
  monitorWorkflowId,
  ORCHESTRATION_WORKFLOWS,
  rejectSignal,
  rejectUpdate,
  resolveEscalationSignal,
  resolveEscalationUpdate,
  statusQuery,
  traceQuery,
  type AgentSessionWorkflow,
  type DecisionAccepted,
  type MonitorStatus,
  type OrchestrationWorkflow,
} from '../workflows/api';
import type { ApproverInput } from '../core/approval';
import { DECISION_LIMITS, type DecisionEnvelope } from '../core/decision-statement';
import type { ExtraBudget } from '../core/limits';
import { signDecision, type ApproverKeyFile } from './approver-key';
import { sessionEndRecordIn } from './session-end-record';
import {
  OrchestrationRequestSchema,
  PipelineValidationError,
  validatePipeline,
  type OrchestrationRequestInput,
  type OrchestrationResult,
  type OrchestrationStatus,
} from '../core/orchestration';

/** Options of {@link KeelClient.connect}. */
export interface KeelClientOptions {
  /** @default from Temporal's environment configuration (`TEMPORAL_ADDRESS`, profiles), else localhost:7233 */
  address?: string;
  /** @default `TEMPORAL_NAMESPACE` or 'default' */
  namespace?: string;
  /** @default 'keel' */
  taskQueue?: string;
  /** An existing Temporal client to use instead of connecting. */
  client?: Client;
  /**
   * The workers' content store; with it, `trace()` includes the events of a long session's earlier
   * runs (continue-as-new stores them there).
   */
  store?: ContentStore;
  /** The workers' trace store, where finished sessions' traces outlive Temporal's history. */
  traces?: TraceStore;
  /**
   * Approvers of every session and orchestration this client starts whose request names none
   * (identities, or `role:NAME`). @default none: a session of an agent with write_critical tools then
   * refuses to start
   */
  approvers?: ApproverInput[];
}

/** A decision the session refused (unsigned, wrongly signed, expired, not an approver, stale...): the message says why. */
export class DecisionRefusedError extends Error {
  override readonly name = FailureType.DecisionRefused;
  constructor(
    readonly sessionId: string,
    readonly reason: string,
  ) {
    super(`session ${sessionId} refused the decision: ${reason}`);
  }
}

/** How a decision is signed and sent. */
export interface DecisionOptions {
  /** The approver's private key (see `readApproverKey`, `keel keys create`). */
  key: ApproverKeyFile;
  /** The identity to sign for: only an issuer's key (e.g. the inbox) names one; @default the key's identity */
  approver?: string;
  /** Roles to act in (each held by the key). @default the key's roles */
  roles?: string[];
  /** A note kept with the decision. */
  note?: string;
  /**
   * `update` (default) waits for the session's answer and throws {@link DecisionRefusedError} on a
   * refusal; `signal` only delivers it (a refusal is then in the trace).
   */
  via?: 'update' | 'signal';
  /** Statement validity. @default 15 minutes */
  ttlMs?: number;
}

/** Temporal did not answer at the configured address: the message names it and how to change it. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    readonly namespace: string,
    cause: Error,
  ) {
    super(`Temporal did not answer at ${address} (namespace ${namespace}): ${cause.message}. Start a server (npm run dev-server) or point TEMPORAL_ADDRESS / --address at one.`);
  }
}

/** A request the client refuses before starting anything; names every invalid field. */
export class InvalidSessionRequestError extends Error {
  override readonly name = FailureType.InvalidSessionRequest;
}

/** An evaluation request or schedule the client refuses before creating anything; names every invalid field. */
export class InvalidEvaluationRequestError extends Error {
  override readonly name = FailureType.InvalidEvaluationRequest;
}

/** Options of {@link KeelClient.scheduleEvaluation}. */
export interface EvaluationScheduleOptions {
  /** @default `keel-evaluation@<task queue>` (see `evaluationScheduleId`) */
  scheduleId?: string;
  /** Time between runs in milliseconds. @default 3600000 (1 hour) */
  everyMs?: number;
  /** What each run does. `lookbackMs` defaults to `everyMs`, so consecutive runs cover every session once. */
  request?: EvaluationRequestInput;
  /** Create the schedule paused. @default false */
  paused?: boolean;
}

/** A session that failed as a workflow (invalid request, unknown agent); `type` is the failure type. */
export class SessionFailedError extends Error {
  override readonly name = 'SessionFailedError';
  constructor(
    readonly sessionId: string,
    readonly type: string,
    message: string,
  ) {
    super(`session ${sessionId} failed (${type}): ${message}`);
  }
}

/** A running or finished orchestration (supervisor, pipeline, debate). */
export type OrchestrationHandle = SessionHandle<OrchestrationResult, OrchestrationStatus>;

/** Triggers agent sessions from backend code and reaches running ones. */
export class KeelClient {
  private constructor(
    readonly temporal: Client,
    readonly taskQueue: string,
    private readonly store: ContentStore | undefined,
    private readonly traces: TraceStore | undefined,
    private readonly ownedConnection?: Connection,
    private readonly approvers?: ApproverInput[],
  ) {}

  /** Connects to Temporal (the way every Temporal tool does, from environment configuration). */
  static async connect(options: KeelClientOptions = {}): Promise<KeelClient> {
    const taskQueue = options.taskQueue ?? process.env.KEEL_TASK_QUEUE ?? 'keel';
    if (options.client) return new KeelClient(options.client, taskQueue, options.store, options.traces, undefined, options.approvers);
    const config = loadClientConnectConfig();
    const address = options.address ?? config.connectionOptions.address ?? 'localhost:7233';
    const namespace = options.namespace ?? config.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
    let connection: Connection;
    try {
      connection = await Connection.connect({ connectTimeout: 5000, ...(config.connectionOptions as object), address });
    } catch (error) {
      throw new TemporalUnreachableError(address, namespace, error as Error);
    }
    return new KeelClient(new Client({ connection, namespace }), taskQueue, options.store, options.traces, connection, options.approvers);
  }

  /**
   * Starts a session. The request is validated here first; an invalid one throws
   * {@link InvalidSessionRequestError} naming each bad field, and nothing starts.
   */
  async startSession(given: SessionRequestInput, options: { sessionId?: string } = {}): Promise<SessionHandle> {
    const request = given.approvers || !this.approvers ? given : { ...given, approvers: this.approvers };
    const parsed = SessionRequestSchema.safeParse(request);
    if (!parsed.success) throw new InvalidSessionRequestError(`invalid session request: ${describeRequestIssues(parsed.error)}`);
    const sessionId = options.sessionId ?? `session-${randomUUID()}`;
    const handle = await this.temporal.workflow.start<AgentSessionWorkflow>(AGENT_SESSION_WORKFLOW, {
      taskQueue: this.taskQueue,
      workflowId: sessionId,
      args: [request],
      typedSearchAttributes: [
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: parsed.data.agent },
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: parsed.data.scope.tenant },
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: 'starting' },
      ],
      memo: { purpose: parsed.data.input.slice(0, 200) },
      staticSummary: `${parsed.data.agent} session for ${parsed.data.scope.tenant}`,
    });
    return new SessionHandle(handle, this.store, this.traces);
  }

  /** A handle on an existing session. */
  getSession(sessionId: string): SessionHandle {
    return new SessionHandle(this.temporal.workflow.getHandle(sessionId), this.store, this.traces);
  }

  /**
   * Starts a multi-agent orchestration (supervisor, pipeline or debate) whose agents run as child
   * sessions. The request is validated here (a pipeline's graph too, as far as it can be without the
   * worker's agents); an invalid one throws {@link InvalidSessionRequestError} and nothing starts.
   */
  async startOrchestration(given: OrchestrationRequestInput, options: { sessionId?: string } = {}): Promise<OrchestrationHandle> {
    const request = given.approvers || !this.approvers ? given : { ...given, approvers: this.approvers };
    const parsed = OrchestrationRequestSchema.safeParse(request);
    if (!parsed.success) throw new InvalidSessionRequestError(`invalid ${String((request as { pattern?: unknown }).pattern)} request: ${describeRequestIssues(parsed.error)}`);
    if (parsed.data.pattern === 'pipeline') {
      const agents = Object.fromEntries(parsed.data.pipeline.nodes.map((n) => [n.agent, { outputName: null }]));
      try {
        validatePipeline(parsed.data.pipeline, agents);
      } catch (error) {
        // Field references are checked by the workflow against the agents' real output schemas.
        if (error instanceof PipelineValidationError) {
          const structural = error.issues.filter((issue) => !issue.includes('answers in free text'));
          if (structural.length) throw new InvalidSessionRequestError(`invalid pipeline request: ${structural.join('; ')}`);
        } else throw error;
      }
    }
    const sessionId = options.sessionId ?? `${parsed.data.pattern}-${randomUUID()}`;
    const handle = await this.temporal.workflow.start<OrchestrationWorkflow>(ORCHESTRATION_WORKFLOWS[parsed.data.pattern], {
      taskQueue: this.taskQueue,
      workflowId: sessionId,
      args: [request],
      typedSearchAttributes: [
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: parsed.data.pattern },
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: parsed.data.scope.tenant },
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: 'starting' },
      ],
      memo: { purpose: parsed.data.input.slice(0, 200), pattern: parsed.data.pattern },
      staticSummary: `${parsed.data.pattern} for ${parsed.data.scope.tenant}`,
    });
    return new SessionHandle(handle, this.store, this.traces);
  }

  /** A handle on an existing orchestration. */
  getOrchestration(sessionId: string): OrchestrationHandle {
    return new SessionHandle(this.temporal.workflow.getHandle(sessionId), this.store, this.traces);
  }

  /** Agents whose behaviour monitor runs on this client's task queue. */
  async monitoredAgents(): Promise<string[]> {
    const agents: string[] = [];
    const query = `WorkflowType = "${AGENT_MONITOR_WORKFLOW}" AND ExecutionStatus = "Running" AND TaskQueue = "${this.taskQueue}"`;
    for await (const execution of this.temporal.workflow.list({ query })) {
      const agent = /^keel-monitor-(.+)@/.exec(execution.workflowId)?.[1];
      if (agent) agents.push(agent);
    }
    return agents.sort();
  }

  /** An agent's behaviour monitor: sessions observed and recent drift alerts. */
  monitorStatus(agent: string): Promise<MonitorStatus> {
    return this.temporal.workflow.getHandle(monitorWorkflowId(agent, this.taskQueue)).query(monitorStatusQuery);
  }

  /**
   * Creates the Temporal Schedule that runs the online evaluation (`sessionEvaluation`) on this
   * client's task queue every `everyMs`; overlapping runs are skipped. Idempotent by schedule id: an
   * existing schedule is updated to the given interval and request (`created` is then false).
   * Throws {@link InvalidEvaluationRequestError} naming each bad field.
   */
  async scheduleEvaluation(options: EvaluationScheduleOptions = {}): Promise<{ scheduleId: string; created: boolean }> {
    const everyMs = options.everyMs ?? 3_600_000;
    if (!Number.isInteger(everyMs) || everyMs < 1000) throw new InvalidEvaluationRequestError(`everyMs must be a whole number of at least 1000, got ${everyMs}`);
    const request: EvaluationRequestInput = { lookbackMs: everyMs, ...options.request };
    const parsed = EvaluationRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new InvalidEvaluationRequestError(`invalid evaluation request: ${describeRequestIssues(parsed.error)}`);
    }
    const scheduleId = options.scheduleId ?? evaluationScheduleId(this.taskQueue);
    const spec = { intervals: [{ every: everyMs }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: SESSION_EVALUATION_WORKFLOW,
      workflowId: `${scheduleId}-run`,
      taskQueue: this.taskQueue,
      args: [request],
      staticSummary: `online evaluation of ${this.taskQueue} sessions`,
    };
    try {
      await this.temporal.schedule.create({
        scheduleId,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(everyMs, 60_000) },
        state: { paused: options.paused ?? false, note: 'keel eval schedule' },
      });
      return { scheduleId, created: true };
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
      return { scheduleId, created: false };
    }
  }

  /**
   * Runs the evaluation schedule once now and returns the id of the workflow it started (its result
   * is the {@link EvaluationReport}: `evaluationResult(id)`).
   */
  async triggerEvaluation(scheduleId = evaluationScheduleId(this.taskQueue), timeoutMs = 60_000): Promise<string> {
    const handle = this.temporal.schedule.getHandle(scheduleId);
    // Runs are told apart by their run id: the workflow ids a schedule gives are its id and the
    // second, so two runs started within one second share one.
    const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.firstExecutionRunId));
    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const started = (await handle.describe()).info.recentActions.find((a) => !before.has(a.action.workflow.firstExecutionRunId));
      if (started) return started.action.workflow.workflowId;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`schedule ${scheduleId} started no workflow within ${timeoutMs} ms of the trigger`);
  }

  /** Starts one evaluation run now, without a schedule; returns its workflow id. */
  async startEvaluation(request: EvaluationRequestInput = {}, options: { workflowId?: string } = {}): Promise<string> {
    const parsed = EvaluationRequestSchema.safeParse(request);
    if (!parsed.success) throw new InvalidEvaluationRequestError(`invalid evaluation request: ${describeRequestIssues(parsed.error)}`);
    const handle = await this.temporal.workflow.start(SESSION_EVALUATION_WORKFLOW, {
      taskQueue: this.taskQueue,
      workflowId: options.workflowId ?? `keel-evaluation-${randomUUID()}`,
      args: [request],
      staticSummary: `online evaluation of ${this.taskQueue} sessions`,
    });
    return handle.workflowId;
  }

  /** Waits for an evaluation run's report. */
  async evaluationResult(workflowId: string): Promise<EvaluationReport> {
    return (await this.temporal.workflow.getHandle(workflowId).result()) as EvaluationReport;
  }

  /** Closes the connection this client opened. */
  async close(): Promise<void> {
    await this.ownedConnection?.close();
  }
}

/**
 * A running or finished session: an agent session (`SessionHandle`), or an orchestration
 * (`SessionHandle<OrchestrationResult, OrchestrationStatus>`, see {@link OrchestrationHandle}),
 * which answers the same queries and signals and forwards decisions to its children.
 */
export class SessionHandle<R = SessionResult, S extends SessionStatus = SessionStatus> {
  constructor(
    readonly workflow: WorkflowHandle,
    private readonly store?: ContentStore,
    private readonly traces?: TraceStore,
  ) {}

  get sessionId(): string {
    return this.workflow.workflowId;
  }

  /**
   * State, usage against limits, pending approvals and escalation, answered by a live worker. When
   * no worker answers within `queryTimeoutMs` (none polls the task queue: an outage), it is the
   * snapshot the session keeps in its memo at every state change, read with `describe()` from the
   * server alone and marked `source: 'memo'` with its time (`asOfMs`): what the session waits for
   * stays visible. A session without a snapshot (an orchestration, one recorded before it) throws
   * the query's error.
   * @param options.queryTimeoutMs @default 5000
   */
  async status(options: { queryTimeoutMs?: number } = {}): Promise<S> {
    const deadline = Date.now() + (options.queryTimeoutMs ?? 5000);
    try {
      return (await this.workflow.client.connection.withDeadline(deadline, () => this.workflow.query(statusQuery))) as S;
    } catch (error) {
      if (!isUnansweredQuery(error, deadline)) throw error;
      const described = await this.workflow.describe();
      const attribute = (name: string) => String(described.searchAttributes?.[name]?.[0] ?? '');
      const fromMemo = statusFromMemo(described.memo, {
        sessionId: this.sessionId,
        agent: attribute(KEEL_SEARCH_ATTRIBUTES.agent),
        tenant: attribute(KEEL_SEARCH_ATTRIBUTES.tenant),
      });
      if (!fromMemo) throw error;
      return fromMemo as S;
    }
  }

  /** Cancels the session; an orchestration's children are cancelled with it. */
  async cancel(): Promise<void> {
    await this.workflow.cancel();
  }

  /**
   * Every model call, tool call, breaker event and decision so far; earlier runs' events are included
   * when the client has the content store.
   */
  async trace(): Promise<SessionTrace> {
    const trace = await this.workflow.query(traceQuery);
    if (!this.store || !trace.earlierRuns?.length) return { ...trace, earlierRuns: trace.earlierRuns ?? [] };
    // Earlier runs' events are the session's tenant's content: read as that tenant (the session's search attribute).
    const described = await this.workflow.describe();
    const tenant = described.typedSearchAttributes.get(KEEL_SEARCH_ATTRIBUTE_KEYS.tenant) ?? '';
    const earlier: TraceEvent[] = [];
    for (const ref of trace.earlierRuns) earlier.push(...(JSON.parse(await this.store.get(ref, tenant)) as TraceEvent[]));
    return { ...trace, events: [...earlier, ...trace.events], earlierRuns: [] };
  }

  /**
   * The session's whole trace as a record: the archived one when the trace store has it (a finished
   * session, even after Temporal deleted its history), else built from the live `trace` and `status`.
   */
  async traceRecord(options: { queryTimeoutMs?: number } = {}): Promise<SessionTraceRecord> {
    const archived = await this.traces?.get(this.sessionId);
    if (archived) return archived;
    const deadline = Date.now() + (options.queryTimeoutMs ?? 5000);
    let live;
    try {
      live = await this.workflow.client.connection.withDeadline(deadline, () => Promise.all([this.trace(), this.status()]));
    } catch (error) {
      // No worker answered: a finished session's record is in its history (the input of its last activity).
      const recorded = await recordFromHistory(this.workflow);
      if (recorded) return recorded;
      throw new SessionTraceUnavailableError(this.sessionId, (error as Error).message);
    }
    const [trace, status] = live;
    return {
      sessionId: this.sessionId,
      agent: trace.agent,
      tenant: status.tenant,
      outcome: status.state,
      startedAtMs: trace.events[0]?.atMs ?? 0,
      endedAtMs: trace.events.at(-1)?.atMs ?? 0,
      result: {},
      events: trace.events,
    };
  }

  /**
   * Waits for the session's result (following continue-as-new). A session that failed as a
   * workflow throws {@link SessionFailedError} with the failure type.
   */
  async result(): Promise<R> {
    try {
      return (await this.workflow.result()) as R;
    } catch (error) {
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
        throw new SessionFailedError(this.sessionId, error.cause.type ?? 'Error', error.cause.message);
      }
      throw error;
    }
  }

  /**
   * Approves one pending write_critical call by its request id (see `status().pendingApprovals`;
   * in an orchestration's, the child it belongs to is found from there). The statement is bound to
   * the input digest pending now, unless `digest` names the one the approver saw.
   */
  approve(requestId: string, options: DecisionOptions & { digest?: string }): Promise<DecisionAccepted | null> {
    return this.decideRequest('approve', requestId, options.note, options);
  }

  /** Rejects one pending write_critical call; the model is told `reason`. */
  reject(requestId: string, reason: string, options: DecisionOptions & { digest?: string }): Promise<DecisionAccepted | null> {
    return this.decideRequest('reject', requestId, reason, options);
  }

  /**
   * Resolves the pending escalation: `resume` (with extra budget) or `abort`. `sessionId` names a
   * child of an orchestration whose escalation it is.
   */
  async resolveEscalation(action: 'resume' | 'abort', options: DecisionOptions & { extraBudget?: ExtraBudget; sessionId?: string }): Promise<DecisionAccepted | null> {
    const { handle, statement } = await this.escalationStatementFor(action, options);
    return this.send('resolveEscalation', handle, statement, options.via);
  }

  /** Signs the statement that `resolveEscalation` would send, without sending it. */
  async escalationStatement(action: 'resume' | 'abort', options: DecisionOptions & { extraBudget?: ExtraBudget; sessionId?: string }): Promise<{ sessionId: string; statement: string }> {
    const { handle, statement } = await this.escalationStatementFor(action, options);
    return { sessionId: handle.workflowId, statement };
  }

  private async escalationStatementFor(action: 'resume' | 'abort', options: DecisionOptions & { extraBudget?: ExtraBudget; sessionId?: string }) {
    let handle = options.sessionId ? this.workflow.client.getHandle(options.sessionId) : this.workflow;
    let status = await handle.query(statusQuery);
    // An orchestration shows a child's escalation with the child's id: the statement is the child's.
    const child = status.escalation?.sessionId;
    if (child && child !== handle.workflowId) {
      handle = this.workflow.client.getHandle(child);
      status = await handle.query(statusQuery);
    }
    const escalation = status.escalation;
    if (!escalation?.requestId) throw new DecisionRefusedError(handle.workflowId, escalation ? 'the session predates signed decisions' : 'no escalation is pending');
    const statement = signDecision(options.key, {
      session: handle.workflowId,
      execution: executionOf(status, handle.workflowId),
      request: escalation.requestId,
      decision: action,
      ...signerClaims(options),
      ...(action === 'resume' && options.extraBudget ? { extraBudget: options.extraBudget } : {}),
      ...(options.note ? { note: options.note } : {}),
    });
    return { handle, statement };
  }

  /** Signs the statement that `approve`/`reject` would send, without sending it (for the Temporal CLI or another client). */
  async statement(decision: 'approve' | 'reject', requestId: string, options: DecisionOptions & { digest?: string }): Promise<{ sessionId: string; statement: string }> {
    const { handle, statement } = await this.signRequest(decision, requestId, decision === 'reject' ? options.note : options.note, options);
    return { sessionId: handle.workflowId, statement };
  }

  /**
   * Sends a statement signed elsewhere (another service, the inbox) as a signal or an update to the
   * session it names.
   */
  async sendStatement(name: 'approve' | 'reject' | 'resolveEscalation', statement: string, via: 'update' | 'signal' = 'update'): Promise<DecisionAccepted | null> {
    return this.send(name, this.workflow, statement, via);
  }

  private async decideRequest(name: 'approve' | 'reject', requestId: string, note: string | undefined, options: DecisionOptions & { digest?: string }): Promise<DecisionAccepted | null> {
    if (name === 'reject' && !note) throw new DecisionRefusedError(this.sessionId, 'a rejection needs a reason');
    const { handle, statement } = await this.signRequest(name, requestId, note, options);
    return this.send(name, handle, statement, options.via);
  }

  private async signRequest(name: 'approve' | 'reject', requestId: string, note: string | undefined, options: DecisionOptions & { digest?: string }) {
    const status = await this.status(); // while no worker runs, the memo's snapshot: a signal can still be sent
    const pending = status.pendingApprovals.find((p) => p.requestId === requestId);
    if (!pending && !options.digest) throw new DecisionRefusedError(this.sessionId, `no pending approval request "${requestId}"`);
    // In an orchestration's status a child's request names the child: the statement is the child's.
    const handle = pending?.sessionId && pending.sessionId !== this.sessionId ? this.workflow.client.getHandle(pending.sessionId) : this.workflow;
    const owner = handle === this.workflow ? status : await handle.query(statusQuery);
    const statement = signDecision(options.key, {
      session: handle.workflowId,
      execution: executionOf(owner, handle.workflowId),
      request: requestId,
      digest: options.digest ?? pending!.digest,
      decision: name,
      ...signerClaims(options),
      ...(note ? { note } : {}),
    });
    return { handle, statement };
  }

  private async send(name: 'approve' | 'reject' | 'resolveEscalation', handle: WorkflowHandle, statement: string, via: 'update' | 'signal' = 'update'): Promise<DecisionAccepted | null> {
    const identity = this.workflow.client.options.identity;
    const envelope: DecisionEnvelope = { statement, ...(identity ? { sender: identity.slice(0, DECISION_LIMITS.senderChars) } : {}) };
    if (via === 'signal') {
      await handle.signal(name === 'approve' ? approveSignal : name === 'reject' ? rejectSignal : resolveEscalationSignal, envelope);
      return null;
    }
    try {
      return await handle.executeUpdate(name === 'approve' ? approveUpdate : name === 'reject' ? rejectUpdate : resolveEscalationUpdate, { args: [envelope] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const reason = (error.cause?.message ?? error.message).replace(/^refused: /, '');
        throw new DecisionRefusedError(handle.workflowId, reason);
      }
      throw error;
    }
  }
}

/** The trace record a finished session passed to its `recordSessionEnd` activity, from its history. */
async function recordFromHistory(handle: WorkflowHandle): Promise<SessionTraceRecord | undefined> {
  const history = await handle.fetchHistory();
  return sessionEndRecordIn(history.events ?? [], handle.client.options.loadedDataConverter.payloadConverter);
}

/** A session's trace cannot be read: no worker answered its query and it has no archived or recorded trace. */
export class SessionTraceUnavailableError extends Error {
  override readonly name = 'SessionTraceUnavailableError';
  constructor(
    readonly sessionId: string,
    reason: string,
  ) {
    super(`the trace of ${sessionId} is not available: no worker answered (${reason}) and it has no archived trace yet (give --database the workers' database)`);
  }
}

/** gRPC status codes of a query that no worker answered before its deadline. */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Whether a query failed because no worker answered it before `deadline` (rather than because the
 * session refused it): the client's deadline, or the server giving up at it (which may arrive first,
 * as a cancellation).
 */
function isUnansweredQuery(error: unknown, deadline: number): boolean {
  if (!(error instanceof ServiceError)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  // No worker answered in time, or the server could not get an answer at all (e.g. a finished
  // session whose workers are gone): the memo's snapshot is the best there is.
  return code === GRPC_DEADLINE_EXCEEDED || (code === GRPC_CANCELLED && Date.now() >= deadline - 1000) || /Failed to query Workflow/.test(error.message);
}

function executionOf(status: SessionStatus, sessionId: string): string {
  if (!status.execution) throw new DecisionRefusedError(sessionId, 'the session predates signed decisions (it has no execution id to bind a statement to)');
  return status.execution;
}

function signerClaims(options: DecisionOptions): { approver?: string; roles?: string[]; expiresAtMs?: number } {
  return {
    ...(options.approver ? { approver: options.approver } : {}),
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.ttlMs ? { expiresAtMs: Date.now() + options.ttlMs } : {}),
  };
}
