import { parseBrand } from '#core/brand.ts';
import { isTimeZone } from '#core/dates.ts';
import { ENV } from '#runtime/env.ts';
import type { DispatchSettings } from './ports.ts';

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The dispatcher's settings and the mailer's addresses, parsed once from the env the stack (or the local runner)
 * sets from cdk.json (`appreciationEnvironment`); a missing or malformed value fails the cold start. Plain checks,
 * as for the campaigns: they keep the bundle small.
 */
export function dispatchEnv(source: Record<string, string | undefined> = process.env) {
  const problems: string[] = [];
  const brand = parseBrand(source[ENV.brand]);
  let sendWindow = { from: '09:00', to: '20:00' };
  try {
    const raw = JSON.parse(source[ENV.sendWindow] || JSON.stringify(sendWindow)) as Record<string, unknown>;
    if (typeof raw.from !== 'string' || typeof raw.to !== 'string' || !CLOCK.test(raw.from) || !CLOCK.test(raw.to))
      throw new Error('not a window');
    sendWindow = { from: raw.from, to: raw.to };
  } catch {
    problems.push(`${ENV.sendWindow} (JSON {"from":"HH:MM","to":"HH:MM"})`);
  }
  const timeZone = source[ENV.scheduleTimeZone] || 'UTC';
  if (!isTimeZone(timeZone)) problems.push(`${ENV.scheduleTimeZone} (an IANA time zone)`);
  const maxSendRate = Number(source[ENV.maxSendRate] || 10);
  if (!Number.isFinite(maxSendRate) || maxSendRate < 0.1 || maxSendRate > 1000) problems.push(`${ENV.maxSendRate} (0.1–1000)`);
  const sender = source[ENV.senderAddress];
  if (!sender) problems.push(ENV.senderAddress);
  if (problems.length) throw new Error(`Missing or invalid environment variables: ${problems.join(', ')}`);
  const settings: DispatchSettings = { timeZone, sendWindow, brand, maxSendRate };
  return {
    settings,
    sender: sender!,
    replyTo: source[ENV.replyToAddress] || undefined,
    configurationSet: source[ENV.sesConfigurationSet] || undefined,
    publicBaseUrl: source[ENV.publicBaseUrl] || undefined,
  };
}
