import { CAMPAIGNS, contactRules } from '#core/campaigns/registry.ts';
import type { CampaignRun } from '#core/campaigns/store.ts';
import { customerTag } from '#core/email-events.ts';
import { renderEmail, resolveEmailLocale } from '#core/emails.ts';
import { newNonce } from '#core/ids.ts';
import { signToken, type Keyring } from '#core/tokens.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';
import type { EmailKind } from '../mail/pipeline.ts';
import type { CampaignCandidate } from './candidates.ts';
import type { CampaignPorts } from './ports.ts';

const UNSUBSCRIBE_LINK_DAYS = 730;

/**
 * A campaign as an email kind of the mail pipeline: its contact rules, its email (the campaign's copy, a signed
 * one-click unsubscribe link, the SES tags bounces come back with) and, for campaigns that notify the team, the notice.
 */
export function campaignEmailKind(ports: CampaignPorts, run: CampaignRun, ring: Keyring): EmailKind<CampaignCandidate> {
  const { settings } = ports;
  const campaign = CAMPAIGNS[run.campaignId];
  return {
    name: 'Appreciation',
    rules: contactRules(run.campaignId, settings.frequencyCapDays),
    dimensions: { campaignId: run.campaignId },
    compose: (candidate) => {
      const { customer, answer } = candidate;
      const token = signToken(ring, {
        purpose: 'unsubscribe',
        customerId: customer.customerId,
        exp: Math.floor(ports.now() / 1000) + UNSUBSCRIBE_LINK_DAYS * 86_400,
        nonce: newNonce(),
      });
      const unsubscribeUrl = `${run.linkBaseUrl}/v1/unsubscribe?token=${encodeURIComponent(token)}`;
      const email = renderEmail(run.campaignId, resolveEmailLocale(customer.locale), {
        name: customer.name,
        score: answer?.nps,
        comment: answer?.comment,
        offer: settings.offers[run.campaignId],
        brand: settings.brand,
        unsubscribeUrl,
      });
      return {
        ...email,
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        tags: { campaign: run.campaignId, customer: customerTag.encode(customer.customerId) },
      };
    },
    afterSent: async ({ customer, answer }) => {
      if (!campaign.notifiesTeam || !answer) return;
      await ports
        .notifyTeam({
          customerId: customer.customerId,
          name: customer.name,
          email: customer.email,
          score: answer.nps,
          comment: answer.comment,
          campaignId: run.campaignId,
          runDate: run.date,
        })
        .catch((error: unknown) => {
          // The customer's email went out; a lost team notice must not fail the run.
          logger.error('TeamNotificationFailed', {
            runId: run.runId,
            customerId: customer.customerId,
            error: (error as Error).name,
          });
          emitMetric('TeamNotificationFailed', 1, { campaignId: run.campaignId });
        });
    },
  };
}
