import {
  createDriftState,
  DEFAULT_DRIFT_OPTIONS,
  DriftOptionsError,
  observeSession,
  type DriftAlert,
  type DriftState,
  type SessionSummary,
} from '../core/drift-detector';
import { generateChange, generateSessions } from '../bench/drift-detection';

/** Feeds `sessions` to `state` and returns every alert, in order. */
function observeAll(state: DriftState, sessions: readonly SessionSummary[]): DriftAlert[] {
  return sessions.flatMap((summary) => observeSession(state, summary));
}

/** The first alert that `state` raises on `metrics` going up, with its delay after session `changeAt`. */
function firstUpAlert(sessions: readonly SessionSummary[], changeAt: number, metrics: readonly string[]) {
  const state = createDriftState();
  const alerts = observeAll(state, sessions);
  const before = alerts.filter((a) => a.session <= changeAt);
  const detection = alerts.find((a) => a.session > changeAt && metrics.includes(a.metric) && a.direction === 'up');
  return { before, detection, delay: detection ? detection.session - changeAt : null };
}

describe('drift detector', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('a model 40%% more verbose after 200 sessions is detected within 30 sessions (seed %i)', (seed) => {
    const { before, detection, delay } = firstUpAlert(generateChange(seed, 200, 60, { tokensScale: 1.4 }), 200, ['tokens', 'costUsd']);
    expect(before).toEqual([]);
    expect(detection).toBeDefined();
    expect(delay).toBeLessThanOrEqual(30);
    expect(detection!.changeRatio).toBeGreaterThan(0.2);
    expect(detection!.since).toBeGreaterThan(170);
    expect(detection!.detail).toMatch(/up \+\d+%/);
  });

  test.each([11, 12, 13])('1000 sessions of stable, noisy data raise nothing (seed %i)', (seed) => {
    expect(observeAll(createDriftState(), generateSessions(seed, 1000))).toEqual([]);
  });

  test('a single huge outlier on every metric at once raises nothing', () => {
    const sessions = generateSessions(21, 400);
    const wild: SessionSummary = { outcome: 'failed', toolCalls: 500, tokens: 50_000_000, costUsd: 200, latencyMs: 3_600_000, toolErrors: 500 };
    const tiny: SessionSummary = { outcome: 'failed', toolCalls: 0, tokens: 0, costUsd: 0, latencyMs: 0, toolErrors: 0 };
    expect(observeAll(createDriftState(), [...sessions.slice(0, 250), wild, ...sessions.slice(250)])).toEqual([]);
    expect(observeAll(createDriftState(), [...sessions.slice(0, 250), tiny, ...sessions.slice(250)])).toEqual([]);
  });

  test('an alert is raised once per change: the metric is re-baselined on its new level', () => {
    const state = createDriftState();
    const alerts = observeAll(state, generateChange(2, 200, 400, { tokensScale: 1.4 }));
    const tokenAlerts = alerts.filter((a) => a.metric === 'tokens');
    expect(tokenAlerts).toHaveLength(1);
    expect(tokenAlerts[0]).toMatchObject({ direction: 'up' });
    // A return to the old level is a change too, and is reported.
    const back = observeAll(state, generateSessions(3, 200));
    expect(back.filter((a) => a.metric === 'tokens').map((a) => a.direction)).toEqual(['down']);
  });

  test('more tool calls raise the toolCalls alert, not a tokens one: tokens are judged against the workload', () => {
    const alerts = observeAll(createDriftState(), generateChange(4, 200, 300, { toolCallsMean: 10 }));
    expect(alerts.some((a) => a.metric === 'toolCalls' && a.direction === 'up')).toBe(true);
    expect(alerts.filter((a) => a.metric === 'tokens' || a.metric === 'costUsd')).toEqual([]);
    // Without the adjustment the same sessions' raw tokens rise with the work and alert.
    const raw = observeAll(createDriftState({ adjustForWork: false }), generateChange(4, 200, 300, { toolCallsMean: 10 }));
    expect(raw.some((a) => a.metric === 'tokens' && a.direction === 'up')).toBe(true);
  });

  test('a state made before work adjustment keeps judging raw values; upgraded, it pads its workloads and goes on', () => {
    const sessions = generateChange(5, 200, 60, { tokensScale: 1.4 });
    const old = createDriftState();
    delete (old.options as { adjustForWork?: boolean }).adjustForWork;
    const oldAlerts = observeAll(old, sessions.slice(0, 150));
    expect(oldAlerts).toEqual([]);
    expect(old.metrics.tokens.baselineWork).toBeUndefined();
    old.options.adjustForWork = true;
    const later = observeAll(old, sessions.slice(150));
    expect(old.metrics.tokens.baselineWork).toHaveLength(old.metrics.tokens.baseline.length);
    expect(old.metrics.tokens.pendingWork).toHaveLength(old.metrics.tokens.pending.length);
    const detection = later.find((a) => a.metric === 'tokens' && a.direction === 'up');
    expect(detection).toBeDefined();
    expect(detection!.session - 200).toBeLessThanOrEqual(30);
  });

  test('a drop in success rate from 97% to 85% after a long baseline is detected', () => {
    const alerts = observeAll(createDriftState(), generateChange(4, 1000, 300, { successRate: 0.85 }));
    expect(alerts.filter((a) => a.session <= 1000)).toEqual([]);
    const drop = alerts.find((a) => a.metric === 'successRate');
    expect(drop).toMatchObject({ direction: 'down' });
    expect(drop!.current).toBeLessThan(drop!.baseline);
  });

  test('state survives a JSON round trip mid-stream: same alerts, same final state', () => {
    const sessions = generateChange(6, 300, 300, { tokensScale: 1.5, toolCallsMean: 8 });
    const straight = createDriftState();
    const expected = observeAll(straight, sessions);
    expect(expected.length).toBeGreaterThan(0);
    for (const cut of [120, 310, 330]) {
      const first = createDriftState();
      const alerts = observeAll(first, sessions.slice(0, cut));
      const resumed = JSON.parse(JSON.stringify(first)) as DriftState;
      alerts.push(...observeAll(resumed, sessions.slice(cut)));
      expect(alerts).toEqual(expected);
      expect(JSON.stringify(resumed)).toBe(JSON.stringify(straight));
    }
  });

  test('state size stays bounded over 10 000 sessions', () => {
    const state = createDriftState();
    const sessions = generateChange(8, 5000, 5000, { tokensScale: 1.5, successRate: 0.9 });
    observeAll(state, sessions.slice(0, 1000));
    const at1000 = JSON.stringify(state).length;
    observeAll(state, sessions.slice(1000));
    const bytes = JSON.stringify(state).length;
    const o = DEFAULT_DRIFT_OPTIONS;
    for (const metric of ['toolCalls', 'tokens', 'costUsd', 'latencyMs'] as const) {
      expect(state.metrics[metric].baseline.length).toBeLessThanOrEqual(o.baselineWindow);
      expect(state.metrics[metric].pending.length).toBeLessThanOrEqual(5 * o.quarantine);
    }
    for (const metric of ['errorRate', 'successRate'] as const) expect(state.metrics[metric].recent.length).toBeLessThanOrEqual(o.rateWindow);
    expect(bytes).toBeLessThan(25_000);
    expect(bytes).toBeLessThan(1.5 * at1000);
  });

  test('malformed values are skipped for their metric, never thrown', () => {
    const state = createDriftState();
    observeAll(state, generateSessions(9, 100));
    const bad = { outcome: 'completed', toolCalls: Number.NaN, tokens: -1, costUsd: Number.POSITIVE_INFINITY, latencyMs: 1000, toolErrors: 3 };
    expect(observeSession(state, bad)).toEqual([]);
    expect(state.sessions).toBe(101);
    expect(JSON.stringify(state)).not.toMatch(/null|NaN|Infinity/);
  });

  describe('options', () => {
    test('defaults are spelled out and resolved into the state', () => {
      expect(createDriftState().options).toEqual(DEFAULT_DRIFT_OPTIONS);
      expect(createDriftState({ warmup: 80 }).options).toMatchObject({ warmup: 80, threshold: DEFAULT_DRIFT_OPTIONS.threshold });
    });

    test.each([
      [{ threshold: -1 }, /threshold/],
      [{ threshold: 4, clip: 3 }, /threshold: must exceed clip²\/2/],
      [{ warmup: 300 }, /warmup/],
      [{ relativeChange: 0 }, /relativeChange/],
      [{ quarantine: 2.5 }, /quarantine/],
      [{ rateWindow: Number.NaN }, /rateWindow/],
      [{ treshold: 10 } as object, /treshold/],
    ])('%j is refused with an error that names the option', (options, message) => {
      expect(() => createDriftState(options)).toThrow(DriftOptionsError);
      expect(() => createDriftState(options)).toThrow(message);
    });
  });
});
