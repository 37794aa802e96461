import type { InjectedSinks } from '@temporalio/worker';
import type { KeelMetricsSinks } from '../workflows/api';
import type { KeelMetrics } from './keel-metrics';

/** The worker side of the workflow's metrics sink (not called during replay). */
export function keelMetricsSinks(metrics: KeelMetrics): InjectedSinks<KeelMetricsSinks> {
  return { keelMetrics: { record: { fn: (_info, event) => metrics.record(event) } } };
}
