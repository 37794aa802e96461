/**
 * Many workers, many hosts: three worker processes that share nothing but PostgreSQL and the
 * Temporal server (each in its own empty directory, its own HOME and TMPDIR, its own copies of the
 * approver key file and of the workflow bundle; no KEEL_STORE_DIR, no audit file: Keel's defaults
 * for a worker with a database put content in `keel_content` and the audit in `keel_audit`). 100
 * sessions with a read, a write_reversible and an approved write_critical call each; workers are
 * SIGKILLed at random moments and restarted (in a new empty directory). Every session completes,
 * on whichever worker, with each effect applied and audited exactly once. (Dev server restarts are
 * test/chaos.test.ts's.) Same as `npm run chaos -- --share-nothing --workers 3`.
 */
import { chaosClean, formatChaosReport, runChaos, SHARE_NOTHING_CHAOS_OPTIONS } from '../bench/chaos';
import { testServer } from './support/environment';
import { TEST_DATABASE_URL } from './support/test-database';

test('100 sessions on 3 share-nothing workers under SIGKILLs: all complete, on several workers, every effect and audit entry exactly once, content in PostgreSQL only', async () => {
  const { cliPath, bundlePath } = testServer();
  const report = await runChaos({
    ...SHARE_NOTHING_CHAOS_OPTIONS, // 3 workers, no server restarts, kills 8-20 s after a worker polls
    sessions: 100,
    databaseUrl: TEST_DATABASE_URL,
    cliPath,
    bundlePath,
    log: () => undefined,
  });
  const summary = formatChaosReport(report);
  console.log(summary);
  expect({ clean: chaosClean(report), problems: report.problems }).toEqual({ clean: true, problems: [] });
  expect(report).toMatchObject({
    sessions: 100,
    outcomes: { completed: 100 },
    lost: 0,
    missingEffects: 0,
    duplicateEffects: 0,
    missingAuditEntries: 0,
    missingAuditLogEntries: 0,
    duplicateAuditLogEntries: 0,
    auditEntriesWithoutEffect: 0,
    resultsMissingContent: 0,
    breakerTrips: 0,
    auditLog: 'table',
    shareNothing: true,
    workerFiles: [],
  });
  expect(report.effectsApplied).toBe(200); // a note and a payment per session
  expect(report.contentRowsWritten).toBeGreaterThan(0);
  expect(report.kills).toBeGreaterThanOrEqual(3);
  expect(report.killsDuringWork).toBeGreaterThanOrEqual(1);
  // Sessions were finished by more than one worker, and some moved between workers mid-session.
  expect(Object.keys(report.sessionsByWorker).filter((w) => /^w\d$/.test(w)).length).toBeGreaterThan(1);
  expect(Object.values(report.sessionsByWorker).reduce((a, b) => a + b, 0)).toBe(100);
  expect(report.sessionsOnSeveralWorkers).toBeGreaterThan(0);
}, 420_000);
