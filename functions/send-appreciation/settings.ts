import { parseBrand } from '#core/brand.ts';
import { CAMPAIGN_IDS, type CampaignId } from '#core/campaigns/registry.ts';
import { isTimeZone } from '#core/dates.ts';
import { ENV } from '#runtime/env.ts';
import type { AppreciationSettings } from './ports.ts';

/**
 * The mailer's addresses and the campaigns' settings, parsed once from the env the stack (or the local runner)
 * sets from cdk.json; a missing or malformed value fails the cold start. Plain checks rather than a zod schema:
 * they keep this function's bundle small.
 */
export function appreciationEnv(source: Record<string, string | undefined> = process.env) {
  const problems: string[] = [];
  const text = (name: string, fallback?: string): string => {
    const value = source[name] || fallback;
    if (value === undefined) problems.push(name);
    return value ?? '';
  };
  const optional = (name: string) => source[name] || undefined;
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = source[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) problems.push(`${name} (${min}–${max})`);
    return value;
  };
  const offers = (): Partial<Record<CampaignId, string>> => {
    try {
      const raw = JSON.parse(source[ENV.campaignOffers] || '{}') as Record<string, unknown>;
      return Object.fromEntries(CAMPAIGN_IDS.filter((id) => typeof raw[id] === 'string').map((id) => [id, raw[id] as string]));
    } catch {
      problems.push(`${ENV.campaignOffers} (JSON)`);
      return {};
    }
  };

  const brand = () => parseBrand(source[ENV.brand]);

  const settings: AppreciationSettings = {
    timeZone: text(ENV.scheduleTimeZone, 'UTC'),
    winBackDays: number(ENV.winBackDays, 90, 1, 3650),
    frequencyCapDays: number(ENV.frequencyCapDays, 7, 0, 365),
    maxSendRate: number(ENV.maxSendRate, 10, 0.1, 1000),
    offers: offers(),
    brand: brand(),
  };
  const env = {
    settings,
    sender: text(ENV.senderAddress),
    replyTo: optional(ENV.replyToAddress),
    teamAddress: optional(ENV.teamAddress),
    teamTopicArn: optional(ENV.teamTopicArn),
    configurationSet: optional(ENV.sesConfigurationSet),
    publicBaseUrl: optional(ENV.publicBaseUrl),
  };
  if (!isTimeZone(settings.timeZone)) problems.push(`${ENV.scheduleTimeZone} (an IANA time zone)`);
  if (problems.length) throw new Error(`Missing or invalid environment variables: ${problems.join(', ')}`);
  return env;
}
