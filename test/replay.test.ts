import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { testServer } from './support/environment';

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
