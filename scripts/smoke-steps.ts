import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { customerTag } from '../functions/core/email-events.ts';

/**
 * Proves a deployed stack works end to end, against AWS: the API, a response reaching the scores through the stream,
 * SES sending through the configuration set to the mailbox simulator, bounces and complaints coming back through the
 * encrypted topic as suppressions, and an alarm reaching the team topic. Every step says pass or fail.
 */
export interface SmokePorts {
  fetch: typeof fetch;
  cloudFormation: CloudFormationClient;
  secrets: SecretsManagerClient;
  ses: SESv2Client;
  cloudWatch: CloudWatchClient;
  sleep(ms: number): Promise<void>;
  now(): Date;
  log(line: string): void;
}

export interface SmokeOptions {
  stack: string;
  /** How long to wait for what happens asynchronously (scores, suppressions, the alarm action). */
  waitSeconds: number;
  pollMs: number;
}

export interface StepResult {
  step: string;
  ok: boolean;
  detail: string;
}

/** The mailbox simulator: SES accepts, bounces or complains as the address says, without harming the reputation. */
export const SIMULATOR = {
  success: 'success@simulator.amazonses.com',
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

class StepFailed extends Error {}

/** The parts of the API's answers the smoke test reads. */
interface Reply {
  token?: string;
  responseId?: string;
  total?: { responses?: number; nps?: { score: number } | null };
  customer?: { suppressed?: boolean };
}

export async function runSmoke(ports: SmokePorts, options: SmokeOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const stamp = ports.now().toISOString().replace(/\D/g, '').slice(0, 14);
  const surveyId = `smoke-${stamp}`;
  const customerIds = {
    success: `smoke-${stamp}-success`,
    bounce: `smoke-${stamp}-bounce`,
    complaint: `smoke-${stamp}-complaint`,
  };

  /** Runs a step; a failed step fails every step after it that needs what it would have given. */
  const step = async <T>(name: string, run: () => Promise<[T, string]>): Promise<T | undefined> => {
    try {
      const [value, detail] = await run();
      results.push({ step: name, ok: true, detail });
      ports.log(`pass  ${name}: ${detail}`);
      return value;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ step: name, ok: false, detail });
      ports.log(`FAIL  ${name}: ${detail}`);
      return undefined;
    }
  };
  const skip = (name: string, because: string) => {
    results.push({ step: name, ok: false, detail: `not run: ${because}` });
    ports.log(`FAIL  ${name}: not run: ${because}`);
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = ports.now().getTime() + options.waitSeconds * 1000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (ports.now().getTime() >= deadline) throw new StepFailed(`${what} did not happen within ${options.waitSeconds} s`);
      await ports.sleep(options.pollMs);
    }
  };

  const outputs = await step('stack outputs', async () => {
    const { Stacks } = await ports.cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
    const found: Record<string, string | undefined> = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue]),
    );
    const missing = ['ApiUrl', 'AdminTokenSecretArn', 'SesConfigurationSetName', 'SenderAddress'].filter((k) => !found[k]);
    if (missing.length) throw new StepFailed(`the stack has no output ${missing.join(', ')}: deploy this version first`);
    return [found as Record<string, string>, `${options.stack} at ${found.ApiUrl}`];
  });
  if (!outputs) return results;
  const api = outputs.ApiUrl!.replace(/\/+$/, '');

  const token = await step('admin token', async () => {
    const { SecretString } = await ports.secrets.send(new GetSecretValueCommand({ SecretId: outputs.AdminTokenSecretArn }));
    if (!SecretString) throw new StepFailed('the admin token secret is empty');
    return [SecretString, 'read from Secrets Manager'];
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await ports.fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Reply | undefined;
    try {
      json = JSON.parse(text) as Reply;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };
  const expectStatus = (reply: { status: number; text: string }, status: number, what: string) => {
    if (reply.status !== status)
      throw new StepFailed(`${what}: expected ${status}, got ${reply.status} ${reply.text.slice(0, 200)}`);
  };

  await step('health', async () => {
    const reply = await call('GET', '/health');
    expectStatus(reply, 200, 'GET /health');
    return [undefined, 'GET /health answers 200'];
  });
  if (!token) {
    for (const name of ['survey and customers', 'response', 'scores', 'emails', 'bounce suppresses', 'complaint suppresses'])
      skip(name, 'no admin token');
  } else {
    const ready = await step('survey and customers', async () => {
      expectStatus(
        await call('PUT', `/v1/surveys/${surveyId}`, { name: 'Smoke test', questions: ['nps', 'comment'] }),
        200,
        'PUT survey',
      );
      for (const [kind, id] of Object.entries(customerIds)) {
        const email = SIMULATOR[kind as keyof typeof SIMULATOR];
        expectStatus(await call('PUT', `/v1/customers/${id}`, { email, name: 'Smoke' }), 200, `PUT customer ${id}`);
      }
      return [true, `survey ${surveyId}, customers ${Object.values(customerIds).join(', ')}`];
    });
    const responded = ready
      ? await step('response', async () => {
          const link = await call('POST', `/v1/surveys/${surveyId}/links`, { customerId: customerIds.success });
          expectStatus(link, 201, 'POST link');
          const reply = await call('POST', '/v1/responses', { surveyId, token: link.json?.token, nps: 9, comment: 'smoke test' });
          expectStatus(reply, 201, 'POST response');
          return [true, `response ${reply.json?.responseId ?? '?'} accepted`];
        })
      : (skip('response', 'no survey'), undefined);
    if (responded) {
      await step('scores', async () => {
        const nps = await waitFor('the response reaching the scores', async () => {
          const reply = await call('GET', `/v1/surveys/${surveyId}/scores?interval=total`);
          const total = reply.status === 200 ? reply.json?.total : undefined;
          return total?.responses ? (total.nps?.score ?? null) : undefined;
        });
        return [undefined, `the scorer counted it through the stream (NPS ${nps})`];
      });
    } else skip('scores', 'no response');

    const sent = ready
      ? await step('emails', async () => {
          const ids: string[] = [];
          for (const [kind, id] of Object.entries(customerIds)) {
            const { MessageId } = await ports.ses.send(
              new SendEmailCommand({
                FromEmailAddress: outputs.SenderAddress,
                Destination: { ToAddresses: [SIMULATOR[kind as keyof typeof SIMULATOR]] },
                ConfigurationSetName: outputs.SesConfigurationSetName,
                EmailTags: [{ Name: 'customer', Value: customerTag.encode(id) }],
                Content: {
                  Simple: {
                    Subject: { Data: 'Feedback smoke test' },
                    Body: { Text: { Data: 'A smoke test of the feedback service.' } },
                  },
                },
              }),
            );
            ids.push(MessageId ?? '?');
          }
          return [true, `SES accepted 3 emails to the mailbox simulator (${ids.join(', ')})`];
        })
      : (skip('emails', 'no customers'), undefined);
    for (const kind of ['bounce', 'complaint'] as const) {
      if (!sent) {
        skip(`${kind} suppresses`, 'no emails sent');
        continue;
      }
      await step(`${kind} suppresses`, async () => {
        await waitFor(`the ${kind} reaching the customer`, async () => {
          const reply = await call('GET', `/v1/customers/${customerIds[kind]}`);
          return reply.status === 200 && reply.json?.customer?.suppressed === true ? true : undefined;
        });
        return [undefined, `SES → configuration set → encrypted topic → RecordEmailEvents suppressed ${customerIds[kind]}`];
      });
    }
  }

  await step('alarm notification', async () => {
    const { StackResources } = await ports.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: options.stack }));
    const alarmName = StackResources?.find(
      (r) => r.ResourceType === 'AWS::CloudWatch::Alarm' && r.LogicalResourceId?.startsWith('MonitoringApi5xx'),
    )?.PhysicalResourceId;
    if (!alarmName) throw new StepFailed('the stack has no API 5xx alarm to test');
    const since = ports.now();
    await ports.cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'Smoke test of the alarm action' }),
    );
    try {
      const summary = await waitFor('the alarm action', async () => {
        const { AlarmHistoryItems } = await ports.cloudWatch.send(
          new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: 'Action', StartDate: since }),
        );
        return AlarmHistoryItems?.find((item) => /executed action|Failed to execute action/i.test(item.HistorySummary ?? ''))
          ?.HistorySummary;
      });
      if (!/Successfully executed action/i.test(summary))
        throw new StepFailed(`CloudWatch could not notify the team topic: ${summary}`);
      return [undefined, `${alarmName} notified the team topic`];
    } finally {
      await ports.cloudWatch.send(
        new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'OK', StateReason: 'Smoke test done' }),
      );
    }
  });
  return results;
}
