import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CAMPAIGN_IDS } from '../../functions/core/campaigns/registry.ts';
import { Monitoring } from '../../lib/constructs/monitoring.ts';
import { AppreciationMail } from '../../lib/constructs/appreciation-mail.ts';
import { logger } from '../../functions/runtime/logger.ts';
import { emitMetric, METRICS_NAMESPACE } from '../../functions/runtime/metrics.ts';

/** The EMF documents `emitMetric` writes to stdout while `act` runs. */
function emitted(act: () => void): Array<Record<string, any>> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    act();
    return write.mock.calls.map(([chunk]) => JSON.parse(String(chunk))).filter((line) => line._aws);
  } finally {
    write.mockRestore();
  }
}

/** What CloudWatch makes of an EMF document: one metric per dimension set, with the dimensions' values. */
const metricsOf = (doc: Record<string, any>) =>
  doc._aws.CloudWatchMetrics.flatMap((directive: any) =>
    directive.Dimensions.flatMap((names: string[]) =>
      directive.Metrics.map((m: any) => ({
        namespace: directive.Namespace,
        name: m.Name,
        dimensions: Object.fromEntries(names.map((n) => [n, doc[n]])),
        value: doc[m.Name],
      })),
    ),
  );

describe('emitMetric', () => {
  const level = logger.getLevelName();
  afterEach(() => logger.setLogLevel(level));

  it('reaches stdout as EMF at log level WARN, with its namespace, name, value and only its own dimensions', () => {
    logger.setLogLevel('WARN');
    const docs = emitted(() => {
      emitMetric('AppreciationFailed', 2, { campaignId: 'birthday' });
      emitMetric('EmailBounced');
    });
    expect(docs.flatMap(metricsOf)).toEqual([
      { namespace: METRICS_NAMESPACE, name: 'AppreciationFailed', dimensions: { campaignId: 'birthday' }, value: 2 },
      { namespace: METRICS_NAMESPACE, name: 'EmailBounced', dimensions: {}, value: 1 },
    ]);
  });

  it('keeps dimensions to their own call', () => {
    const docs = emitted(() => {
      emitMetric('AppreciationSent', 3, { campaignId: 'win-back' });
      emitMetric('AppreciationSent', 1);
    });
    expect(docs.flatMap(metricsOf).map((m: any) => m.dimensions)).toEqual([{ campaignId: 'win-back' }, {}]);
  });
});

describe('alarms on emitted metrics', () => {
  const stack = new Stack(new App(), 'Alarms');
  const mail = new AppreciationMail(stack, 'Mail', { senderAddress: 'thanks@shop.example' });
  mail.addAlarms(new Monitoring(stack, 'Monitoring', { topic: mail.teamTopic }));
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties)
    .filter((p) => p.Namespace === METRICS_NAMESPACE);
  const alarmOn = (name: string, dimensions: Record<string, string>) =>
    alarms.find(
      (p) =>
        p.MetricName === name &&
        JSON.stringify(p.Dimensions ?? []) ===
          JSON.stringify(Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }))),
    );

  it('match exactly the namespace, name and dimensions emitMetric writes (no extra `service` dimension)', () => {
    const docs = emitted(() => {
      for (const campaignId of CAMPAIGN_IDS) {
        for (const name of ['AppreciationFailed', 'TeamNotificationFailed', 'CampaignPageFailed', 'CampaignRunBlocked'])
          emitMetric(name, 1, { campaignId });
      }
      emitMetric('EmailBounced');
      // The mail pipeline's `${kind.name}Blocked` for the invitation kind.
      emitMetric('InvitationBlocked', 1, { kind: 'invitation' });
    });
    const metrics = docs.flatMap(metricsOf);
    expect(metrics).toHaveLength(CAMPAIGN_IDS.length * 4 + 2);
    for (const metric of metrics) expect(alarmOn(metric.name, metric.dimensions), JSON.stringify(metric)).toBeDefined();
    expect(alarms).toHaveLength(metrics.length);
  });
});
