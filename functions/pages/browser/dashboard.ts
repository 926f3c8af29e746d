/**
 * The dashboard's script, bundled into the page (npm run pages). It keeps the admin token or read key in
 * sessionStorage, recent survey ids in localStorage, reads the API and draws its charts as inline SVG. Everything from
 * the API reaches the page through textContent or SVG attributes, never as markup. What it shows per question comes
 * from the page data (the question registry): a metric's tile, trend, distribution, segment column and comment badge
 * follow from its scoring role.
 */
import { dateIssues, EARLIEST_DATE, latestDate, MAX_RANGE_DAYS, spanIssues } from '#core/date-range.ts';
import type { AverageScore, NetPromoterScore, TopBoxScore } from '#core/scores.ts';
import type { DashboardMetric, DashboardPageData } from '../page-data.ts';
import { byId, optionalById, pageData } from './dom.ts';

type MetricScore = NetPromoterScore | TopBoxScore | AverageScore;
/** A `total`, series point or segment of the scores API: the responses, and a score (or null) per metric id. */
type ScoresBody = { responses?: number; [metric: string]: MetricScore | number | null | undefined };
/** The invitations sent in a period, those answered so far, and the rate (`total` and each series point). */
interface Invitations {
  sent: number;
  answered: number;
  responseRate: number | null;
}
/** A metric's change against the period before (contract, Scores: Change); null on the first period or too few answers. */
interface Change {
  delta: number;
  significant: boolean;
}
type SeriesItem = ScoresBody & { period: string; change?: Record<string, Change | null | undefined> | null };
interface ScoreReport {
  from?: string;
  to?: string;
  total?: ScoresBody & { invitations?: Invitations };
  series?: SeriesItem[];
  segments?: Array<ScoresBody & { key?: string | null }>;
}
interface Survey {
  surveyId: string;
  name?: string;
  questions?: string[];
  segmentBy?: string[];
}
interface ResponseItem {
  comment?: unknown;
  submittedAt?: string;
  channel?: string;
  customerId?: string;
  [answer: string]: unknown;
}
/** The API's JSON as read: each caller says which body it expects (the contract's shapes). */
interface Reply {
  ok: boolean;
  status: number;
  body: unknown;
}
interface ErrorBody {
  error?: { code?: string; message?: string };
}
interface ResponsePage {
  items?: unknown;
  nextCursor?: string;
}
/** An item of the customer's timeline (contract, Noticing: Timeline). */
interface TimelineItem {
  at?: string;
  kind?: string;
  changed?: { from?: string; to?: string };
  [field: string]: unknown;
}

const { metrics } = pageData<DashboardPageData>();
const TOKEN_KEY = 'feedback.adminToken';
const RECENT_KEY = 'feedback.recentSurveys';
const SURVEY_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SVG = 'http://www.w3.org/2000/svg';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const state = {
  token: null as string | null,
  seq: 0,
  survey: null as Survey | null,
  scores: null as ScoreReport | null,
  items: [] as ResponseItem[],
  cursor: null as string | null,
  query: '',
  customer: null as string | null,
  timelineCursor: null as string | null,
};

const el = (id: string) => byId(id, HTMLElement);
const input = (id: string) => byId(id, HTMLInputElement);
const bySelect = byId('by', HTMLSelectElement);

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number | null,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function s(tag: string, attrs: Record<string, string | number>, parent?: Element): SVGElement {
  const node: SVGElement = document.createElementNS(SVG, tag);
  for (const name in attrs) node.setAttribute(name, String(attrs[name]));
  if (parent) parent.appendChild(node);
  return node;
}
type StorageKind = 'sessionStorage' | 'localStorage';
function store(kind: StorageKind): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}
function read(kind: StorageKind, key: string): string | null {
  const st = store(kind);
  try {
    return st ? st.getItem(key) : null;
  } catch {
    return null;
  }
}
function write(kind: StorageKind, key: string, value: string | null): void {
  const st = store(kind);
  try {
    if (st) {
      if (value === null) st.removeItem(key);
      else st.setItem(key, value);
    }
  } catch {
    /* storage full or denied */
  }
}

// ---------- formatting ----------
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const signed = (score: number) => (score > 0 ? '+' : '') + String(score);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** A period as the charts label it; a day names its year when the range crosses one (`withYear`). */
function periodLabel(period: string, withYear = false): string {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period)))
    return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]}${withYear ? ` ${m[1]}` : ''}`;
  if ((m = /^(\d{4})-W(\d{2})$/.exec(period))) return `W${Number(m[2])} ${m[1]}`;
  if ((m = /^(\d{4})-(\d{2})$/.exec(period))) return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  return period;
}
function when(iso: unknown): string {
  const d = new Date(iso as string);
  if (isNaN(d.getTime())) return String(iso);
  return (
    `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ` +
    `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`
  );
}
const pct = (n: number, total: number) => (total ? `${Math.round((n / total) * 100)}%` : '0%');

// ---------- metrics, by scoring role ----------
const scoreIn = <T extends MetricScore>(scores: ScoresBody | undefined, metric: DashboardMetric) => {
  const value = scores?.[metric.id];
  return value !== null && typeof value === 'object' ? (value as T) : null;
};

/** The headline of a score: the tile's value and the segment table's cell. */
function headline(metric: DashboardMetric, score: MetricScore): string {
  switch (metric.scoring.kind) {
    case 'netPromoter':
      return signed((score as NetPromoterScore).score);
    case 'topBox':
      return `${(score as TopBoxScore).score}%`;
    case 'average':
      return Number((score as AverageScore).average).toFixed(2);
  }
}

/** The tile's small print under the headline. */
function detail(metric: DashboardMetric, score: MetricScore): string {
  const answers = plural(score.responses, 'answer');
  switch (metric.scoring.kind) {
    case 'netPromoter': {
      const margin = (score as NetPromoterScore).marginOfError95;
      return (margin === null || margin === undefined ? '' : `±${margin} (95%) · `) + answers;
    }
    case 'topBox':
      return `${metric.scoring.meaning} · avg ${Number((score as TopBoxScore).average).toFixed(2)} / ${metric.max} · ${answers}`;
    case 'average':
      return `${metric.scoring.meaning}, ${metric.min}–${metric.max} · ${answers}`;
  }
}

/** The trend chart's scale and words; null for a metric without one (an average has no trend chart). */
function trend(metric: DashboardMetric): Omit<LineOptions, 'empty'> | null {
  switch (metric.scoring.kind) {
    case 'netPromoter':
      return { name: metric.label, min: -100, max: 100, ticks: [-100, -50, 0, 50, 100], tick: signed, format: signed };
    case 'topBox': {
      const percent = (v: number) => `${v}%`;
      return {
        name: `${metric.label} (% ${metric.scoring.meaning})`,
        min: 0,
        max: 100,
        ticks: [0, 25, 50, 75, 100],
        tick: percent,
        format: percent,
      };
    }
    case 'average':
      return null;
  }
}

/** A comment's badge for one answer. */
function badgeClass(metric: DashboardMetric, answer: number): string {
  switch (metric.scoring.kind) {
    case 'netPromoter':
      return `badge ${answer >= metric.scoring.promoterFrom ? 'pro' : answer >= metric.scoring.passiveFrom ? 'pas' : 'det'}`;
    case 'topBox':
    case 'average':
      return 'badge plain';
  }
}

// ---------- API ----------
class Unauthorized extends Error {}
/** A GET of the API; `quiet`: a refused credential is left to the reads that need it (no sign-out). */
async function get(path: string, quiet = false): Promise<Reply> {
  const res = await fetch(new URL(path, location.href).href, {
    headers: { authorization: `Bearer ${state.token}`, accept: 'application/json' },
    credentials: 'omit',
    cache: 'no-store',
  });
  if (res.status === 401 && !quiet) {
    signOut('The admin token or key was rejected. Enter it again.');
    throw new Unauthorized();
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  // The dashboard only reads: a key without the read scope (an ingest key) cannot use it.
  if (res.status === 403 && !quiet && (body as ErrorBody | null)?.error?.code === 'forbidden') {
    signOut('This key may not read. Sign in with a read key or the admin token.');
    throw new Unauthorized();
  }
  return { ok: res.ok, status: res.status, body };
}
function problem(reply: Reply, what: string): string {
  const message = (reply.body as ErrorBody | null)?.error?.message;
  return `${what}: ${message || `the API answered HTTP ${reply.status}.`}`;
}

// ---------- sign-in ----------
function showLogin(message?: string): void {
  el('app').hidden = true;
  el('sign-out').hidden = true;
  el('login').hidden = false;
  el('login-error').textContent = message || '';
  input('token').value = '';
  input('token').focus();
}
function showApp(): void {
  el('login').hidden = true;
  el('app').hidden = false;
  el('sign-out').hidden = false;
}
function signOut(message?: string): void {
  state.token = null;
  state.seq += 1;
  write('sessionStorage', TOKEN_KEY, null);
  el('results').hidden = true;
  el('loading').hidden = true;
  showLogin(message);
}

// ---------- recent surveys ----------
function recent(): string[] {
  try {
    const list: unknown = JSON.parse(read('localStorage', RECENT_KEY) || '[]');
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string' && SURVEY_ID.test(id)) : [];
  } catch {
    return [];
  }
}
function remember(id: string): void {
  const list = [id].concat(recent().filter((x) => x !== id)).slice(0, 8);
  write('localStorage', RECENT_KEY, JSON.stringify(list));
  showRecent();
}
function showRecent(): void {
  const list = recent();
  const box = el('recent');
  const options = byId('recent-surveys', HTMLDataListElement);
  while (box.childNodes.length > 1) box.removeChild(box.lastChild!);
  options.textContent = '';
  list.forEach((id) => {
    const chip = h('button', 'chip', id);
    chip.type = 'button';
    chip.addEventListener('click', () => {
      input('survey-id').value = id;
      void load();
    });
    box.appendChild(chip);
    const option = h('option');
    option.value = id;
    options.appendChild(option);
  });
  box.hidden = list.length === 0;
}

// ---------- charts ----------
interface Point {
  label: string;
  value: number | null;
  n: number;
  /** The change from the period before, with the margin of that difference (95%), when the API gave one. */
  change?: Change & { margin: number | null };
}
interface LineOptions {
  name: string;
  min: number;
  max: number;
  ticks: number[];
  tick: (v: number) => string;
  format: (v: number) => string;
  empty: string;
}

function lineChart(box: HTMLElement, points: Point[], o: LineOptions): void {
  box.textContent = '';
  const answered = points.filter((p): p is Point & { value: number } => p.value !== null && p.value !== undefined);
  if (answered.length === 0) {
    box.appendChild(h('p', 'empty', o.empty));
    return;
  }
  const W = Math.max(300, Math.round(box.clientWidth || 720));
  const H = 240,
    L = 46,
    R = 14,
    T = 12,
    B = 30;
  const pw = W - L - R,
    ph = H - T - B;
  const latest = answered[answered.length - 1]!;
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': `${o.name} per period, ${points.length} periods; latest ${latest.label}: ${o.format(latest.value)}`,
  });
  box.appendChild(svg);
  const n = points.length;
  // Each period is a band; its point and its volume bar sit in the middle, so nothing is clipped at the edges.
  const x = (i: number) => L + ((i + 0.5) * pw) / n;
  const y = (v: number) => T + ((o.max - v) / (o.max - o.min)) * ph;
  const most = Math.max(...points.map((p) => p.n || 0), 1);
  const bw = Math.max(2, Math.min(28, (pw / n) * 0.6));
  points.forEach((p, i) => {
    if (!p.n) return;
    const bh = (p.n / most) * ph * 0.25;
    const bar = s(
      'rect',
      { class: 'vol', x: (x(i) - bw / 2).toFixed(1), y: (T + ph - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1) },
      svg,
    );
    s('title', {}, bar).textContent = `${p.label}: ${plural(p.n, 'answer')}`;
  });
  o.ticks.forEach((v) => {
    s('line', { class: v === 0 && o.min < 0 ? 'zero' : 'grid', x1: L, x2: L + pw, y1: y(v), y2: y(v) }, svg);
    s('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent = o.tick(v);
  });
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(pw / 78))));
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    s('text', { x: x(i), y: H - 8, 'text-anchor': 'middle' }, svg).textContent = p.label;
  });
  // A period without answers breaks the line: a gap, not a zero.
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) {
      pen = false;
      return;
    }
    d += `${(pen ? 'L' : 'M') + x(i).toFixed(1)} ${y(p.value).toFixed(1)} `;
    pen = true;
  });
  s('path', { class: 'line', d: d.trim() }, svg);
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    const dot = s('circle', { class: 'dot', cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: n > 60 ? 2 : 3.5 }, svg);
    s('title', {}, dot).textContent =
      `${p.label}: ${o.format(p.value)} (${plural(p.n || 0, 'answer')})` +
      (p.change && !p.change.significant ? `; change ${changeText(p.change)}, within the margin of error` : '');
    // A change beyond the margin of error is marked: a ring and its delta, green up, red down.
    if (p.change?.significant) {
      const way = p.change.delta >= 0 ? 'up' : 'down';
      const mark = s('g', { class: `change ${way}` }, svg);
      s('circle', { class: `sig ${way}`, cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 8 }, mark);
      const above = y(p.value) - 12 > T;
      s(
        'text',
        { class: `sig-label ${way}`, x: x(i), y: (y(p.value) + (above ? -12 : 20)).toFixed(1), 'text-anchor': 'middle' },
        mark,
      ).textContent = signedDelta(p.change.delta);
      s('title', {}, mark).textContent = `${p.label}: significant change ${changeText(p.change)}`;
    }
  });
  const legend = h('ul', 'legend');
  const a = h('li');
  a.appendChild(h('i', 'sw-line'));
  a.appendChild(document.createTextNode(o.name));
  const b = h('li');
  b.appendChild(h('i', 'sw-vol'));
  b.appendChild(document.createTextNode('answers per period'));
  legend.appendChild(a);
  legend.appendChild(b);
  box.appendChild(legend);
  const significant = points.filter((p) => p.change?.significant);
  if (points.some((p) => p.change)) {
    const list = h('ul', 'changes');
    if (significant.length === 0) list.appendChild(h('li', '', 'No change beyond the margin of error.'));
    significant.forEach((p) => {
      const li = h('li');
      li.appendChild(document.createTextNode(`${p.label}: `));
      li.appendChild(h('span', p.change!.delta >= 0 ? 'up' : 'down', signedDelta(p.change!.delta)));
      li.appendChild(document.createTextNode(` ${changeMargin(p.change!)}, beyond the margin of error`));
      list.appendChild(li);
    });
    box.appendChild(list);
  }
}

const signedDelta = (delta: number) => (delta > 0 ? '+' : delta < 0 ? '−' : '±') + Math.abs(delta).toFixed(1);
const changeMargin = (change: { margin: number | null }) =>
  change.margin === null ? '' : `(margin ±${change.margin.toFixed(1)}, 95%)`;
const changeText = (change: Change & { margin: number | null }) => `${signedDelta(change.delta)} ${changeMargin(change)}`.trim();

/**
 * The margin (95%) of a difference between two periods' scores, 1.96 × its standard error as the contract's Change
 * rule has it: NPS from the periods' own margins (each 1.96 × sqrt(s²/n)), CSAT from the shares of 4s and 5s. A
 * change is significant when its delta exceeds this; the API says which, the page shows by how much.
 */
function differenceMargin(metric: DashboardMetric, previous: MetricScore | null, current: MetricScore | null): number | null {
  if (!previous || !current) return null;
  if (metric.scoring.kind === 'netPromoter') {
    const [a, b] = [(previous as NetPromoterScore).marginOfError95, (current as NetPromoterScore).marginOfError95];
    return a === null || a === undefined || b === null || b === undefined ? null : Math.sqrt(a * a + b * b);
  }
  if (metric.scoring.kind === 'topBox') {
    const share = (score: MetricScore) => (score as TopBoxScore).score / 100;
    const part = (score: MetricScore) => (share(score) * (1 - share(score))) / score.responses;
    return 196 * Math.sqrt(part(previous) + part(current));
  }
  return null;
}

function barChart(
  box: HTMLElement,
  title: string,
  distribution: Record<string, number> | undefined,
  from: number,
  to: number,
): void {
  const wrap = h('div');
  wrap.appendChild(h('h4', '', title));
  const counts: Array<{ label: string; n: number }> = [];
  for (let v = from; v <= to; v++) counts.push({ label: String(v), n: Number((distribution || {})[String(v)] || 0) });
  const total = counts.reduce((sum, c) => sum + c.n, 0);
  const most = Math.max(...counts.map((c) => c.n), 1);
  const W = Math.max(260, Math.round(box.clientWidth || 420)),
    H = 120,
    T = 16,
    B = 20;
  const slot = W / counts.length,
    bw = Math.min(44, slot * 0.66);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': `${title}: ${counts.map((c) => `${c.label}: ${c.n}`).join(', ')}`,
  });
  counts.forEach((c, i) => {
    const cx = slot * i + slot / 2;
    const bh = c.n ? Math.max(2, (c.n / most) * (H - T - B)) : 0;
    const bar = s(
      'rect',
      {
        class: 'bar',
        x: (cx - bw / 2).toFixed(1),
        y: (H - B - bh).toFixed(1),
        width: bw.toFixed(1),
        height: bh.toFixed(1),
        rx: 3,
      },
      svg,
    );
    s('title', {}, bar).textContent = `${c.label}: ${c.n} (${pct(c.n, total)})`;
    s('line', { class: 'grid', x1: cx - bw / 2 - 2, x2: cx + bw / 2 + 2, y1: H - B, y2: H - B }, svg);
    if (c.n) s('text', { class: 'bar-label', x: cx, y: H - B - bh - 4, 'text-anchor': 'middle' }, svg).textContent = String(c.n);
    s('text', { x: cx, y: H - 4, 'text-anchor': 'middle' }, svg).textContent = c.label;
  });
  const chart = h('div', 'chart');
  chart.appendChild(svg);
  wrap.appendChild(chart);
  box.appendChild(wrap);
}

function promoterSplit(
  box: HTMLElement,
  metric: DashboardMetric,
  role: { promoterFrom: number; passiveFrom: number },
  score: NetPromoterScore,
): void {
  box.appendChild(h('h4', '', `${metric.label}: promoters, passives, detractors`));
  const parts: Array<[string, number, string, string]> = [
    [`Promoters (${role.promoterFrom}–${metric.max})`, score.promoters, 'sw-pro', '#2e7d32'],
    [`Passives (${role.passiveFrom}–${role.promoterFrom - 1})`, score.passives, 'sw-pas', '#9e9e9e'],
    [`Detractors (${metric.min}–${role.passiveFrom - 1})`, score.detractors, 'sw-det', '#c62828'],
  ];
  const total = score.responses || 1;
  const bar = h('div', 'split');
  const svg = s(
    'svg',
    {
      viewBox: '0 0 100 10',
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': parts.map((p) => `${p[0]}: ${p[1]}`).join(', '),
    },
    bar,
  );
  let at = 0;
  parts.forEach((p) => {
    const w = (p[1] / total) * 100;
    if (w > 0) s('rect', { x: at.toFixed(3), y: 0, width: w.toFixed(3), height: 10, fill: p[3] }, svg);
    at += w;
  });
  box.appendChild(bar);
  const legend = h('ul', 'legend');
  parts.forEach((p) => {
    const li = h('li');
    li.appendChild(h('i', p[2]));
    li.appendChild(document.createTextNode(`${p[0]}: ${p[1]} (${pct(p[1], score.responses)})`));
    legend.appendChild(li);
  });
  box.appendChild(legend);
}

// ---------- rendering ----------
function kpi(id: string, value: string, sub: string): void {
  const card = el(id);
  card.querySelector('.value')!.textContent = value;
  card.querySelector('.sub')!.textContent = sub;
}
const asks = (metric: string) => !state.survey || !state.survey.questions || state.survey.questions.indexOf(metric) >= 0;

function renderScores(): void {
  const scores = state.scores!;
  const total: ScoresBody = scores.total || { responses: 0 };
  for (const metric of metrics) {
    const score = scoreIn(total, metric);
    kpi(
      `kpi-${metric.id}`,
      score ? headline(metric, score) : '–',
      score ? detail(metric, score) : asks(metric.id) ? 'No answers yet' : 'Not asked',
    );
  }
  // A range across a new year names the year in every day it labels.
  const withYear = (scores.from || '').slice(0, 4) !== (scores.to || '').slice(0, 4);
  kpi(
    'kpi-responses',
    String(total.responses || 0),
    `${periodLabel(scores.from || '', withYear)} – ${periodLabel(scores.to || '', withYear)}`,
  );
  const invitations = scores.total?.invitations;
  if (invitations && invitations.responseRate !== null) {
    kpi(
      'kpi-response-rate',
      `${invitations.responseRate}%`,
      `${invitations.answered} of ${plural(invitations.sent, 'invitation')} answered`,
    );
  } else kpi('kpi-response-rate', '–', 'No invitations sent');

  const series = Array.isArray(scores.series) ? scores.series : [];
  for (const metric of metrics) {
    const options = trend(metric);
    const box = optionalById(`chart-${metric.id}`, HTMLElement);
    if (!options || !box) continue;
    const points = series.map((p, i): Point => {
      const score = scoreIn<NetPromoterScore | TopBoxScore>(p, metric);
      const change = p.change?.[metric.id];
      return {
        label: periodLabel(p.period, withYear),
        value: score ? score.score : null,
        n: score ? score.responses : 0,
        ...(change && typeof change.delta === 'number'
          ? { change: { ...change, margin: differenceMargin(metric, scoreIn(series[i - 1], metric), score) } }
          : {}),
      };
    });
    const empty = asks(metric.id) ? `No ${metric.label} answers in this period.` : `This survey does not ask ${metric.label}.`;
    lineChart(box, points, { ...options, empty });
  }

  const dist = el('distribution');
  dist.textContent = '';
  let any = false;
  for (const metric of metrics) {
    const score = scoreIn(total, metric);
    if (!score) continue;
    any = true;
    if (metric.scoring.kind === 'netPromoter') promoterSplit(dist, metric, metric.scoring, score as NetPromoterScore);
    else {
      const title = `${metric.label} answers (${metric.min} = ${metric.low.toLowerCase()}, ${metric.max} = ${metric.high.toLowerCase()})`;
      barChart(dist, title, (score as TopBoxScore | AverageScore).distribution, metric.min, metric.max);
    }
  }
  if (!any) dist.appendChild(h('p', 'empty', 'No answers in this period.'));

  renderSegments(scores.segments);
}

function renderSegments(segments: ScoreReport['segments']): void {
  const box = el('segments');
  box.textContent = '';
  const byLabel = bySelect.options[bySelect.selectedIndex] ? bySelect.options[bySelect.selectedIndex]!.textContent : '';
  if (!Array.isArray(segments) || segments.length === 0) {
    box.appendChild(h('p', 'empty', `No answers to break down by ${byLabel.toLowerCase()} in this period.`));
    return;
  }
  const table = h('table');
  const caption = h('caption', 'sr-only', `Scores by ${byLabel}`);
  table.appendChild(caption);
  const head = h('tr');
  [byLabel, 'Responses', ...metrics.map((m) => m.label)].forEach((title) => {
    const th = h('th', '', title);
    th.scope = 'col';
    head.appendChild(th);
  });
  const thead = h('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = h('tbody');
  segments
    .slice()
    .sort((a, b) => (b.responses || 0) - (a.responses || 0))
    .forEach((seg) => {
      const tr = h('tr');
      const th = h('th', '', seg.key === '' || seg.key === null || seg.key === undefined ? '(none)' : seg.key);
      th.scope = 'row';
      tr.appendChild(th);
      tr.appendChild(h('td', '', seg.responses || 0));
      for (const metric of metrics) {
        const score = scoreIn(seg, metric);
        tr.appendChild(h('td', '', score ? headline(metric, score) : '–'));
      }
      tbody.appendChild(tr);
    });
  table.appendChild(tbody);
  const scroller = h('div', 'table-wrap');
  scroller.appendChild(table);
  box.appendChild(scroller);
}

function renderComments(): void {
  const list = el('comments');
  list.textContent = '';
  const withText = state.items.filter(
    (r): r is ResponseItem & { comment: string } => typeof r.comment === 'string' && r.comment.trim() !== '',
  );
  withText.sort((a, b) => String(b.submittedAt).localeCompare(String(a.submittedAt)));
  withText.forEach((r) => {
    const li = h('li');
    const meta = h('div', 'meta');
    for (const metric of metrics) {
      const answer = r[metric.id];
      if (typeof answer === 'number') meta.appendChild(h('span', badgeClass(metric, answer), `${metric.label} ${answer}`));
    }
    const facts = [when(r.submittedAt)];
    if (r.channel) facts.push(r.channel);
    meta.appendChild(h('span', '', facts.join(' · ')));
    // One click from a comment to everything that happened with its customer.
    if (r.customerId) meta.appendChild(customerLink(r.customerId));
    li.appendChild(meta);
    li.appendChild(h('p', '', r.comment));
    list.appendChild(li);
  });
  el('comments-empty').hidden = withText.length > 0;
  el('more').hidden = !state.cursor;
}

async function loadResponses(append: boolean): Promise<void> {
  const id = state.survey!.surveyId;
  const path =
    `v1/surveys/${encodeURIComponent(id)}/responses?${state.query}&limit=100` +
    (append && state.cursor ? `&cursor=${encodeURIComponent(state.cursor)}` : '');
  const seq = state.seq;
  const reply = await get(path);
  if (seq !== state.seq) return;
  el('comments-error').textContent = reply.ok ? '' : problem(reply, 'Comments could not be loaded');
  if (!reply.ok) {
    if (!append) {
      state.items = [];
      state.cursor = null;
    }
    el('more').hidden = true;
    el('comments-empty').hidden = true;
    return;
  }
  const page = reply.body as ResponsePage | null;
  const items = page && Array.isArray(page.items) ? (page.items as ResponseItem[]) : [];
  state.items = append ? state.items.concat(items) : items;
  state.cursor = page && page.nextCursor ? page.nextCursor : null;
  renderComments();
}

// ---------- the customer's timeline ----------
/** The dashboard's address of a customer's timeline (what alert emails link to), keeping the survey in view. */
const customerHref = (customerId: string) => `?${new URLSearchParams({ customer: customerId }).toString()}${location.hash}`;

function customerLink(customerId: string): HTMLAnchorElement {
  const link = h('a', 'customer-link', customerId);
  link.href = customerHref(customerId);
  link.title = `Everything that happened with ${customerId}`;
  return link;
}

/** One timeline item, as text: what happened, and when. */
function timelineEntry(item: TimelineItem): HTMLLIElement {
  const li = h('li');
  const meta = h('div', 'meta');
  meta.appendChild(h('span', 'badge kind', item.kind ?? '?'));
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  let what = '';
  switch (item.kind) {
    case 'response':
      for (const metric of metrics) {
        const answer = item[metric.id];
        if (typeof answer === 'number') meta.appendChild(h('span', badgeClass(metric, answer), `${metric.label} ${answer}`));
      }
      what = `Answered ${text(item.surveyId)}`;
      break;
    case 'email':
      what = `Email “${text(item.subject) || text(item.campaignId)}” (${text(item.campaignId)}), ${text(item.status)}`;
      break;
    case 'invitation':
      what = `Invitation to ${text(item.surveyId)} (${text(item.trigger)}), ${text(item.status)}`;
      break;
    case 'event': {
      const properties = item.properties && typeof item.properties === 'object' ? item.properties : {};
      const facts = Object.entries(properties).map(([name, value]) => `${name} ${text(value)}`);
      what = `${text(item.type)}${facts.length ? ` · ${facts.join(', ')}` : ''}`;
      break;
    }
    case 'unsubscribe':
      what = item.reason === 'unsubscribed' ? 'Unsubscribed from emails' : `Emails stopped: ${text(item.reason)}`;
      break;
  }
  meta.appendChild(h('span', '', `${when(item.at)} · ${what}`));
  if (item.changed && item.changed.from && item.changed.to) {
    const to = item.changed.to;
    const tone = to === 'promoter' ? 'pro' : to === 'detractor' ? 'det' : 'pas';
    meta.appendChild(h('span', `badge changed ${tone}`, `${item.changed.from} → ${to}`));
  }
  li.appendChild(meta);
  if (typeof item.comment === 'string' && item.comment.trim() !== '') li.appendChild(h('p', '', item.comment));
  return li;
}

async function loadTimeline(append: boolean): Promise<void> {
  const id = state.customer!;
  const base = `v1/customers/${encodeURIComponent(id)}`;
  const seq = state.seq;
  const [profile, reply] = await Promise.all([
    append ? Promise.resolve(null) : get(base),
    get(
      `${base}/timeline?limit=50${append && state.timelineCursor ? `&cursor=${encodeURIComponent(state.timelineCursor)}` : ''}`,
    ),
  ]);
  if (seq !== state.seq) return;
  el('customer').hidden = false;
  if (profile) {
    const customer = (profile.body as { customer?: { name?: string; email?: string } } | null)?.customer;
    el('customer-title').textContent = customer?.name || id;
    el('customer-meta').textContent = [id, customer?.email].filter(Boolean).join(' · ');
  }
  if (reply.status === 404) {
    el('customer-title').textContent = id;
    el('timeline-error').textContent = `There is no customer "${id}".`;
    el('timeline-more').hidden = true;
    return;
  }
  el('timeline-error').textContent = reply.ok ? '' : problem(reply, 'The timeline could not be loaded');
  if (!reply.ok) return;
  const page = reply.body as ResponsePage | null;
  const items = page && Array.isArray(page.items) ? (page.items as TimelineItem[]) : [];
  const list = el('timeline');
  if (!append) list.textContent = '';
  items.forEach((item) => list.appendChild(timelineEntry(item)));
  state.timelineCursor = page && page.nextCursor ? page.nextCursor : null;
  el('timeline-empty').hidden = list.childElementCount > 0;
  el('timeline-more').hidden = !state.timelineCursor;
}

function showCustomer(): void {
  el('customer-back').setAttribute('href', `${location.pathname}${location.hash}`);
  loadTimeline(false).catch((error: unknown) => {
    if (!(error instanceof Unauthorized))
      el('timeline-error').textContent = 'The timeline could not be loaded: the API could not be reached.';
  });
}

// ---------- the survey picker ----------
async function loadSurveyList(): Promise<void> {
  const reply = await get('v1/surveys', true);
  if (!reply.ok) return;
  const surveys = (reply.body as { items?: Survey[] } | null)?.items;
  const picker = byId('survey-picker', HTMLSelectElement);
  while (picker.options.length > 1) picker.remove(1);
  (Array.isArray(surveys) ? surveys : []).forEach((survey) => {
    const option = h('option', '', survey.name ? `${survey.name} (${survey.surveyId})` : survey.surveyId);
    option.value = survey.surveyId;
    picker.appendChild(option);
  });
  picker.value = input('survey-id').value.trim();
  if (picker.selectedIndex < 0) picker.value = '';
}

function setSegmentOptions(segmentBy: string[] | undefined, wanted: string | null): void {
  bySelect.textContent = '';
  const options: Array<[string, string]> = [
    ['channel', 'Channel'],
    ...(segmentBy || []).map((name): [string, string] => [`attr.${name}`, name]),
  ];
  options.forEach((o) => {
    const option = h('option', '', o[1]);
    option.value = o[0];
    bySelect.appendChild(option);
  });
  bySelect.value = options.some((o) => o[0] === wanted) ? wanted! : 'channel';
}

function message(text?: string): void {
  el('message').textContent = text || '';
}

async function load(): Promise<void> {
  const id = input('survey-id').value.trim();
  const from = input('from').value,
    to = input('to').value;
  if (!SURVEY_ID.test(id)) {
    message('A survey ID is 1–64 lower-case letters, digits and dashes.');
    input('survey-id').focus();
    return;
  }
  if (!from || !to || from > to) {
    message('Choose a period whose start is not after its end.');
    input('from').focus();
    return;
  }
  // The API's own rules (it answers 400 anyway): a crafted link with absurd dates sends nothing.
  const today = isoDay(new Date());
  const outOfBounds = [...dateIssues({ from, to }, today), ...spanIssues({ from, to }, MAX_RANGE_DAYS)][0];
  if (outOfBounds) {
    message(`${outOfBounds.path === 'from' ? 'From' : 'To'}: ${outOfBounds.message}`);
    input(outOfBounds.path).focus();
    return;
  }
  const seq = ++state.seq;
  message('');
  el('loading').hidden = false;
  try {
    const surveyReply = await get(`v1/surveys/${encodeURIComponent(id)}`);
    if (seq !== state.seq) return;
    if (surveyReply.status === 404) {
      el('results').hidden = true;
      message(`There is no survey "${id}". Check the ID.`);
      return;
    }
    if (!surveyReply.ok) {
      el('results').hidden = true;
      message(problem(surveyReply, 'The survey could not be loaded'));
      return;
    }
    const survey = surveyReply.body as Survey;
    state.survey = survey;
    const picker = byId('survey-picker', HTMLSelectElement);
    picker.value = id;
    if (picker.selectedIndex < 0) picker.value = '';
    setSegmentOptions(survey.segmentBy, bySelect.value);
    remember(id);
    const interval = byId('interval', HTMLSelectElement).value,
      by = bySelect.value;
    state.query = `from=${from}&to=${to}`;
    history.replaceState(null, '', `#${new URLSearchParams({ survey: id, from, to, interval, by }).toString()}`);
    const scoresReply = await get(
      `v1/surveys/${encodeURIComponent(id)}/scores?${state.query}&interval=${interval}&by=${encodeURIComponent(by)}`,
    );
    if (seq !== state.seq) return;
    if (!scoresReply.ok) {
      el('results').hidden = true;
      message(problem(scoresReply, 'The scores could not be loaded'));
      return;
    }
    state.scores = scoresReply.body as ScoreReport;
    el('survey-name').textContent = survey.name || id;
    document.title = `${survey.name || id} · Feedback dashboard`;
    el('survey-meta').textContent = `${id} · ${(survey.questions || []).join(', ').toUpperCase()}`;
    el('results').hidden = false;
    renderScores();
    await loadResponses(false);
  } catch (error) {
    if (!(error instanceof Unauthorized) && seq === state.seq) {
      message(`The API could not be reached: ${error instanceof Error && error.message ? error.message : String(error)}`);
    }
  } finally {
    if (seq === state.seq) el('loading').hidden = true;
  }
}

// ---------- wiring ----------
const today = new Date();
input('to').value = isoDay(today);
input('from').value = isoDay(new Date(today.getTime() - 29 * 86400000));
for (const name of ['from', 'to']) {
  input(name).min = EARLIEST_DATE;
  input(name).max = latestDate(isoDay(today));
}
const hash = new URLSearchParams(location.hash.slice(1));
for (const name of ['from', 'to', 'interval']) {
  const value = hash.get(name);
  if (value) (document.getElementById(name) as HTMLInputElement | HTMLSelectElement).value = value;
}
const hashBy = hash.get('by');
if (hashBy)
  setSegmentOptions(
    [hashBy.replace(/^attr\./, '')].filter((x) => x !== 'channel'),
    hashBy,
  );
const initial = hash.get('survey') || recent()[0] || '';
input('survey-id').value = initial;
showRecent();

byId('login-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const token = input('token').value.trim();
  if (!token) return;
  state.token = token;
  write('sessionStorage', TOKEN_KEY, token);
  input('token').value = '';
  showApp();
  start();
});
el('sign-out').addEventListener('click', () => signOut(''));
byId('survey-picker', HTMLSelectElement).addEventListener('change', (event) => {
  const id = (event.target as HTMLSelectElement).value;
  if (!id) return;
  input('survey-id').value = id;
  void load();
});
el('timeline-more').addEventListener('click', () => {
  loadTimeline(true).catch((error: unknown) => {
    if (!(error instanceof Unauthorized))
      el('timeline-error').textContent = 'The timeline could not be loaded: the API could not be reached.';
  });
});
byId('query', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void load();
});
el('more').addEventListener('click', () => {
  loadResponses(true).catch((error: unknown) => {
    if (!(error instanceof Unauthorized))
      el('comments-error').textContent = 'Comments could not be loaded: the API could not be reached.';
  });
});
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    if (state.scores && !el('results').hidden) renderScores();
  }, 150);
});

state.customer = new URLSearchParams(location.search).get('customer');

/** Signed in: the survey list for the picker, then the customer the address names, else the survey. */
function start(): void {
  loadSurveyList().catch(() => undefined);
  if (state.customer) showCustomer();
  else if (input('survey-id').value) void load();
  else input('survey-id').focus();
}

state.token = read('sessionStorage', TOKEN_KEY);
if (!state.token) showLogin('');
else {
  showApp();
  start();
}
