/**
 * The survey page's script, bundled into the page (npm run pages). It posts the answers as JSON with an
 * Idempotency-Key made per page load (and per distinct answer), so a double click stores once and a changed answer
 * replaces the first.
 */
import type { SurveyPageData } from '../page-data.ts';
import { byId, optionalById, pageData } from './dom.ts';

const data = pageData<SurveyPageData>();
const t = data.t;
const form = byId('survey', HTMLFormElement);
const status = byId('status', HTMLElement);
const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
const thanks = byId('thanks', HTMLElement);
const again = byId('again', HTMLButtonElement);
const previous = optionalById('previous', HTMLElement);
const endpoint = new URL('../v1/responses', location.href).href;
const pageKey = randomKey();
let attempt = 0;
let lastBody: string | null = null;
let busy = false;

/** The text questions' boxes, each with its character counter. */
const texts = data.fields.flatMap((field) => {
  if (field.kind !== 'text') return [];
  const box = optionalById(field.id, HTMLTextAreaElement);
  return box ? [{ field, box, counter: optionalById(`${field.id}-count`, HTMLElement) }] : [];
});

function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');
}
function say(message?: string): void {
  status.textContent = message || '';
}
function chosen(name: string): number | undefined {
  const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
  return input ? Number(input.value) : undefined;
}
function countChars(text: (typeof texts)[number]): void {
  if (text.counter) text.counter.textContent = t.charsLeft.replace('{n}', String(text.field.maxLength - text.box.value.length));
}
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function post(json: string, key: string): Promise<Response> {
  for (let i = 0; ; i++) {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: json,
      credentials: 'omit',
      cache: 'no-store',
    });
    // 409: the same key is still being processed (a double click); its answer follows shortly.
    if (res.status === 409 && i < 5) {
      await wait(300 * (i + 1));
      continue;
    }
    return res;
  }
}

function messageFor(httpStatus: number): string {
  if (httpStatus === 403) return t.invalid;
  if (httpStatus === 404) return t.notFound;
  if (httpStatus === 429) return t.tooMany;
  return t.failed;
}

for (const text of texts) {
  text.box.addEventListener('input', () => countChars(text));
  countChars(text);
}
form.addEventListener('change', () => say(''));

form.addEventListener('submit', (event) => void submit(event));

async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (busy) return;
  const body: Record<string, string | number> = { surveyId: data.surveyId };
  if (data.token) body.token = data.token;
  let scored = false;
  for (const field of data.fields) {
    if (field.kind !== 'scale') continue;
    const value = chosen(field.id);
    if (value !== undefined) {
      body[field.id] = value;
      scored = true;
    }
  }
  if (!scored) {
    say(t.required);
    form.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
    return;
  }
  for (const { field, box } of texts) {
    const text = box.value.trim();
    if (text) body[field.id] = text.slice(0, field.maxLength);
  }
  body.channel = data.channel;
  const json = JSON.stringify(body);
  if (json !== lastBody) {
    attempt += 1;
    lastBody = json;
  }

  busy = true;
  button.disabled = true;
  button.textContent = t.sending;
  say('');
  try {
    const res = await post(json, `${pageKey}-${attempt}`);
    if (res.ok) {
      form.hidden = true;
      if (previous) previous.hidden = true;
      thanks.hidden = false;
      thanks.focus();
    } else {
      say(messageFor(res.status));
    }
  } catch {
    say(t.offline);
  } finally {
    busy = false;
    button.disabled = false;
    button.textContent = t.submit;
  }
}

again.addEventListener('click', () => {
  thanks.hidden = true;
  form.hidden = false;
  const input = form.querySelector<HTMLElement>('input:checked') ?? form.querySelector<HTMLElement>('input, textarea');
  input?.focus();
});
