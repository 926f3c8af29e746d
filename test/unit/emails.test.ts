import { describe, expect, it } from 'vitest';
import { CAMPAIGN_IDS } from '../../functions/core/campaigns/registry.ts';
import { EMAIL_LANGUAGES } from '../../functions/core/email-copy.ts';
import { renderEmail, renderUnsubscribePage, resolveEmailLocale, toSerbianLatin } from '../../functions/core/emails.ts';

const view = {
  name: 'Ayşe',
  score: 9,
  comment: 'Kargo <b>geç</b> geldi & "kutu" ezikti',
  offer: 'KOD-10',
  brand: { name: 'Deniz Kaya' },
  unsubscribeUrl: 'https://x.example/v1/unsubscribe?token=a.b.c',
};

describe('resolveEmailLocale', () => {
  it.each([
    ['tr', { language: 'tr', latin: false }],
    ['tr-TR', { language: 'tr', latin: false }],
    ['et-EE', { language: 'et', latin: false }],
    ['sr', { language: 'sr', latin: false }],
    ['sr-Cyrl-RS', { language: 'sr', latin: false }],
    ['sr-Latn', { language: 'sr', latin: true }],
    ['sr_latn_rs', { language: 'sr', latin: true }],
    ['en-US', { language: 'en', latin: false }],
    ['de-DE', { language: 'en', latin: false }],
    [undefined, { language: 'en', latin: false }],
    ['', { language: 'en', latin: false }],
  ] as const)('%s → %j', (tag, expected) => {
    expect(resolveEmailLocale(tag)).toEqual(expected);
  });
});

describe('renderEmail', () => {
  for (const language of EMAIL_LANGUAGES) {
    for (const campaignId of CAMPAIGN_IDS) {
      it(`${campaignId} in ${language}: complete, personal, both parts, an unsubscribe link`, () => {
        const email = renderEmail(campaignId, { language, latin: false }, view);
        for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/\{\{|\}\}/);
        expect(email.subject.length).toBeGreaterThan(5);
        expect(email.text).toContain('Ayşe');
        expect(email.text).toContain('Deniz Kaya');
        expect(email.text).toContain(view.unsubscribeUrl);
        expect(email.html).toContain('href="https:&#x2F;&#x2F;x.example&#x2F;v1&#x2F;unsubscribe?token&#x3D;a.b.c"');
        expect(email.text).toContain('KOD-10');
      });
    }
  }

  it('quotes the detractor’s comment, escaped in HTML and verbatim in text', () => {
    const email = renderEmail('detractor-followup', { language: 'tr', latin: false }, { ...view, score: 4 });
    expect(email.html).toContain('Kargo &lt;b&gt;geç&lt;&#x2F;b&gt; geldi &amp; &quot;kutu&quot; ezikti');
    expect(email.html).not.toContain('<b>geç');
    expect(email.text).toContain('> Kargo <b>geç</b> geldi & "kutu" ezikti');
    expect(email.text).toContain('10 üzerinden 4 puanla');
  });

  it.each([
    ['en', 'Dear customer,'],
    ['tr', 'Değerli müşterimiz,'],
    ['sr', 'Поштовани корисниче,'],
    ['et', 'Hea klient!'],
  ] as const)('without a name, %s falls back to "%s"', (language, greeting) => {
    const email = renderEmail('birthday', { language, latin: false }, { ...view, name: '  ' });
    expect(email.text.startsWith(greeting)).toBe(true);
    expect(email.subject).not.toContain(',');
  });

  it('leaves out the offer and the quote when there are none', () => {
    const email = renderEmail(
      'detractor-followup',
      { language: 'en', latin: false },
      { ...view, offer: undefined, comment: undefined },
    );
    expect(email.text).not.toContain('You wrote');
    expect(email.text).not.toContain('As an apology');
    expect(email.html).not.toContain('<blockquote');
  });

  it('writes Serbian in Latin script for sr-Latn, leaving the customer’s own words alone', () => {
    const email = renderEmail('promoter-thanks', { language: 'sr', latin: true }, { ...view, name: 'Милан' });
    expect(email.subject).toBe('Hvala vam na lepim rečima, Милан');
    expect(email.html).toContain('lang="sr-Latn"');
    expect(toSerbianLatin('Љубав, Његош, Џеп, ћорсокак')).toBe('Ljubav, Njegoš, Džep, ćorsokak');
  });

  it('uses each language’s own letters', () => {
    expect(renderEmail('birthday', { language: 'tr', latin: false }, view).subject).toBe('Doğum gününüz kutlu olsun, Ayşe!');
    expect(renderEmail('birthday', { language: 'et', latin: false }, view).subject).toBe('Palju õnne sünnipäevaks, Ayşe!');
    expect(renderEmail('win-back', { language: 'sr', latin: false }, view).subject).toBe('Недостајете нам, Ayşe');
  });
});

describe('renderUnsubscribePage', () => {
  it('asks for confirmation with a POST form, in the customer’s language', () => {
    const html = renderUnsubscribePage({ language: 'et', latin: false }, { action: '/v1/unsubscribe?token=a.b' });
    expect(html).toContain('<form method="post" action="&#x2F;v1&#x2F;unsubscribe?token&#x3D;a.b">');
    expect(html).toContain('Loobun kirjadest');
  });

  it('confirms without a form once done', () => {
    const html = renderUnsubscribePage({ language: 'tr', latin: false }, 'done');
    expect(html).toContain('Abonelikten çıktınız');
    expect(html).not.toContain('<form');
  });
});

describe('headers never carry what a name smuggles in', () => {
  const view = { name: 'Ayşe', score: 10, brand: { name: 'Deniz' }, unsubscribeUrl: 'https://x.example/u' };
  it.each([
    ['CR LF', 'Ayşe\r\nBcc: victim@example.com'],
    ['NUL', 'Ay\u0000şe'],
    ['a right-to-left override', 'Ayşe\u202Egnp.exe'],
    ['bidi isolates', '\u2066Ayşe\u2069'],
  ])('a stored name with %s gives a one-line subject without it', (_what, name) => {
    for (const campaignId of CAMPAIGN_IDS) {
      const { subject } = renderEmail(campaignId, { language: 'en', latin: false }, { ...view, name });
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    }
  });
});

describe('appreciation emails come from the brand', () => {
  const brand = { name: 'Acme <Shop>', logoUrl: 'https://cdn.example/a.png', color: '#3949ab' };
  it.each([
    ['tr', 'En iyi dileklerimizle,'],
    ['sr', 'Срдачан поздрав,'],
    ['et', 'Parimate soovidega'],
  ] as const)('signed off in %s by the brand’s name, with its logo and colour escaped', (language, closing) => {
    const email = renderEmail('promoter-thanks', { language, latin: false }, { ...view, brand });
    expect(email.text).toContain(`${closing}\nAcme <Shop>\n`);
    expect(email.html).toContain(`${closing}<br>Acme &lt;Shop&gt;</p>`);
    expect(email.html).toContain('<img src="https:&#x2F;&#x2F;cdn.example&#x2F;a.png" alt="Acme &lt;Shop&gt;"');
  });
});
