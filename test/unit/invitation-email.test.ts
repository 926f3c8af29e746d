import { describe, expect, it } from 'vitest';
import { EMAIL_LANGUAGES } from '../../functions/core/email-copy.ts';
import { firstScaleQuestion, INVITATION_EMAILS, renderInvitation } from '../../functions/core/invitations/email.ts';
import { verifyToken } from '../../functions/core/tokens.ts';
import { invitationEmailKind, invitationLink } from '../../functions/dispatch-invitations/invitation-email.ts';
import type { DispatchPorts } from '../../functions/dispatch-invitations/ports.ts';
import type { Invitation } from '../../functions/data/invitations.ts';

const ring = { activeKid: 'k1', keys: { k1: 'a-signing-secret-of-length' } };
const brand = { name: 'Acme & Co', logoUrl: 'https://cdn.example/logo.png?a=1&b=2', color: '#3949ab' };
const view = {
  name: 'Ayşe <b>',
  brand,
  surveyUrl: 'https://x.example/s/s-1?t=k1.abc.def',
  unsubscribeUrl: 'https://x.example/v1/unsubscribe?token=u.v.w',
};

describe('firstScaleQuestion', () => {
  it('is NPS, else CSAT, else CES, in the registry order whatever the survey order', () => {
    expect(firstScaleQuestion(['comment', 'ces', 'csat', 'nps'])?.id).toBe('nps');
    expect(firstScaleQuestion(['ces', 'csat'])?.id).toBe('csat');
    expect(firstScaleQuestion(['comment', 'ces'])?.id).toBe('ces');
    expect(firstScaleQuestion(['comment'])).toBeUndefined();
  });
});

describe('renderInvitation', () => {
  for (const email of INVITATION_EMAILS) {
    for (const language of EMAIL_LANGUAGES) {
      it(`${email} in ${language}: addressed by name, one link per answer with its score, a plain link, both parts`, () => {
        const nps = firstScaleQuestion(['nps'])!;
        const out = renderInvitation(email, nps, { language, latin: false }, view);
        for (const part of [out.subject, out.html, out.text]) expect(part).not.toMatch(/\{\{|\}\}/);
        expect(out.subject).toContain('Acme & Co');
        expect(out.text).toContain('Ayşe <b>');
        expect(out.html).toContain('Ayşe &lt;b&gt;');
        expect(out.text).toContain(nps.copy[language].question);
        for (let score = 0; score <= 10; score++) {
          expect(out.text).toContain(`${score}: ${view.surveyUrl}&score=${score}`);
          expect(out.html).toContain(`t&#x3D;k1.abc.def&amp;score&#x3D;${score}"`);
        }
        expect(out.html).toContain('href="https:&#x2F;&#x2F;x.example&#x2F;s&#x2F;s-1?t&#x3D;k1.abc.def"');
        expect(out.text).toContain(view.unsubscribeUrl);
        expect(out.language).toBe(language === 'sr' ? 'sr-Cyrl' : language);
      });
    }
  }

  it('is from the brand: logo and colour applied, escaped; a bad colour or a non-https logo is dropped', () => {
    const out = renderInvitation('invitation', firstScaleQuestion(['csat']), { language: 'en', latin: false }, view);
    expect(out.html).toContain(
      '<img src="https:&#x2F;&#x2F;cdn.example&#x2F;logo.png?a&#x3D;1&amp;b&#x3D;2" alt="Acme &amp; Co"',
    );
    expect(out.html).toContain('color:#3949ab');
    expect(out.text).toMatch(/Best wishes,\nAcme & Co\n/);
    const hostile = renderInvitation(
      'invitation',
      firstScaleQuestion(['csat']),
      { language: 'en', latin: false },
      {
        ...view,
        brand: { name: 'X', logoUrl: 'javascript:alert(1)', color: 'red;background:url(x)' },
      },
    );
    expect(hostile.html).not.toContain('<img');
    expect(hostile.html).not.toContain('red;background');
    expect(hostile.html).toContain('color:#1f6feb');
  });

  it('asks a CSAT survey on its own scale (1–5), and a survey of text questions only by the plain link', () => {
    const csat = renderInvitation('reminder', firstScaleQuestion(['csat', 'comment']), { language: 'tr', latin: false }, view);
    expect(csat.text).toContain(`5: ${view.surveyUrl}&score=5`);
    expect(csat.text).not.toContain('&score=0');
    expect(csat.text).not.toContain('&score=6');
    const text = renderInvitation('invitation', undefined, { language: 'et', latin: false }, view);
    expect(text.text).not.toContain('&score=');
    expect(text.text).toContain(`Ava küsitlus: ${view.surveyUrl}`);
  });

  it('writes Serbian in Latin script for sr-Latn, the question too', () => {
    const out = renderInvitation('invitation', firstScaleQuestion(['nps']), { language: 'sr', latin: true }, view);
    expect(out.text).toContain('Koliko je verovatno');
    expect(out.html).toContain('lang="sr-Latn"');
  });
});

describe('the invitation email kind', () => {
  const invitation: Invitation = {
    invitationId: 'inv-1',
    surveyId: 's-1',
    customerId: 'c-1',
    trigger: 'manual',
    status: 'scheduled',
    sendAt: '2026-11-28T10:00:00.000Z',
    createdAt: '2026-11-28T09:00:00.000Z',
  };
  const ports = {
    now: () => Date.parse('2026-11-28T10:00:00Z'),
    linkBaseUrl: 'https://fb.example',
    settings: { brand, timeZone: 'UTC', sendWindow: { from: '09:00', to: '20:00' }, maxSendRate: 10 },
  } as unknown as DispatchPorts;
  const kind = invitationEmailKind(ports, ring, async () => undefined);
  const candidate = (name: string, email: 'invitation' | 'reminder' = 'invitation') => ({
    customer: { customerId: 'c-1', email: 'c1@example.com', name, locale: 'tr-TR', unsubscribed: false },
    period: 'inv-1',
    invitation,
    survey: { surveyId: 's-1', questions: ['nps'] },
    email,
    expiresAt: '2026-12-12T10:00:00.000Z',
  });

  it('links carry a survey token naming the invitation, expiring with it, the same in the reminder', () => {
    const first = kind.compose(candidate('Ayşe'));
    const reminder = kind.compose(candidate('Ayşe', 'reminder'));
    const link = invitationLink(ring, 'https://fb.example', invitation, '2026-12-12T10:00:00.000Z');
    expect(first.text).toContain(`${link}&score=9`);
    expect(reminder.text).toContain(`${link}&score=9`);
    const token = decodeURIComponent(new URL(link).searchParams.get('t')!);
    expect(verifyToken(ring, token, 'survey', ports.now())).toMatchObject({
      customerId: 'c-1',
      surveyId: 's-1',
      invitationId: 'inv-1',
      exp: Date.parse('2026-12-12T10:00:00Z') / 1000,
    });
    expect(first.language).toBe('tr');
  });

  it.each([
    ['CR LF', 'Ayşe\r\nBcc: victim@example.com'],
    ['a right-to-left override', 'Ayşe\u202Egnp.exe'],
  ])('headers are present and one safe line whatever the name holds (%s)', (_what, name) => {
    const email = kind.compose(candidate(name));
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email.headers['List-Unsubscribe']).toMatch(/^<https:\/\/fb\.example\/v1\/unsubscribe\?token=[^>\s]+>$/);
    for (const header of [email.subject, ...Object.values(email.headers)]) {
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(header).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    }
  });
});
