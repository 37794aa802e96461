import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Keel's Prometheus alert rules (alerts/keel-rules.yml), checked and unit-tested by promtool
// (Debian's package `prometheus`), and their runbooks. Needs no Temporal: also runs with
// `npx jest -c test/support/pure.jest.config.js test/alert-rules.test.ts`.
const root = join(__dirname, '..');
const rulesPath = join(root, 'alerts', 'keel-rules.yml');
const testsPath = join(root, 'alerts', 'keel-rules.test.yml');

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}
const rules = (parse(readFileSync(rulesPath, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool did not run (${run.error.message}): apt-get install -y prometheus`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('promtool accepts the rules', () => {
  const checked = promtool('check', 'rules', rulesPath);
  expect([checked.status, checked.output]).toEqual([0, expect.stringContaining(`SUCCESS: ${rules.length} rules found`)]);
});

test('promtool rule tests pass: every alert fires on its series and stays quiet on the others', () => {
  const tested = promtool('test', 'rules', testsPath);
  expect([tested.status, tested.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
});

test('every alert has a firing case and a quiet case in the rule tests', () => {
  const cases = (parse(readFileSync(testsPath, 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests.flatMap(
    (t) => t.alert_rule_test,
  );
  for (const { alert } of rules) {
    const mine = cases.filter((c) => c.alertname === alert);
    expect([alert, mine.some((c) => c.exp_alerts.length > 0), mine.some((c) => c.exp_alerts.length === 0)]).toEqual([alert, true, true]);
  }
});

test('the alerts cover what operators asked for', () => {
  const exprs = rules.map((r) => r.expr).join('\n');
  for (const series of [
    'keel_breaker_trips_total',
    'keel_sessions_waiting{state="awaiting_approval"}',
    'keel_sessions_waiting_oldest_age_seconds',
    'keel_drift_alerts_total',
    'keel_guardrail_verdicts_total{action="block"}',
    'up{job="keel-workers"}',
    'keel_worker_process_start_time_seconds',
    'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
    'temporal_activity_schedule_to_start_latency_seconds_bucket',
  ])
    expect(exprs).toContain(series);
});

test('each alert links its runbook, which says what it means, how to look and what to do', () => {
  for (const { alert, annotations } of rules) {
    expect([alert, annotations.runbook_url]).toEqual([alert, `docs/runbooks/${alert}.md`]);
    const path = join(root, annotations.runbook_url!);
    expect([path, existsSync(path)]).toEqual([path, true]);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(`# ${alert}`)).toBe(true);
    for (const section of ['## What it means', '## How to look', '## What to do']) expect([alert, text.includes(section)]).toEqual([alert, true]);
  }
});

test('the runbooks index links every runbook that exists, and every link in a runbook resolves', () => {
  const dir = join(root, 'docs', 'runbooks');
  const index = readFileSync(join(dir, 'README.md'), 'utf8');
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  for (const file of files) expect([file, index.includes(`(${file})`)]).toEqual([file, true]);
  for (const file of [...files, 'README.md']) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#:]+\.md)(?:#[^)]*)?\)/g)) {
      const resolved = join(dir, target!);
      expect([file, target, existsSync(resolved)]).toEqual([file, target, true]);
    }
  }
});
