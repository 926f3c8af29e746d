import { logger } from './logger.ts';

export const METRICS_NAMESPACE = 'Feedback';

/**
 * Emits a CloudWatch metric in Embedded Metric Format through the structured logger: CloudWatch Logs extracts it
 * from the log line, so no API call and no extra dependency. Names are past-tense events (`AppreciationSent`).
 */
export function emitMetric(name: string, value = 1, dimensions: Record<string, string> = {}): void {
  logger.info(name, {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    ...dimensions,
    [name]: value,
  });
}
