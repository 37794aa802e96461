export { logAlertSink, metricAlertSink, webhookAlertSink, type AlertSink, type DeliveredAlert } from './alert-sinks';
