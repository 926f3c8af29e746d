import { ENV } from '../functions/runtime/env.ts';
import type { FeedbackConfig } from './config.ts';

/**
 * The appreciation settings of cdk.json as the env vars the mailer functions read: the CDK stack and the local
 * runner both set these, so both run the same campaigns. Deployment-only values (configuration set, team topic,
 * public base URL) are added by whoever knows them.
 */
export function appreciationEnvironment(config: FeedbackConfig): Record<string, string> {
  return {
    [ENV.senderAddress]: config.senderAddress,
    ...(config.replyToAddress ? { [ENV.replyToAddress]: config.replyToAddress } : {}),
    ...(config.teamAddress ? { [ENV.teamAddress]: config.teamAddress } : {}),
    [ENV.sendWindow]: JSON.stringify(config.sendWindow),
    [ENV.scheduleTimeZone]: config.timeZone,
    [ENV.winBackDays]: String(config.winBackDays),
    [ENV.frequencyCapDays]: String(config.frequencyCapDays),
    [ENV.maxSendRate]: String(config.maxSendRate),
    [ENV.campaignOffers]: JSON.stringify(config.offers),
  };
}
