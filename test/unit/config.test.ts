import { describe, expect, it } from 'vitest';
import { configFromCdkJson, parseConfig } from '../../lib/config.ts';

describe('config from cdk.json context', () => {
  it('fills every setting with a default', () => {
    const config = parseConfig(undefined);
    expect(config).toMatchObject({
      stage: 'prod',
      winBackDays: 90,
      frequencyCapDays: 7,
      timeZone: 'UTC',
      surveyThrottleDays: 30,
      sendWindow: { from: '09:00', to: '20:00' },
      brand: { name: 'The Customer Team' },
    });
    expect(Object.keys(config.schedules).sort()).toEqual([
      'birthday',
      'detractor-followup',
      'invitations',
      'promoter-thanks',
      'score-alerts',
      'win-back',
    ]);
    expect(config.schedules.invitations).toBe('cron(0/5 * * * ? *)');
    expect(config.schedules['score-alerts']).toBe('cron(0 7 * * ? *)');
    expect(config.alerts).toEqual({ scoreDrop: { interval: 'week', minResponses: 20 } });
  });

  it('takes the score-drop settings, and refuses what the check cannot use', () => {
    expect(parseConfig({ alerts: { scoreDrop: { interval: 'month' } } }).alerts.scoreDrop).toEqual({
      interval: 'month',
      minResponses: 20,
    });
    expect(() => parseConfig({ alerts: { scoreDrop: { interval: 'total' } } })).toThrow(/feedback\.alerts\.scoreDrop\.interval/);
    expect(() => parseConfig({ alerts: { scoreDrop: { minResponses: 1 } } })).toThrow(
      /feedback\.alerts\.scoreDrop\.minResponses/,
    );
    expect(() => parseConfig({ schedules: { 'score-alerts': 'daily' } })).toThrow(/feedback\.schedules\.score-alerts/);
  });

  it('keeps the default schedules of campaigns an override does not name', () => {
    const config = parseConfig({ schedules: { birthday: 'cron(0 6 * * ? *)' } });
    expect(config.schedules.birthday).toBe('cron(0 6 * * ? *)');
    expect(config.schedules['win-back']).toBe('cron(0 10 * * ? *)');
  });

  it.each([
    [{ senderAddress: 'not-an-email' }, /feedback\.senderAddress/],
    [{ schedules: { birthday: '0 8 * * *' } }, /feedback\.schedules\.birthday/],
    [{ schedules: { weekly: 'cron(0 8 * * ? *)' } }, /feedback\.schedules/],
    [{ winBackDays: 0 }, /feedback\.winBackDays/],
    [{ maxSendRate: -1 }, /feedback\.maxSendRate/],
    [{ sendWindow: { from: '9:00', to: '20:00' } }, /feedback\.sendWindow\.from/],
    [{ sendWindow: { from: '09:00', to: '09:00' } }, /feedback\.sendWindow/],
    [{ brand: { name: 'Acme\r\nBcc: x' } }, /feedback\.brand\.name/],
    [{ brand: { name: 'Acme', logoUrl: 'http://acme.example/logo.png' } }, /feedback\.brand\.logoUrl/],
    [{ brand: { name: 'Acme', color: 'red' } }, /feedback\.brand\.color/],
    [{ surveyThrottleDays: -1 }, /feedback\.surveyThrottleDays/],
  ])('rejects %j naming the setting', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it('reads the project cdk.json', () => {
    expect(configFromCdkJson().senderAddress).toMatch(/@/);
  });
});

describe('allowedOrigins', () => {
  it('defaults to none and takes origins', () => {
    expect(parseConfig({}).allowedOrigins).toEqual([]);
    expect(parseConfig({ allowedOrigins: ['https://shop.example', 'http://localhost:8080'] }).allowedOrigins).toHaveLength(2);
  });

  it.each([['https://shop.example/'], ['https://shop.example/path'], ['shop.example'], ['*'], ['javascript:alert(1)']])(
    'refuses %j',
    (origin) => {
      expect(() => parseConfig({ allowedOrigins: [origin] })).toThrow(/feedback\.allowedOrigins\.0: Use an origin/);
    },
  );
});
