/** Help of the `keel` command line: one entry per command, and the overview built from them. */

const CONNECTION = `Connection: Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TLS, profiles in temporal.toml); --address and --namespace override it. Task queue: --task-queue, else
KEEL_TASK_QUEUE, else "keel". Add --debug to any command to see stack traces.`;

/** Each command's usage, with what it does. */
export const COMMAND_HELP: Record<string, string> = {
  start: `keel start --agent NAME --tenant T [--subject S ...] --input TEXT [--approver A ...] [--session-id ID]
           [--max-tool-calls N] [--max-tokens N] [--max-elapsed-ms N] [--approval-timeout-ms N]
           [--escalation-timeout-ms N] [--model M] [--wait]
keel start --request REQUEST.json [--session-id ID] [--wait]
  Starts a session. --request takes a whole SessionRequest as JSON (flags given beside it override
  its fields); --approver is an identity or role:NAME. With --wait, prints each state change and
  every pending approval with the command that decides it, then the result.`,
  status: `keel status SESSION
  State, usage against limits, pending approvals and escalation (JSON).`,
  trace: `keel trace SESSION [--format json|jsonl|otlp-json] [--database URL]
  Every model call, tool call and decision. A finished session's trace comes from the trace store
  (KEEL_DATABASE_URL or --database; else the embedded database the demo and workers use), a running
  one's from its workers; without either, from the workflow history.`,
  result: `keel result SESSION
  Waits for the session's result (JSON).`,
  alerts: `keel alerts [--agent A] [--format json]
  Drift alerts of the agents' behaviour monitors.`,
  supervise: `keel supervise --coordinator AGENT --assembler AGENT --tenant T [--subject S ...] --input TEXT [--approver A ...] [--wait]
  A supervisor orchestration: the coordinator plans, specialists run as child sessions.`,
  pipeline: `keel pipeline --file DAG.json --tenant T [--subject S ...] --input TEXT [--approver A ...] [--wait]
  A pipeline orchestration: the DAG of agents in DAG.json ({ "nodes": [...], "output": "node" }).`,
  debate: `keel debate --debater AGENT --debater AGENT [...] --judge AGENT --tenant T --input TEXT [--approver A ...] [--wait]
  A debate orchestration: debaters in parallel, the judge writes the consensus.`,
  approve: `keel approve SESSION REQUEST_ID --key KEY.json [--role R ...] [--note TEXT] [--signal]
  Approves a pending write_critical call with a statement signed by your key (or KEEL_APPROVER_KEY).
  The session answers at once: exit 0 when accepted, 1 with the reason when refused. Request ids are
  in "keel status"; an orchestration's child requests are found there too.`,
  reject: `keel reject SESSION REQUEST_ID --key KEY.json [--role R ...] --reason TEXT [--signal]
  Rejects a pending write_critical call; the model is told the reason. Exit 1 when refused.`,
  escalation: `keel escalation resume SESSION --key KEY.json [--tool-calls N] [--tokens N] [--elapsed-ms N] [--note TEXT] [--session CHILD]
keel escalation abort SESSION --key KEY.json [--note TEXT] [--session CHILD]
  Resolves a tripped breaker (resume with extra budget, or abort). Exit 1 when refused.`,
  statement: `keel statement approve|reject SESSION REQUEST_ID --key KEY.json [--reason TEXT]
keel statement resume|abort SESSION --key KEY.json [--session CHILD]
  Prints a signed statement and the "temporal workflow update/signal" commands that send it.`,
  keys: `keel keys create --kid ID (--identity A | --issuer) [--role R ...] --tenant T --out KEY.json [--trust TRUSTED.json]
  Makes an approver's Ed25519 key pair: the private key file (mode 600, yours alone) and the public
  entry the workers trust (added to TRUSTED.json, the workers' KEEL_APPROVER_KEYS, or printed).`,
  guard: `keel guard scan [--file PATH] [--policy JSON]
  Runs the guardrail detectors on JSON lines {"text", "kind": "tool_output"|"final_answer"} (stdin
  unless --file); one verdict per line, in input order.`,
  replay: `keel replay SESSION [--workflows PATH] [--json]
  Replays every run of the session against the current workflow code (or the module at PATH);
  exit 0 if all replay, 1 if not.`,
  eval: `keel eval schedule [--every 1h] [--rate 0.1] [--min-per-stratum N] [--max-sessions N] [--agent A,B]
                   [--seed S] [--judge-model M] [--rubric FILE.json] [--schedule-id ID] [--trigger [--wait] [--json]]
  Creates or updates the Temporal Schedule of the online evaluation; --trigger runs it once now.
keel eval run SUITE.ts [--baseline NAME] [--candidate NAME] [--json] [--dev-server] [--workflow-bundle PATH]
  The regression gate: the suite's scenarios under two configurations; exit 1 on a regression.`,
  review: `keel review list [--status open|resolved|all] [--agent A] [--limit N] [--json]
keel review show SESSION [--json]
keel review resolve SESSION --decision confirmed|overruled --reviewer A [--note TEXT]
  The human review queue of low judge scores (KEEL_DATABASE_URL or --database).`,
  rollout: `keel rollout status [--deployment NAME] [--json]
keel rollout set-current --deployment NAME --build-id B [--allow-no-pollers]
keel rollout ramp --deployment NAME --build-id B --percentage P [--allow-no-pollers]
keel rollout ramp --deployment NAME --stop
  Which build of a worker deployment (workers with KEEL_DEPLOYMENT_NAME and KEEL_BUILD_ID) new
  sessions start on: the current build, and P% of them on a ramping build. Running sessions stay on
  the build they started on; status shows each build and how many workflows still run on it.
  --deployment defaults to KEEL_DEPLOYMENT_NAME. Exit 1 when Temporal refuses (the message says why).
  Runbook: docs/production/rollout.md.`,
  help: `keel help [COMMAND]
  This overview, or one command's help (also: keel COMMAND --help).`,
};

/** The overview: every command's first line. */
export function overview(): string {
  const lines = Object.values(COMMAND_HELP).flatMap((help) => help.split('\n').filter((l) => l.startsWith('keel ')));
  return `keel — agent sessions on Temporal\n\n${lines.map((l) => `  ${l}`).join('\n')}\n\nkeel help COMMAND for details.\n\n${CONNECTION}`;
}

/** One command's help, with the connection settings. */
export function commandHelp(command: string): string | undefined {
  const help = COMMAND_HELP[command];
  return help ? `${help}\n\n${CONNECTION}` : undefined;
}
