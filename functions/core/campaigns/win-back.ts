import { addDays } from '../dates.ts';
import { defineCampaign } from './campaign.ts';

/** The latest response a win-back candidate may have: strictly before the run date minus `winBackDays`. */
export const winBackCutoff = (runDate: string, winBackDays: number): string => `${addDays(runDate, -winBackDays)}T00:00:00.000Z`;

/** A win-back candidate from a possibly stale index is real only if their latest response is still older than the cutoff. */
export const isLapsed = (latestResponseAt: string | undefined, cutoff: string): boolean =>
  latestResponseAt !== undefined && latestResponseAt < cutoff;

/** "We miss you" to customers whose latest response is older than `winBackDays`; once per 180 days. */
export const winBack = defineCampaign({
  id: 'win-back',
  periodDays: 180,
  notifiesTeam: false,
  defaultSchedule: 'cron(0 10 * * ? *)',
  select: (runDate, settings) => [{ index: 'lastResponse', before: winBackCutoff(runDate, settings.winBackDays) }],
  /**
   * The last-response index can be stale (an answer whose index update was lost): the timeline confirms the
   * customer is lapsed, and a stale entry is repaired so the next run does not read it again.
   */
  candidate: async ({ customer }, { runDate, settings, lookups }) => {
    const latest = await lookups.latestResponseAt(customer.customerId);
    if (isLapsed(latest, winBackCutoff(runDate, settings.winBackDays))) return { period: runDate };
    if (latest) await lookups.noteLatestResponse(customer.customerId, latest);
    return undefined;
  },
  copy: {
    en: {
      subject: 'We miss you{{#name}}, {{name}}{{/name}}',
      blocks: [
        'It has been a while since we last heard from you, and we miss you.',
        'Your feedback has helped us improve, and a lot has changed since then. We would love to know what you think of us today: simply reply to this email.',
        '{{#offer}}To welcome you back: {{offer}}{{/offer}}',
        'We look forward to hearing from you again.',
      ],
    },
    tr: {
      subject: 'Sizi özledik{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Sizden haber almayalı epey oldu ve sizi özledik.',
        'Geri bildirimleriniz gelişmemize yardımcı oldu ve o günden bu yana pek çok şey değişti. Bugün hakkımızda ne düşündüğünüzü çok merak ediyoruz: bu e-postayı yanıtlamanız yeterli.',
        '{{#offer}}Sizi yeniden aramızda görmek için: {{offer}}{{/offer}}',
        'Sizden yeniden haber almayı dört gözle bekliyoruz.',
      ],
    },
    sr: {
      subject: 'Недостајете нам{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Прошло је доста времена откако смо се последњи пут чули и недостајете нам.',
        'Ваше мишљење нам је помогло да напредујемо, а од тада се много тога променило. Волели бисмо да чујемо шта данас мислите о нама: само одговорите на ову поруку.',
        '{{#offer}}Као добродошлицу назад: {{offer}}{{/offer}}',
        'Радујемо се што ћемо се поново чути.',
      ],
    },
    et: {
      subject: 'Me igatseme teid{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Teist pole juba tükk aega midagi kuulda olnud ja me igatseme teid.',
        'Teie tagasiside on aidanud meil paremaks saada ja sellest ajast on palju muutunud. Tahaksime väga teada, mida te meist täna arvate: vastake lihtsalt sellele kirjale.',
        '{{#offer}}Teie tagasituleku puhuks: {{offer}}{{/offer}}',
        'Loodame teist peagi jälle kuulda.',
      ],
    },
  },
});
