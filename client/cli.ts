import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResolveEscalation } from '../core/session';
import { defaultFileContentStore, PostgresDatabase, TraceStore } from '../store';
import { formatTrace, TRACE_FORMATS, type TraceFormat } from './trace-export';
import { KeelClient } from './keel-client';
import { formatReplayReport, replaySession, SessionNotFoundError } from './session-replay';

/** Usage of the `keel` command line. */
export const USAGE = `keel — agent sessions on Temporal

  keel start --agent NAME --tenant T [--subject S ...] --input TEXT [--approver A ...] [--session-id ID] [--wait]
  keel status SESSION            state, usage against limits, pending escalation
  keel trace SESSION [--format json|jsonl|otlp-json]
                                 every model call, tool call and decision; finished sessions come
                                 from the trace store (KEEL_DATABASE_URL or --database) when it has them
  keel result SESSION            wait for the session's result (JSON)
  keel alerts [--agent A]        drift alerts of the agents' behaviour monitors
  keel approve SESSION REQUEST_ID --approver A [--role R ...] [--note TEXT]
  keel reject SESSION REQUEST_ID --approver A [--role R ...] --reason TEXT
  keel escalation resume SESSION --approver A [--tool-calls N] [--tokens N] [--elapsed-ms N] [--note TEXT]
  keel escalation abort SESSION --approver A [--note TEXT]
  keel replay SESSION [--workflows PATH] [--json]
                                 replay every run of the session against the current workflow code
                                 (or the workflows module at PATH); exit 0 if all replay, 1 if not

Connection: Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, profiles);
--address and --namespace override it, --task-queue (default keel).`;

/** A command line that cannot be run as given. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command ? 0 : 2;
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
        const approver = values.approver?.[0];
        if (!requestId) throw new UsageError(`keel ${command} SESSION REQUEST_ID --approver A (request ids are in "keel status")`);
        if (!approver) throw new UsageError('--approver is required: the trace records who decided');
        const roles = values.role ? { roles: values.role } : {};
        if (command === 'approve') {
          await sessionArg(0).approve({ requestId, approver, ...roles, ...(values.note ? { note: values.note } : {}) });
        } else {
          if (!values.reason) throw new UsageError('keel reject needs --reason: the model is told why');
          await sessionArg(0).reject({ requestId, approver, ...roles, reason: values.reason });
        }
        out(`sent ${command} of ${requestId} to ${rest[0]}`);
        return 0;
      }
      case 'escalation': {
        const action = rest.shift();
        if (action !== 'resume' && action !== 'abort') throw new UsageError('keel escalation resume|abort SESSION --approver A');
        const approver = values.approver?.[0];
        if (!approver) throw new UsageError('--approver is required: the trace records who decided');
        const extraBudget = { toolCalls: count('tool-calls'), tokens: count('tokens'), elapsedMs: count('elapsed-ms') };
        const decision: ResolveEscalation = {
          approver,
          ...(values.role ? { roles: values.role } : {}),
          action,
          ...(action === 'resume' ? { extraBudget } : {}),
          ...(values.note ? { note: values.note } : {}),
        };
        await sessionArg(0).resolveEscalation(decision);
        out(`sent ${action} to ${rest[0]}`);
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
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await client.close();
    await database?.close();
  }
}
