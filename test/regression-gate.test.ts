import { join } from 'node:path';
import { runKeelCli as runCli } from '../tooling/cli';
import { defineEvaluationSuite, SuiteDefinitionError } from '../evaluation/suite';
import { testServer } from './support/environment';

const SUITE = join(__dirname, '..', 'evaluation', 'suites', 'order-desk.ts');

async function gate(...args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCli(['eval', 'run', SUITE, ...args, '--address', testServer().address, '--workflow-bundle', testServer().bundlePath], (l) => lines.push(l));
  return { code, lines };
}

test('keel eval run passes an equal configuration, printing both side by side', async () => {
  const { code, lines } = await gate();
  const table = lines.slice(lines.findIndex((l) => l.startsWith('suite order-desk')));
  expect(table[0]).toBe('suite order-desk: current (claude-sonnet-5-5, prompt v1) vs candidate (claude-sonnet-5-5, prompt v2)');
  for (const scenario of ['order-status', 'refund-damaged', 'no-refund-after-window', 'triage-billing']) {
    expect(table.find((l) => l.startsWith(scenario))).toMatch(new RegExp(`^${scenario}\\s+pass.*\\s+pass.*\\s+ok$`));
  }
  expect(table.find((l) => l.startsWith('total'))).toMatch(/^total\s+4\/4 1\.00 \$\S+\s+4\/4 1\.00 \$\S+\s+ok$/);
  expect(table.at(-1)).toBe('no regression: candidate may ship');
  expect(code).toBe(0);
});

test('keel eval run fails a deliberately worse configuration with exit code 1, naming each regression', async () => {
  const { code, lines } = await gate('--candidate', 'degraded', '--json');
  expect(code).toBe(1);
  const report = JSON.parse(lines.join('\n')) as { comparison: { ok: boolean; regressions: string[]; rows: Array<{ scenario: string; verdict: string }> } };
  expect(report.comparison.ok).toBe(false);
  expect(Object.fromEntries(report.comparison.rows.map((r) => [r.scenario, r.verdict]))).toEqual({
    'order-status': 'regressed',
    'refund-damaged': 'ok',
    'no-refund-after-window': 'regressed',
    'triage-billing': 'regressed',
  });
  expect(report.comparison.regressions).toEqual([
    expect.stringContaining('order-status: passes on the baseline, fails on the candidate (get_order must be called; answer must contain "shipped"; judge score 0.75 must be at least 0.8)'),
    expect.stringContaining('no-refund-after-window: passes on the baseline, fails on the candidate'),
    expect.stringContaining('triage-billing: passes on the baseline, fails on the candidate (category must be "billing", got "shipping")'),
    expect.stringContaining('mean judge score'),
  ]);
});

test('a suite that cannot run is refused before anything starts, naming the field', async () => {
  const base = { name: 'x', configurations: { a: () => ({ agents: [], model: { endpoint: {} } }), b: () => ({ agents: [], model: { endpoint: {} } }) } };
  expect(() => defineEvaluationSuite({ ...base, scenarios: [{ name: 's', agent: 'a', input: 'i', expect: { minJudgeScore: 0.5 } }] })).toThrow(
    'suite "x": scenarios[0].expect.minJudgeScore: needs the suite\'s judge',
  );
  expect(() => defineEvaluationSuite({ ...base, scenarios: [{ name: 's', agent: 'a', input: 'i', expect: { outcome: 'done' as 'completed' } }] })).toThrow(SuiteDefinitionError);
  expect(() => defineEvaluationSuite({ ...base, scenarios: [{ name: 's', agent: 'a', input: 'i' }], compare: { baseline: 'a', candidate: 'c' } })).toThrow('compare.candidate: no configuration "c"');
  await expect(gate('--candidate', 'nope')).rejects.toThrow('suite "order-desk" has no configuration "nope"; it has: current, candidate, degraded');
  await expect(runCli(['eval', 'run', 'no/such/suite.ts', '--address', testServer().address])).rejects.toThrow('no suite module at no/such/suite.ts');
});
