import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { customerTag } from '../../functions/core/email-events.ts';
import { runSmoke, SIMULATOR, type SmokePorts } from '../../scripts/smoke-steps.ts';

/** `npm run smoke` against mocked AWS and a fake API: its logic, since a real deploy cannot run here. */
const cloudFormation = mockClient(CloudFormationClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
const cloudWatch = mockClient(CloudWatchClient);

const OUTPUTS = {
  ApiUrl: 'https://api.example/',
  AdminTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:admin',
  SesConfigurationSetName: 'cs-1',
  SenderAddress: 'feedback@shop.example',
};

/** A fake API: scores move after two reads, suppressions after the `suppressAfter`th read of a customer. */
function fakeApi(options: { suppressAfter?: number } = {}): { fetch: typeof fetch; calls: string[] } {
  const reads = new Map<string, number>();
  const calls: string[] = [];
  const fakeFetch = (async (url: string, init: RequestInit) => {
    const path = url.replace('https://api.example', '');
    const key = `${init.method} ${path}`;
    calls.push(key);
    if (path !== '/health') expect((init.headers as Record<string, string>).authorization).toBe('Bearer the-token');
    const count = (reads.get(key) ?? 0) + 1;
    reads.set(key, count);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (key === 'GET /health') return json(200, { status: 'ok' });
    if (init.method === 'PUT') return json(200, JSON.parse(init.body as string));
    if (path.endsWith('/links')) return json(201, { token: 'tok', url: 'u' });
    if (key === 'POST /v1/responses') return json(201, { responseId: 'r-1' });
    if (path.includes('/scores'))
      return json(200, { total: count >= 2 ? { responses: 1, nps: { score: 100 } } : { responses: 0, nps: null } });
    if (path.startsWith('/v1/customers/')) return json(200, { customer: { suppressed: count >= (options.suppressAfter ?? 2) } });
    return json(404, {});
  }) as typeof fetch;
  return { fetch: fakeFetch, calls };
}

function ports(fetch: typeof globalThis.fetch): SmokePorts & { lines: string[] } {
  let clock = Date.parse('2026-11-28T10:00:00Z');
  const lines: string[] = [];
  return {
    fetch,
    cloudFormation: new CloudFormationClient({}),
    secrets: new SecretsManagerClient({}),
    ses: new SESv2Client({}),
    cloudWatch: new CloudWatchClient({}),
    sleep: async (ms) => void (clock += ms),
    now: () => new Date(clock),
    log: (line) => lines.push(line),
    lines,
  };
}

const options = { stack: 'Feedback-prod', waitSeconds: 60, pollMs: 3000 };

beforeEach(() => {
  for (const mock of [cloudFormation, secrets, ses, cloudWatch]) mock.reset();
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Feedback-prod',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  cloudFormation.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      {
        LogicalResourceId: 'MonitoringApi5xxAB12',
        PhysicalResourceId: 'Feedback-prod-Api5xx',
        ResourceType: 'AWS::CloudWatch::Alarm',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'the-token' });
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `m-${ses.commandCalls(SendEmailCommand).length}` }));
  cloudWatch.on(SetAlarmStateCommand).resolves({});
  cloudWatch
    .on(DescribeAlarmHistoryCommand)
    .resolvesOnce({ AlarmHistoryItems: [] })
    .resolves({
      AlarmHistoryItems: [
        { HistoryItemType: 'Action', HistorySummary: 'Successfully executed action arn:aws:sns:eu-west-1:1:team' },
      ],
    });
});

describe('npm run smoke', () => {
  it('passes every step against a working stack', async () => {
    const api = fakeApi();
    const p = ports(api.fetch);
    const results = await runSmoke(p, options);
    expect(results.map((r) => [r.step, r.ok])).toEqual([
      ['stack outputs', true],
      ['admin token', true],
      ['health', true],
      ['survey and customers', true],
      ['response', true],
      ['scores', true],
      ['emails', true],
      ['bounce suppresses', true],
      ['complaint suppresses', true],
      ['alarm notification', true],
    ]);
    expect(p.lines.every((l) => l.startsWith('pass'))).toBe(true);
  });

  it('sends to the mailbox simulator from the sender, through the configuration set, tagged with each customer', async () => {
    await runSmoke(ports(fakeApi().fetch), options);
    const sends = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sends.map((s) => s.Destination?.ToAddresses)).toEqual([
      [SIMULATOR.success],
      [SIMULATOR.bounce],
      [SIMULATOR.complaint],
    ]);
    for (const send of sends) {
      expect(send).toMatchObject({
        FromEmailAddress: OUTPUTS.SenderAddress,
        ConfigurationSetName: OUTPUTS.SesConfigurationSetName,
      });
      const customerId = customerTag.decode(send.EmailTags![0]!.Value!);
      expect(customerId).toMatch(/^smoke-\d{14}-(success|bounce|complaint)$/);
      expect(send.Destination?.ToAddresses?.[0]).toContain(customerId.split('-').at(-1));
    }
  });

  it('fails the alarm step when CloudWatch cannot publish to the team topic, and puts the alarm back to OK', async () => {
    cloudWatch.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          HistorySummary:
            'Failed to execute action arn:aws:sns:eu-west-1:1:team. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic"',
        },
      ],
    });
    const results = await runSmoke(ports(fakeApi().fetch), options);
    const alarm = results.find((r) => r.step === 'alarm notification')!;
    expect(alarm.ok).toBe(false);
    expect(alarm.detail).toMatch(/could not notify the team topic/);
    expect(cloudWatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input.StateValue)).toEqual(['ALARM', 'OK']);
  });

  it('fails a suppression that never comes, after the wait', async () => {
    const results = await runSmoke(ports(fakeApi({ suppressAfter: 1000 }).fetch), options);
    const bounce = results.find((r) => r.step === 'bounce suppresses')!;
    expect(bounce).toMatchObject({ ok: false, detail: 'the bounce reaching the customer did not happen within 60 s' });
    expect(results.filter((r) => !r.ok).map((r) => r.step)).toEqual(['bounce suppresses', 'complaint suppresses']);
  });

  it('stops at once, saying what to do, when the stack lacks the outputs', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Feedback-prod', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    const api = fakeApi();
    const results = await runSmoke(ports(api.fetch), options);
    expect(results).toEqual([
      { step: 'stack outputs', ok: false, detail: expect.stringMatching(/no output ApiUrl.*deploy this version first/) },
    ]);
    expect(api.calls).toEqual([]);
  });

  it('reports the steps it could not run when the admin token is unreadable', async () => {
    secrets.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), {
        name: 'AccessDeniedException',
      }),
    );
    const results = await runSmoke(ports(fakeApi().fetch), options);
    expect(results.find((r) => r.step === 'admin token')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not authorized/),
    });
    expect(results.find((r) => r.step === 'health')?.ok).toBe(true);
    expect(results.find((r) => r.step === 'scores')).toMatchObject({ ok: false, detail: 'not run: no admin token' });
  });
});
