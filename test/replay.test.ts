import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { testServer } from './support/environment';
import { defaultPayloadConverter } from '@temporalio/common';
import { sessionEndRecordIn } from '../client/session-end-record';
import { localActivityTypes, scheduledActivityTypes } from './support/history-activities';
import { withQueryForcedTasks } from './support/query-forced-tasks';

// Histories recorded from earlier versions of the scenarios (KEEL_RECORD_HISTORIES=$PWD/test/fixtures/histories npm test):
// today's workflow code must replay every one of them, or a deploy would break running sessions.
const dir = join(__dirname, 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.pb')).sort();

test('every recorded session history replays on the current workflow code', async () => {
  expect(files.length).toBeGreaterThanOrEqual(10);
  const histories = files.map((file) => ({
    // `name@@<workflow id>.runN.pb` keeps the real id (orchestrations derive their children's ids from it).
    workflowId: /@@(.+)\.run\d+\.pb$/.exec(file)?.[1] ?? file.replace(/\.run\d+\.pb$/, ''),
    history: temporal.api.history.v1.History.decode(readFileSync(join(dir, file))),
  }));
  // Sessions recorded since the baseline patch also replay as a query race would have recorded them.
  const raced = histories
    .filter((h, i) => files[i]!.startsWith('session-baseline-'))
    .map((h) => ({ workflowId: h.workflowId, history: withQueryForcedTasks(h.history).history }));
  expect(raced.length).toBeGreaterThanOrEqual(5);
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testServer().bundlePath }, sinks: keelMetricsSinks(new KeelMetrics()) }, [...histories, ...raced])) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});

test('a finished session’s record of its end reads from its history, before and since bookkeeping became local', () => {
  const converter = defaultPayloadConverter;
  const read = (file: string) => sessionEndRecordIn(temporal.api.history.v1.History.decode(readFileSync(join(dir, file))).events ?? [], converter);
  // Recorded when `recordSessionEnd` was a scheduled activity (before `local-bookkeeping`).
  const legacy = files.find((f) => f.startsWith('periodic-key-refresh-a-write-critical-call-waits'))!;
  const local = files.find((f) => f.startsWith('local-bookkeeping-a-session-with-several-tool-calls'))!;
  for (const file of [legacy, local]) {
    const record = read(file);
    expect(record).toMatchObject({ outcome: 'completed', agent: expect.any(String), tenant: expect.any(String) });
    expect(record!.events.length).toBeGreaterThan(3);
  }
  // The legacy history scheduled the activity; the new one recorded it as a local activity only.
  const events = (file: string) => temporal.api.history.v1.History.decode(readFileSync(join(dir, file))).events ?? [];
  expect(scheduledActivityTypes(events(legacy))).toContain('recordSessionEnd');
  expect(scheduledActivityTypes(events(local))).not.toContain('recordSessionEnd');
  expect(localActivityTypes(events(local))).toContain('recordSessionEnd');
  // A session that has not ended has none.
  const waiting = events(local).slice(0, 5);
  expect(sessionEndRecordIn(waiting, converter)).toBeUndefined();
});

test('a query answered while a local activity ran: a history recorded so fails to replay on the patch asked after the activity, and the same race made from a clean history fails the same way', async () => {
  const replay = (history: temporal.api.history.v1.IHistory, workflowId: string) =>
    Worker.runReplayHistory({ workflowBundle: { codePath: testServer().bundlePath }, sinks: keelMetricsSinks(new KeelMetrics()) }, history, workflowId);
  const decode = (path: string) => temporal.api.history.v1.History.decode(readFileSync(path));
  const failure = /Non-deprecated patch marker encountered for change record-session-end, but there is no corresponding change command/;
  // Recorded under load (two suites and a busy loop per core) before the baseline patch: a status
  // query came with the task that ran the final-answer guardrails as a local activity; the task
  // completed with its marker and the session's end ran in a forced new task.
  const real = join(__dirname, 'fixtures', 'query-race', 'scope-session-5f4a6d43-a986-4020-b300-33ced1a65426.pb');
  await expect(replay(decode(real), 'session-5f4a6d43-a986-4020-b300-33ced1a65426')).rejects.toThrow(failure);
  // A history of the same code without the race replays; with the task a query would have forced after the guardrails, it fails as the real one.
  const file = files.find((f) => f.startsWith('local-bookkeeping-a-session-with-several-tool-calls'))!;
  const workflowId = /@@(.+)\.run\d+\.pb$/.exec(file)![1]!;
  const clean = decode(join(dir, file));
  await replay(clean, workflowId);
  const raced = withQueryForcedTasks(clean, { types: ['checkFinalAnswer'] });
  expect(raced.forced).toBe(1);
  expect(raced.history.events!.length).toBe(clean.events!.length + 3);
  await expect(replay(raced.history, workflowId)).rejects.toThrow(failure);
  // The record of the end, the one local activity since the baseline, is followed by nothing but the
  // workflow's completion: a task forced after it replays even on that code.
  await replay(withQueryForcedTasks(clean, { types: ['recordSessionEnd'] }).history, workflowId);
});
