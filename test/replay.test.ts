import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { testServer } from './support/environment';
import { defaultPayloadConverter } from '@temporalio/common';
import { sessionEndRecordIn } from '../client/session-end-record';
import { localActivityTypes, scheduledActivityTypes } from './support/history-activities';

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
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testServer().bundlePath }, sinks: keelMetricsSinks(new KeelMetrics()) }, histories)) {
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
