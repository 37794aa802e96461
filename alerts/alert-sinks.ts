import type { DriftAlert } from '../core/drift-detector';
import type { ScoreDriftAlert } from '../core/evaluation/score-drift';
import type { KeelMetrics } from '../metrics/keel-metrics';

/** An alert as the monitor delivers it: the drift (of behaviour, or of judge scores), the agent, and the session that raised it. */
export type DeliveredAlert = (DriftAlert | ScoreDriftAlert) & { sessionId: string; atMs: number };

/** Where drift alerts go. A sink that throws makes the delivery retry (Temporal's retry policy). */
export interface AlertSink {
  readonly name: string;
  deliver(agent: string, alert: DeliveredAlert): Promise<void>;
}

/** Writes each alert as one JSON line on stderr. */
export const logAlertSink: AlertSink = {
  name: 'log',
  async deliver(agent, alert) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'keel drift alert', agent, ...alert }));
  },
};

/** Counts alerts in `keel_drift_alerts_total{agent, metric, direction}`. */
export function metricAlertSink(metrics: KeelMetrics): AlertSink {
  return {
    name: 'metric',
    async deliver(agent, alert) {
      metrics.driftAlerts.inc({ agent, metric: alert.metric, direction: alert.direction });
    },
  };
}

/** POSTs each alert as JSON to `url`; an answer other than 2xx fails the delivery, which is retried. */
export function webhookAlertSink(url: string, options: { timeoutMs?: number } = {}): AlertSink {
  return {
    name: `webhook ${url}`,
    async deliver(agent, alert) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent, ...alert }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`alert webhook ${url} answered ${response.status}`);
    },
  };
}
