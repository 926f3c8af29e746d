import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'Feedback';

/**
 * CloudWatch metrics in Embedded Metric Format, written by Powertools straight to stdout: unlike a log line, a
 * metric survives any log level, and so does every alarm on it. Names are past-tense events (`AppreciationSent`).
 *
 * Each metric is written when emitted (a single metric), so no handler has to flush, a timed-out invocation loses
 * none, and dimensions are per call (`campaignId`). Powertools' default `service` dimension is cleared: a metric is
 * identified by its name and exactly the dimensions given here, which is what the alarms in lib/constructs match.
 */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, singleMetric: true });
metrics.clearDefaultDimensions();

export function emitMetric(name: string, value = 1, dimensions: Record<string, string> = {}): void {
  // Always one dimension set, even an empty one: `Dimensions: [[]]`, a metric with no dimensions.
  metrics.addDimensions(dimensions);
  metrics.addMetric(name, MetricUnit.Count, value);
}
