import { addDays, isLeapYear, localDate } from '../dates.ts';
import { defineCampaign, type IndexQuery } from './campaign.ts';

/** The birthdays (`MM-DD`) celebrated on a local date: 02-29 birthdays are celebrated on 02-28 in other years. */
export function birthdaysOn(localDay: string): string[] {
  const monthDay = localDay.slice(5);
  const year = Number(localDay.slice(0, 4));
  return monthDay === '02-28' && !isLeapYear(year) ? ['02-28', '02-29'] : [monthDay];
}

/**
 * Whether it is a customer's birthday at the run's instant, in their own time zone (else the schedule's).
 * Returns the local date being celebrated (the ledger period), or undefined.
 */
export function birthdayCelebratedAt(birthday: string, instantMs: number, timeZone: string): string | undefined {
  const day = localDate(instantMs, timeZone);
  return birthdaysOn(day).includes(birthday.slice(-5)) ? day : undefined;
}

/** Birthday wishes on the customer's birthday, in their own time zone. */
export const birthday = defineCampaign({
  id: 'birthday',
  periodDays: 1,
  notifiesTeam: false,
  defaultSchedule: 'cron(0 8 * * ? *)',
  /** The day before, the day and the day after: the customer's own time zone decides whose day it is. */
  select: (runDate) => {
    const days = [addDays(runDate, -1), runDate, addDays(runDate, 1)];
    return [...new Set(days.flatMap(birthdaysOn))].map((monthDay): IndexQuery => ({ index: 'birthday', monthDay }));
  },
  candidate: ({ customer }, { instantMs, settings }) => {
    const celebrated =
      customer.birthday && birthdayCelebratedAt(customer.birthday, instantMs, customer.timezone ?? settings.timeZone);
    return celebrated ? { period: celebrated } : undefined;
  },
  copy: {
    en: {
      subject: 'Happy birthday{{#name}}, {{name}}{{/name}}!',
      blocks: [
        'Happy birthday! Everyone here wishes you a wonderful day and a year full of good things.',
        'Thank you for being with us, and for the feedback you have shared with us along the way.',
        '{{#offer}}Our small gift to you: {{offer}}{{/offer}}',
        'We look forward to hearing from you again.',
      ],
    },
    tr: {
      subject: 'Doğum gününüz kutlu olsun{{#name}}, {{name}}{{/name}}!',
      blocks: [
        'Doğum gününüz kutlu olsun! Tüm ekibimiz olarak size güzel bir gün ve mutluluk dolu bir yıl diliyoruz.',
        'Bizimle olduğunuz ve bugüne kadar bizimle paylaştığınız geri bildirimler için teşekkür ederiz.',
        '{{#offer}}Size küçük bir hediyemiz var: {{offer}}{{/offer}}',
        'Sizden yeniden haber almayı dört gözle bekliyoruz.',
      ],
    },
    sr: {
      subject: 'Срећан рођендан{{#name}}, {{name}}{{/name}}!',
      blocks: [
        'Срећан рођендан! Цео наш тим вам жели диван дан и годину пуну лепих тренутака.',
        'Хвала вам што сте уз нас и на свим мишљењима која сте са нама поделили.',
        '{{#offer}}Наш мали поклон за вас: {{offer}}{{/offer}}',
        'Радујемо се што ћемо се поново чути.',
      ],
    },
    et: {
      subject: 'Palju õnne sünnipäevaks{{#name}}, {{name}}{{/name}}!',
      blocks: [
        'Palju õnne sünnipäevaks! Kogu meie meeskond soovib teile toredat päeva ja rõõmurohket aastat.',
        'Aitäh, et olete meiega, ja aitäh tagasiside eest, mida olete meiega jaganud.',
        '{{#offer}}Meie väike kingitus teile: {{offer}}{{/offer}}',
        'Loodame teist peagi jälle kuulda.',
      ],
    },
  },
});
