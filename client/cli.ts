import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApproverKey, readApproverKey, trustApproverKey, writeApproverKey, type ApproverKeyFile } from './approver-key';
import type { OrchestrationRequestInput, PipelineSpecInput } from '../core/orchestration';
import { defaultFileContentStore, PostgresDatabase, TraceStore } from '../store';
import { formatTrace, TRACE_FORMATS, type TraceFormat } from './trace-export';
import { DecisionRefusedError, KeelClient, type DecisionOptions } from './keel-client';
import { guardScanLine, parseScanPolicy } from './guard-scan';
import { formatReplayReport, replaySession, SessionNotFoundError } from './session-replay';
import { UsageError } from './usage-error';
import { runEvalRun, runEvalSchedule, runReview } from './evaluation-commands';

/** Usage of the `keel` command line. */
export const USAGE = `keel — agent sessions on Temporal

  keel start --agent NAME --tenant T [--subject S ...] --input TEXT [--approver A ...] [--session-id ID] [--wait]
  keel status SESSION            state, usage against limits, pending escalation
  keel trace SESSION [--format json|jsonl|otlp-json]
                                 every model call, tool call and decision; finished sessions come
                                 from the trace store (KEEL_DATABASE_URL or --database) when it has them
  keel result SESSION            wait for the session's result (JSON)
  keel alerts [--agent A]        drift alerts of the agents' behaviour monitors
  keel supervise --coordinator AGENT --assembler AGENT --tenant T [--subject S ...] --input TEXT [--approver A ...] [--wait]
  keel pipeline --file DAG.json --tenant T [--subject S ...] --input TEXT [--approver A ...] [--wait]
  keel debate --debater AGENT --debater AGENT [...] --judge AGENT --tenant T --input TEXT [--approver A ...] [--wait]
                                 multi-agent orchestrations; their agents run as child sessions, shown by
                                 "keel status", and approvals sent to the orchestration reach the child
  keel approve SESSION REQUEST_ID --key KEY.json [--role R ...] [--note TEXT] [--signal]
  keel reject SESSION REQUEST_ID --key KEY.json [--role R ...] --reason TEXT [--signal]
  keel escalation resume SESSION --key KEY.json [--tool-calls N] [--tokens N] [--elapsed-ms N] [--note TEXT] [--session CHILD]
  keel escalation abort SESSION --key KEY.json [--note TEXT] [--session CHILD]
                                 signed decisions (the key also from KEEL_APPROVER_KEY); the session
                                 answers at once: exit 0 when accepted, 1 with the reason when refused
  keel statement approve|reject SESSION REQUEST_ID --key KEY.json [--reason TEXT]
  keel statement resume|abort SESSION --key KEY.json [--session CHILD]
                                 print a signed statement to send with "temporal workflow update/signal"
  keel keys create --kid ID --identity A [--role R ...] --tenant T [--tenant T ...] [--issuer]
                   --out KEY.json [--trust TRUSTED.json]
                                 make an approver's Ed25519 key pair: the private key file (yours alone)
                                 and the public entry the workers trust (KEEL_APPROVER_KEYS)
  keel guard scan [--file PATH] [--policy JSON]
                                 run the guardrail detectors on JSON lines {"text", "kind": "tool_output"|"final_answer"}
                                 (stdin unless --file); one verdict per line, in input order
  keel replay SESSION [--workflows PATH] [--json]
                                 replay every run of the session against the current workflow code
                                 (or the workflows module at PATH); exit 0 if all replay, 1 if not
  keel eval schedule [--every 1h] [--rate 0.1] [--min-per-stratum N] [--max-sessions N] [--agent A,B]
                     [--seed S] [--judge-model M] [--rubric FILE.json] [--schedule-id ID] [--trigger [--wait] [--json]]
                                 create or update the Temporal Schedule of the online evaluation;
                                 --trigger runs it once now (--wait prints its report)
  keel eval run SUITE.ts [--baseline NAME] [--candidate NAME] [--json] [--dev-server] [--workflow-bundle PATH]
                                 the regression gate: run the suite's scenarios as sessions under two
                                 configurations, print them side by side; exit 1 on a regression
  keel review list [--status open|resolved|all] [--agent A] [--limit N] [--json]
  keel review show SESSION [--json]
  keel review resolve SESSION --decision confirmed|overruled --reviewer A [--note TEXT]
                                 the human review queue of low judge scores (KEEL_DATABASE_URL or --database)

Connection: Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, profiles);
--address and --namespace override it, --task-queue (default keel).`;

export { UsageError } from './usage-error';

/** Runs the `keel` command line with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      agent: { type: 'string' },
      tenant: { type: 'string' },
      subject: { type: 'string', multiple: true },
      input: { type: 'string' },
      approver: { type: 'string', multiple: true },
      'session-id': { type: 'string' },
      wait: { type: 'boolean' },
      'tool-calls': { type: 'string' },
      tokens: { type: 'string' },
      'elapsed-ms': { type: 'string' },
      note: { type: 'string' },
      reason: { type: 'string' },
      role: { type: 'string', multiple: true },
      address: { type: 'string' },
      namespace: { type: 'string' },
      'task-queue': { type: 'string' },
      format: { type: 'string' },
      database: { type: 'string' },
      workflows: { type: 'string' },
      json: { type: 'boolean' },
      session: { type: 'string' },
      coordinator: { type: 'string' },
      assembler: { type: 'string' },
      debater: { type: 'string', multiple: true },
      judge: { type: 'string' },
      file: { type: 'string' },
      policy: { type: 'string' },
      every: { type: 'string' },
      rate: { type: 'string' },
      'min-per-stratum': { type: 'string' },
      'max-sessions': { type: 'string' },
      seed: { type: 'string' },
      'judge-model': { type: 'string' },
      rubric: { type: 'string' },
      'schedule-id': { type: 'string' },
      trigger: { type: 'boolean' },
      status: { type: 'string' },
      limit: { type: 'string' },
      decision: { type: 'string' },
      reviewer: { type: 'string' },
      baseline: { type: 'string' },
      candidate: { type: 'string' },
      'dev-server': { type: 'boolean' },
      'workflow-bundle': { type: 'string' },
      key: { type: 'string' },
      signal: { type: 'boolean' },
      kid: { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'boolean' },
      out: { type: 'string' },
      trust: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'review') return runReview(rest, values, out);
  if (command === 'keys') {
    if (rest[0] !== 'create') throw new UsageError('keel keys create --kid ID --identity A [--role R ...] --tenant T [--issuer] --out KEY.json [--trust TRUSTED.json]');
    if (!values.kid || !values.tenant || !values.out) throw new UsageError('keel keys create needs --kid, --tenant and --out');
    if (!values.identity && !values.issuer) throw new UsageError('keel keys create needs --identity (or --issuer for a key that signs for the people it signs in)');
    const created = createApproverKey({
      kid: values.kid,
      tenants: [values.tenant],
      ...(values.identity ? { identity: values.identity } : {}),
      ...(values.role ? { roles: values.role } : {}),
      ...(values.issuer ? { issuer: true } : {}),
    });
    writeApproverKey(resolve(values.out), created.privateKey);
    out(`private key: ${resolve(values.out)} (keep it to yourself)`);
    if (values.trust) {
      trustApproverKey(resolve(values.trust), created.trusted);
      out(`trusted by: ${resolve(values.trust)} (the workers' KEEL_APPROVER_KEYS)`);
    } else {
      out('add this entry to the workers\' trusted key file (KEEL_APPROVER_KEYS):');
      out(JSON.stringify(created.trusted, null, 2));
    }
    return 0;
  }
  if (command === 'eval' && rest[0] === 'run') return runEvalRun(rest.slice(1), values, out);
  if (command === 'guard') {
    if (rest[0] !== 'scan') throw new UsageError('keel guard scan [--file PATH] [--policy JSON]');
    let policy;
    try {
      policy = parseScanPolicy(values.policy);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.file && !existsSync(values.file)) throw new UsageError(`--file: no such file "${values.file}"`);
    const input = values.file ? createReadStream(values.file) : process.stdin;
    let line = 0;
    let errors = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      line += 1;
      const verdict = guardScanLine(raw, line, policy);
      if (!verdict) continue;
      if ('error' in verdict) errors += 1;
      out(JSON.stringify(verdict));
    }
    return errors ? 1 : 0;
  }
  const databaseUrl = values.database ?? process.env.KEEL_DATABASE_URL;
  const database = databaseUrl ? new PostgresDatabase(databaseUrl, { max: 1 }) : undefined;
  const client = await KeelClient.connect({
    ...(values.address ? { address: values.address } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values['task-queue'] ? { taskQueue: values['task-queue'] } : {}),
    store: defaultFileContentStore(),
    ...(database ? { traces: new TraceStore(database) } : {}),
  });
  const print = (value: unknown) => out(JSON.stringify(value, null, 2));
  const sessionArg = (position: number) => {
    const id = rest[position];
    if (!id) throw new UsageError(`"keel ${command}" needs a session id`);
    return client.getSession(id);
  };
  /** The approver's key and how to send: from --key or KEEL_APPROVER_KEY. */
  const decisionOptions = (): DecisionOptions => {
    const path = values.key ?? process.env.KEEL_APPROVER_KEY;
    if (!path) throw new UsageError('--key KEY.json is required (or KEEL_APPROVER_KEY): decisions are signed (create a key with "keel keys create")');
    let key: ApproverKeyFile;
    try {
      key = readApproverKey(resolve(path));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    return {
      key,
      ...(values.role ? { roles: values.role } : {}),
      ...(values.note ? { note: values.note } : {}),
      ...(values.approver?.[0] ? { approver: values.approver[0] } : {}),
      via: values.signal ? 'signal' : 'update',
    };
  };
  /** Sends a decision and prints the session's answer: exit 0 when accepted, 1 when refused. */
  const answer = async (sessionId: string, send: () => Promise<unknown>): Promise<number> => {
    try {
      const accepted = (await send()) as { decision: string; requestId: string; approver: string } | null;
      out(accepted ? `accepted: ${accepted.decision} ${accepted.requestId} by ${accepted.approver}` : `sent to ${sessionId} as a signal (a refusal would be in "keel trace")`);
      return 0;
    } catch (error) {
      if (error instanceof DecisionRefusedError) {
        out(`refused: ${error.reason}`);
        return 1;
      }
      throw error;
    }
  };
  const count = (name: 'tool-calls' | 'tokens' | 'elapsed-ms') => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
    return n;
  };
  try {
    switch (command) {
      case 'start': {
        if (!values.agent || !values.tenant || !values.input) throw new UsageError('keel start needs --agent, --tenant and --input');
        const session = await client.startSession(
          {
            agent: values.agent,
            input: values.input,
            scope: { tenant: values.tenant, subjects: values.subject ?? [] },
            ...(values.approver ? { approvers: values.approver } : {}),
          },
          values['session-id'] ? { sessionId: values['session-id'] } : {},
        );
        out(`started ${session.sessionId}`);
        if (values.wait) print(await session.result());
        return 0;
      }
      case 'supervise':
      case 'pipeline':
      case 'debate': {
        if (!values.tenant || !values.input) throw new UsageError(`keel ${command} needs --tenant and --input`);
        const base = {
          input: values.input,
          scope: { tenant: values.tenant, subjects: values.subject ?? [] },
          ...(values.approver ? { approvers: values.approver } : {}),
        };
        let request: OrchestrationRequestInput;
        if (command === 'supervise') {
          if (!values.coordinator || !values.assembler) throw new UsageError('keel supervise needs --coordinator and --assembler');
          request = { ...base, pattern: 'supervisor', coordinator: values.coordinator, assembler: values.assembler };
        } else if (command === 'pipeline') {
          if (!values.file) throw new UsageError('keel pipeline needs --file with the DAG as JSON ({ "nodes": [...], "output": "node" })');
          if (!existsSync(values.file)) throw new UsageError(`--file: no such file "${values.file}"`);
          let pipeline: unknown;
          try {
            pipeline = JSON.parse(readFileSync(values.file, 'utf8'));
          } catch (error) {
            throw new UsageError(`--file: ${values.file} is not JSON: ${(error as Error).message}`);
          }
          request = { ...base, pattern: 'pipeline', pipeline: pipeline as PipelineSpecInput };
        } else {
          if (!values.judge || (values.debater?.length ?? 0) < 2) throw new UsageError('keel debate needs --judge and at least two --debater');
          request = { ...base, pattern: 'debate', debaters: values.debater!, judge: values.judge };
        }
        const orchestration = await client.startOrchestration(request, values['session-id'] ? { sessionId: values['session-id'] } : {});
        out(`started ${orchestration.sessionId}`);
        if (values.wait) print(await orchestration.result());
        return 0;
      }
      case 'status':
        print(await sessionArg(0).status());
        return 0;
      case 'trace': {
        const format = (values.format ?? 'json') as TraceFormat;
        if (!TRACE_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${TRACE_FORMATS.join(', ')}, got "${format}"`);
        out(formatTrace(await sessionArg(0).traceRecord(), format));
        return 0;
      }
      case 'result':
        print(await sessionArg(0).result());
        return 0;
      case 'alerts': {
        const agents = values.agent ? [values.agent] : await client.monitoredAgents();
        const statuses = await Promise.all(agents.map((agent) => client.monitorStatus(agent)));
        if (values.format === 'json') print(statuses);
        else {
          for (const status of statuses) {
            out(`${status.agent}: ${status.sessionsObserved} sessions observed, ${status.alerts.length} alert(s)`);
            for (const alert of status.alerts) out(`  ${new Date(alert.atMs).toISOString()} ${alert.detail} (session ${alert.sessionId})`);
          }
          if (statuses.length === 0) out('no behaviour monitor is running');
        }
        return 0;
      }
      case 'approve':
      case 'reject': {
        const requestId = rest[1];
        if (!requestId) throw new UsageError(`keel ${command} SESSION REQUEST_ID --key KEY.json (request ids are in "keel status")`);
        if (command === 'reject' && !values.reason) throw new UsageError('keel reject needs --reason: the model is told why');
        const options = decisionOptions();
        const session = sessionArg(0);
        return await answer(rest[0]!, () =>
          command === 'approve' ? session.approve(requestId, options) : session.reject(requestId, values.reason!, options),
        );
      }
      case 'escalation': {
        const action = rest.shift();
        if (action !== 'resume' && action !== 'abort') throw new UsageError('keel escalation resume|abort SESSION --key KEY.json');
        const extraBudget = { toolCalls: count('tool-calls'), tokens: count('tokens'), elapsedMs: count('elapsed-ms') };
        const options = { ...decisionOptions(), ...(action === 'resume' ? { extraBudget } : {}), ...(values.session ? { sessionId: values.session } : {}) };
        const session = sessionArg(0);
        return await answer(rest[0]!, () => session.resolveEscalation(action, options));
      }
      case 'statement': {
        const decision = rest.shift();
        if (decision !== 'approve' && decision !== 'reject' && decision !== 'resume' && decision !== 'abort') {
          throw new UsageError('keel statement approve|reject SESSION REQUEST_ID --key KEY.json | keel statement resume|abort SESSION --key KEY.json');
        }
        const options = decisionOptions();
        let target: string;
        let statement: string;
        if (decision === 'approve' || decision === 'reject') {
          const requestId = rest[1];
          if (!requestId) throw new UsageError(`keel statement ${decision} SESSION REQUEST_ID --key KEY.json`);
          if (decision === 'reject' && !values.reason) throw new UsageError('keel statement reject needs --reason');
          ({ sessionId: target, statement } = await sessionArg(0).statement(decision, requestId, { ...options, ...(decision === 'reject' ? { note: values.reason! } : {}) }));
        } else {
          ({ sessionId: target, statement } = await sessionArg(0).escalationStatement(decision, { ...options, ...(values.session ? { sessionId: values.session } : {}) }));
        }
        const name = decision === 'approve' || decision === 'reject' ? decision : 'resolveEscalation';
        const input = JSON.stringify({ statement });
        out(input);
        out('');
        out(`send it with: temporal workflow update execute --workflow-id ${target} --name ${name} --input '${input}'`);
        out(`         or: temporal workflow signal --workflow-id ${target} --name ${name} --input '${input}'`);
        return 0;
      }
      case 'replay': {
        const sessionId = rest[0];
        if (!sessionId) throw new UsageError('"keel replay" needs a session id');
        const workflowsPath = values.workflows === undefined ? undefined : resolve(values.workflows);
        if (workflowsPath !== undefined && !existsSync(workflowsPath)) throw new UsageError(`--workflows: no such file "${values.workflows}"`);
        const report = await replaySession(client.temporal, sessionId, workflowsPath ? { workflowsPath } : {}).catch((error: unknown) => {
          throw error instanceof SessionNotFoundError ? new UsageError(error.message) : error;
        });
        if (values.json) print(report);
        else for (const line of formatReplayReport(report, workflowsPath ?? 'the current Keel workflows')) out(line);
        return report.ok ? 0 : 1;
      }
      case 'eval':
        if (rest[0] !== 'schedule') throw new UsageError('keel eval schedule [...] | keel eval run SUITE.ts [...]');
        return await runEvalSchedule(client, values, out);
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await client.close();
    await database?.close();
  }
}
