/**
 * The chaos run (bench/chaos.ts, `npm run chaos`) in small: 10 sessions with a read, a
 * write_reversible and an approved write_critical call, worker processes SIGKILLed during work and
 * restarted, one dev server restart (its own server). Nothing may be lost, missing or duplicated.
 */
import { chaosClean, formatChaosReport, runChaos } from '../bench/chaos';
import { testServer } from './support/environment';
import { TEST_DATABASE_URL } from './support/test-database';

test('10 sessions under worker kills and a server restart: nothing lost, no effect missing or applied twice, every effect audited once', async () => {
  const { cliPath, bundlePath } = testServer();
  const report = await runChaos({
    sessions: 10,
    concurrency: 5,
    workers: 2,
    restarts: 1,
    killAfterReadyMs: [3000, 8000],
    sessionTimeoutMs: 240_000,
    databaseUrl: TEST_DATABASE_URL,
    cliPath,
    bundlePath,
    log: () => undefined,
  });
  const summary = formatChaosReport(report);
  if (!chaosClean(report)) console.log(summary);
  expect({ clean: chaosClean(report), summary }).toEqual({ clean: true, summary });
  expect(report).toMatchObject({ lost: 0, missingEffects: 0, duplicateEffects: 0, missingAuditEntries: 0, missingAuditLogEntries: 0, duplicateAuditLogEntries: 0, breakerTrips: 0 });
  expect(report.effectsApplied).toBe(20);
  expect(report.serverRestarts).toBe(1);
  expect(report.kills).toBeGreaterThanOrEqual(2);
  expect(report.killsDuringWork).toBeGreaterThanOrEqual(1);
}, 600_000);
