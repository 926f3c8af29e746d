#!/usr/bin/env node
/**
 * `npm run preview -- <campaign|invitation|reminder> <locale> [--out file.html] [--name "Ayşe"]`: renders one
 * appreciation email or survey invitation with sample data and this deployment's brand, sign-off and offers
 * (cdk.json), writes the HTML to a file you can open, and prints the subject and the text part.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CAMPAIGN_IDS, CAMPAIGNS, isCampaignId } from '../functions/core/campaigns/registry.ts';
import { renderEmail, resolveEmailLocale, type RenderedEmail } from '../functions/core/emails.ts';
import {
  firstScaleQuestion,
  INVITATION_EMAILS,
  renderInvitation,
  type InvitationEmail,
} from '../functions/core/invitations/email.ts';
import { configFromCdkJson } from '../lib/config.ts';

const SAMPLE_NAMES: Record<string, string> = { en: 'Jane', tr: 'Ayşe', sr: 'Милица', et: 'Mari' };
const SAMPLE_COMMENTS: Record<string, string> = {
  en: 'Delivery took two weeks and nobody answered my emails.',
  tr: 'Teslimat iki hafta sürdü ve e-postalarıma kimse yanıt vermedi.',
  sr: 'Испорука је трајала две недеље и нико није одговорио на моје поруке.',
  et: 'Tarne võttis kaks nädalat ja keegi ei vastanud mu kirjadele.',
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, name: { type: 'string' } },
});
const [campaignId, tag = 'en'] = positionals;
const isInvitation = (id: string | undefined): id is InvitationEmail => INVITATION_EMAILS.includes(id as InvitationEmail);
if (!isCampaignId(campaignId) && !isInvitation(campaignId)) {
  console.error(
    `usage: npm run preview -- <${[...CAMPAIGN_IDS, ...INVITATION_EMAILS].join('|')}> <locale> [--out file.html] [--name "…"]`,
  );
  process.exit(2);
}

const config = configFromCdkJson();
const locale = resolveEmailLocale(tag);
const base = config.publicBaseUrl ?? 'https://feedback.example.com';
const unsubscribeUrl = `${base}/v1/unsubscribe?token=preview`;
const email: RenderedEmail = isInvitation(campaignId)
  ? renderInvitation(campaignId, firstScaleQuestion(['nps']), locale, {
      name: values.name ?? SAMPLE_NAMES[locale.language],
      brand: config.brand,
      surveyUrl: `${base}/s/preview?t=preview`,
      unsubscribeUrl,
    })
  : renderEmail(campaignId, locale, {
      name: values.name ?? SAMPLE_NAMES[locale.language],
      // A detractor's score for a campaign that tells the team (it follows up a low score), else a promoter's.
      score: CAMPAIGNS[campaignId].notifiesTeam ? 4 : 10,
      comment: SAMPLE_COMMENTS[locale.language],
      offer: config.offers[campaignId],
      brand: config.brand,
      unsubscribeUrl,
    });
const out = resolve(values.out ?? `preview-${campaignId}-${tag}.html`);
writeFileSync(out, email.html);
console.log(`Subject: ${email.subject}\nLanguage: ${email.language}\nHTML: ${out}\n\n${email.text}`);
