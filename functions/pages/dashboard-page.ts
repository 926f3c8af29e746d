import { SCALE_QUESTIONS } from '#core/questions/index.ts';
import { DASHBOARD_SCRIPT } from './browser-bundles.generated.ts';
import { escapeHtml, pageHeaders, renderDocument } from './html.ts';
import type { DashboardMetric, DashboardPageData } from './page-data.ts';
import { BASE_CSS } from './styles.ts';

/** Every scale question is a metric: a tile, a distribution, a segment column and a comment badge; most a trend. */
const METRICS: DashboardMetric[] = SCALE_QUESTIONS.map((q) => ({
  id: q.id,
  label: q.label,
  min: q.min,
  max: q.max,
  low: q.copy.en.low,
  high: q.copy.en.high,
  scoring: q.scoring,
}));
/** An average has no trend chart: the scores with a percentage-like headline do. */
const TRENDED = METRICS.filter((m) => m.scoring.kind !== 'average');

const kpiTile = (id: string, label: string) =>
  `<div class="kpi" id="kpi-${id}"><div class="label">${escapeHtml(label)}</div><div class="value">–</div><div class="sub"></div></div>`;
const trendPanel = ({ id, label }: DashboardMetric) =>
  `<section class="panel" aria-labelledby="${id}-title"><h3 id="${id}-title">${escapeHtml(label)} over time</h3><div class="chart" id="chart-${id}"></div></section>`;

const DASHBOARD_CSS = `${BASE_CSS}
body{min-height:100vh}
.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.9rem 1.5rem;background:var(--card);border-bottom:1px solid var(--line)}
.top .btn{white-space:nowrap}
.top h1{font-size:1.15rem;margin:0;display:flex;align-items:center;gap:.6rem}
.logo{display:inline-flex;width:28px;height:28px;border-radius:8px;background:var(--accent);color:var(--accent-ink);align-items:center;justify-content:center;font-size:.8rem;font-weight:700}
.wrap{max-width:1180px;margin:0 auto;padding:1.5rem}
.panel{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.25rem 1.25rem 1rem;margin-bottom:1.25rem;min-width:0}
.panel h2,.panel h3{font-size:1rem;margin:0 0 .9rem}
.login{max-width:440px;margin:10vh auto 0;padding:2rem}
.login h2{font-size:1.3rem}
.field{display:flex;flex-direction:column;gap:.3rem;font-size:.85rem;font-weight:600;color:var(--muted)}
.field input,.field select{max-width:100%;min-height:42px;padding:.45rem .65rem;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--text);font-weight:400;font-size:1rem}
.login .field{margin-bottom:1rem}
.login .btn{width:100%}
.toolbar{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.75rem}
.toolbar .grow{flex:1 1 220px}
.toolbar .field{min-width:0}
#survey-picker{width:16rem}
.recent{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.85rem;align-items:center;font-size:.85rem;color:var(--muted)}
.chip{border:1px solid var(--line);background:var(--bg);border-radius:999px;padding:.2rem .75rem;cursor:pointer;font-size:.85rem;color:var(--text)}
.chip:hover{border-color:var(--accent)}
.title{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;margin:0 0 1rem}
.title h2{font-size:1.4rem;margin:0}
.kpis{display:grid;grid-template-columns:repeat(${METRICS.length + 2},minmax(0,1fr));gap:1rem;margin-bottom:1.25rem}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem 1.25rem}
.kpi .label{font-size:.8rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--muted)}
.kpi .value{font-size:2rem;font-weight:700;font-variant-numeric:tabular-nums;margin:.15rem 0}
.kpi .sub{font-size:.85rem;color:var(--muted)}
.grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:0 1.25rem}
.grid2>.panel{margin-bottom:1.25rem}
.chart{width:100%;min-height:60px}
.chart svg{display:block;width:100%;height:auto;overflow:visible}
.chart text{fill:var(--muted);font-size:11px;font-family:inherit}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .zero{stroke:var(--muted);stroke-dasharray:3 3}
.chart .line{fill:none;stroke:var(--accent);stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}
.chart .dot{fill:var(--card);stroke:var(--accent);stroke-width:2}
.chart .vol{fill:var(--accent-soft)}
.chart .bar{fill:var(--accent)}
.chart .bar-label{fill:var(--text);font-weight:600}
.empty{color:var(--muted);padding:1.5rem 0;text-align:center;margin:0}
.split{display:flex;height:28px;border-radius:6px;overflow:hidden;background:var(--bg);margin-bottom:.6rem}
.split svg{width:100%;height:100%}
.legend{display:flex;flex-wrap:wrap;gap:.35rem 1.1rem;font-size:.85rem;color:var(--muted);margin:0 0 1rem;padding:0;list-style:none}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:.35rem;vertical-align:baseline}
.sw-pro{background:var(--ok)}.sw-pas{background:var(--warn)}.sw-det{background:var(--bad)}.sw-line{background:var(--accent)}.sw-vol{background:var(--accent-soft);border:1px solid var(--line)}
.dist h4{font-size:.85rem;margin:.5rem 0 .25rem;color:var(--muted);font-weight:600}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{text-align:right;padding:.5rem .6rem;border-bottom:1px solid var(--line)}
th:first-child,td:first-child{text-align:left}
thead th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
tbody th{font-weight:600}
.comments{list-style:none;margin:0;padding:0}
.comments li{padding:.85rem 0;border-bottom:1px solid var(--line)}
.comments li:last-child{border-bottom:0}
.comments p{margin:.35rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.meta{display:flex;flex-wrap:wrap;gap:.35rem .6rem;align-items:center;font-size:.8rem;color:var(--muted)}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-weight:700;font-size:.75rem;color:#fff;background:var(--warn)}
.badge.pro{background:var(--ok)}.badge.det{background:var(--bad)}.badge.plain{background:var(--accent-soft);color:var(--text)}
.message:empty{display:none}
.chart .sig{fill:none;stroke-width:2.5}.chart .sig.up{stroke:var(--ok)}.chart .sig.down{stroke:var(--bad)}
.chart .sig-label{font-weight:700;font-size:11px}.chart .sig-label.up{fill:var(--ok)}.chart .sig-label.down{fill:var(--bad)}
.changes{list-style:none;margin:0;padding:0;font-size:.85rem;color:var(--muted)}
.changes li{margin:.2rem 0}.changes .up{color:var(--ok);font-weight:700}.changes .down{color:var(--bad);font-weight:700}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{padding:.75rem 0;border-bottom:1px solid var(--line)}
.timeline li:last-child{border-bottom:0}
.timeline p{margin:.3rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.badge.kind{background:var(--accent-soft);color:var(--text)}
.more{margin-top:.75rem}
@media (max-width:900px){.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}.grid2{grid-template-columns:minmax(0,1fr)}}
@media (max-width:520px){.wrap{padding:1rem .75rem}th,td{padding:.45rem .3rem}table{font-size:.82rem}thead th{letter-spacing:0;font-size:.68rem}.top .btn{min-height:36px;padding:.35rem .8rem}.top{padding:.75rem 1rem}.kpi .value{font-size:1.6rem}.toolbar .field{flex:1 1 40%}}
`;

const BODY = `<header class="top">
<h1><span class="logo" aria-hidden="true">FB</span>Feedback dashboard</h1>
<button type="button" class="btn secondary" id="sign-out" hidden>Sign out</button>
</header>
<main class="wrap">
<noscript><p class="notice error">The dashboard needs JavaScript.</p></noscript>
<section class="panel login" id="login" hidden aria-labelledby="login-title">
<form id="login-form">
<h2 id="login-title">Sign in</h2>
<p class="muted">Enter the admin token of this deployment, or an API key with the <code>read</code> scope: the dashboard only reads. It is kept in this browser tab only and sent to the API as a bearer token.</p>
<div class="field"><label for="token">Admin token or read key</label><input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false"></div>
<p class="notice error message" id="login-error" role="alert"></p>
<button type="submit" class="btn">Continue</button>
</form>
</section>
<div id="app" hidden>
<section class="panel" aria-label="Survey and period">
<form id="query" class="toolbar">
<div class="field"><label for="survey-picker">Survey</label><select id="survey-picker"><option value="">Choose a survey…</option></select></div>
<div class="field grow"><label for="survey-id">Survey ID</label><input id="survey-id" name="surveyId" list="recent-surveys" required pattern="[a-z0-9][a-z0-9\\-]{0,63}" autocomplete="off" spellcheck="false" placeholder="e.g. onboarding"></div>
<datalist id="recent-surveys"></datalist>
<div class="field"><label for="from">From</label><input id="from" name="from" type="date" required></div>
<div class="field"><label for="to">To</label><input id="to" name="to" type="date" required></div>
<div class="field"><label for="interval">Interval</label><select id="interval" name="interval"><option value="day">Day</option><option value="week">Week</option><option value="month">Month</option></select></div>
<div class="field"><label for="by">Segment by</label><select id="by" name="by"><option value="channel">Channel</option></select></div>
<button type="submit" class="btn">Show</button>
</form>
<div class="recent" id="recent" hidden><span>Recent:</span></div>
</section>
<p class="notice error message" id="message" role="alert"></p>
<p class="muted" id="loading" role="status" hidden>Loading…</p>
<section class="panel" id="customer" hidden aria-labelledby="customer-title">
<div class="title"><h2 id="customer-title"></h2><span class="muted" id="customer-meta"></span><a id="customer-back" href="">Back to the survey</a></div>
<h3>Timeline</h3>
<ol class="timeline" id="timeline"></ol>
<p class="empty" id="timeline-empty" hidden>Nothing has happened with this customer yet.</p>
<p class="notice error message" id="timeline-error" role="alert"></p>
<button type="button" class="btn secondary more" id="timeline-more" hidden>Older</button>
</section>
<div id="results" hidden>
<div class="title"><h2 id="survey-name"></h2><span class="muted" id="survey-meta"></span></div>
<div class="kpis">
${[...METRICS.map((m) => kpiTile(m.id, m.label)), kpiTile('responses', 'Responses'), kpiTile('response-rate', 'Response rate')].join('\n')}
</div>
${TRENDED.map(trendPanel).join('\n')}
<div class="grid2">
<section class="panel dist" aria-labelledby="dist-title"><h3 id="dist-title">Answer distribution</h3><div id="distribution"></div></section>
<section class="panel" aria-labelledby="seg-title"><h3 id="seg-title">Segments</h3><div id="segments"></div></section>
</div>
<section class="panel" aria-labelledby="comments-title"><h3 id="comments-title">Latest comments</h3>
<ul class="comments" id="comments"></ul>
<p class="empty" id="comments-empty" hidden>No comments in this period.</p>
<p class="notice error message" id="comments-error" role="alert"></p>
<button type="button" class="btn secondary more" id="more" hidden>Load more</button>
</section>
</div>
</div>
</main>`;

/** The CSP is fixed: the page's only style and script are these constants, and no site may frame it. */
export const DASHBOARD_HEADERS = pageHeaders({ scripts: [DASHBOARD_SCRIPT], styles: [DASHBOARD_CSS] });

/** The dashboard shell: static; its script asks for the admin token or a read key and reads the scores and responses APIs. */
export function renderDashboardPage(): string {
  const data: DashboardPageData = { metrics: METRICS };
  return renderDocument({
    lang: 'en',
    title: 'Feedback dashboard',
    style: DASHBOARD_CSS,
    body: BODY,
    script: DASHBOARD_SCRIPT,
    data,
  });
}
