import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApproverKey, readApproverKey, trustApproverKey, writeApproverKey, type ApproverKeyFile } from './approver-key';
import type { OrchestrationRequestInput, PipelineSpecInput } from '../core/orchestration';
import { contentStoreFromEnv, PostgresDatabase, TraceStore } from '../store';
import { formatTrace, TRACE_FORMATS, type TraceFormat } from './trace-export';
import { DecisionRefusedError, InvalidSessionRequestError, KeelClient, type DecisionOptions } from './keel-client';
import { guardScanLine, parseScanPolicy } from './guard-scan';
import { UsageError } from './usage-error';
import { commandHelp, overview } from './cli-help';
import { readRequestFile, requestFromFlags, watchSession } from './cli-session';
import { runEvalSchedule, runReview } from './evaluation-commands';
import { runRollout } from './rollout-command';

/** Usage of the `keel` command line (every command; `keel help COMMAND` for one). */
export const USAGE = overview();

export { UsageError } from './usage-error';

/** What node's argument parser says, in the command line's words. */
function describeParseError(error: Error): string {
  const ambiguous = /'(--[a-z-]+)' argument is ambiguous/.exec(error.message) ?? /option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(error.message);
  if (ambiguous) return `${ambiguous[1]}: a value that starts with "-" needs "=" (${ambiguous[1]}=-5)`;
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `unknown option ${unknown[1]}; "keel help COMMAND" lists a command's options`;
  return error.message.replace(/\. To specify.*$/s, '');
}

/** Parsed command-line values, as the commands see them. */
export type CliValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Commands that need the worker side (the replay worker, the bundler, in-process workers). The
 * client never loads it; the `keel` executable (tooling/) passes these in.
 */
export interface WorkerSideCommands {
  replay?(rest: string[], values: CliValues, client: KeelClient, out: (line: string) => void): Promise<number>;
  evalRun?(rest: string[], values: CliValues, out: (line: string) => void): Promise<number>;
}

const WORKER_SIDE_ONLY = (command: string) => `"keel ${command}" runs the worker side: use the keel executable (npx keel ${command} …), not the client library's runCli`;

/** Runs the `keel` command line with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], out: (line: string) => void = console.log, worker?: WorkerSideCommands): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
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
      debug: { type: 'boolean' },
      request: { type: 'string' },
      'max-tool-calls': { type: 'string' },
      'max-tokens': { type: 'string' },
      'max-elapsed-ms': { type: 'string' },
      'approval-timeout-ms': { type: 'string' },
      'escalation-timeout-ms': { type: 'string' },
      model: { type: 'string' },
      deployment: { type: 'string' },
      'build-id': { type: 'string' },
      percentage: { type: 'string' },
      'allow-no-pollers': { type: 'boolean' },
      stop: { type: 'boolean' },
    },
  });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command) {
    if (values.help) {
      out(USAGE);
      return 0;
    }
    out(USAGE);
    return 2;
  }
  if (command === 'help' || values.help) {
    const topic = command === 'help' ? rest[0] : command;
    if (!topic) {
      out(USAGE);
      return 0;
    }
    const help = commandHelp(topic);
    if (!help) throw new UsageError(`unknown command "${topic}"; "keel help" lists them`);
    out(help);
    return 0;
  }
  if (!commandHelp(command)) throw new UsageError(`unknown command "${command}"; "keel help" lists them`);
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
  if (command === 'eval' && rest[0] === 'run') {
    if (!worker?.evalRun) throw new UsageError(WORKER_SIDE_ONLY('eval run'));
    return worker.evalRun(rest.slice(1), values, out);
  }
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
  // Usage errors of `start` before anything connects.
  const startRequest = command === 'start' ? requestFromFlags(values, values.request ? readRequestFile(resolve(values.request)) : {}) : undefined;
  const databaseUrl = values.database ?? process.env.KEEL_DATABASE_URL;
  const database = databaseUrl ? new PostgresDatabase(databaseUrl, { max: 1 }) : undefined;
  const client = await KeelClient.connect({
    ...(values.address ? { address: values.address } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values['task-queue'] ? { taskQueue: values['task-queue'] } : {}),
    // The workers' content store, chosen as the worker entry chooses it: KEEL_CONTENT_STORE (s3, postgres,
    // file), else files at KEEL_STORE_DIR, else the database's when there is one, else .keel/content.
    store: contentStoreFromEnv(process.env, database),
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
        const session = await client.startSession(startRequest!, values['session-id'] ? { sessionId: values['session-id'] } : {}).catch((error: unknown) => {
          throw error instanceof InvalidSessionRequestError ? new UsageError(error.message) : error;
        });
        out(`started ${session.sessionId}`);
        if (values.wait) {
          await watchSession(session, out);
          print(await session.result());
        }
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
      case 'rollout':
        return await runRollout(client.temporal, rest, values, out);
      case 'replay': {
        if (!worker?.replay) throw new UsageError(WORKER_SIDE_ONLY('replay'));
        return await worker.replay(rest, values, client, out);
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
