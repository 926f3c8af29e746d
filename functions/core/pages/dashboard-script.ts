/**
 * The dashboard's browser script, plain ES2020 kept as a constant so its CSP hash is fixed. It keeps the admin token
 * in sessionStorage, recent survey ids in localStorage, reads the admin API and draws its charts as inline SVG.
 * Everything from the API reaches the page through textContent or SVG attributes, never as markup.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var TOKEN_KEY = 'feedback.adminToken';
  var RECENT_KEY = 'feedback.recentSurveys';
  var SURVEY_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
  var SVG = 'http://www.w3.org/2000/svg';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var state = { token: null, seq: 0, survey: null, scores: null, items: [], cursor: null, query: '' };

  function $(id) { return document.getElementById(id); }
  function h(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function s(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attrs) node.setAttribute(name, String(attrs[name]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function store(kind) { try { return window[kind]; } catch (e) { return null; } }
  function read(kind, key) { var st = store(kind); try { return st ? st.getItem(key) : null; } catch (e) { return null; } }
  function write(kind, key, value) {
    var st = store(kind);
    try { if (st) { if (value === null) st.removeItem(key); else st.setItem(key, value); } } catch (e) { /* storage full or denied */ }
  }

  // ---------- formatting ----------
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function signed(score) { return (score > 0 ? '+' : '') + String(score); }
  function isoDay(date) { return date.toISOString().slice(0, 10); }
  function periodLabel(period) {
    var m;
    if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period))) return Number(m[3]) + ' ' + MONTHS[Number(m[2]) - 1];
    if ((m = /^(\d{4})-W(\d{2})$/.exec(period))) return 'W' + Number(m[2]) + ' ' + m[1];
    if ((m = /^(\d{4})-(\d{2})$/.exec(period))) return MONTHS[Number(m[2]) - 1] + ' ' + m[1];
    return period;
  }
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear() + ', ' +
      String(d.getUTCHours()).padStart(2, '0') + ':' + String(d.getUTCMinutes()).padStart(2, '0') + ' UTC';
  }
  function pct(n, total) { return total ? Math.round((n / total) * 100) + '%' : '0%'; }

  // ---------- API ----------
  function Unauthorized() {}
  async function get(path) {
    var res = await fetch(new URL(path, location.href).href, {
      headers: { authorization: 'Bearer ' + state.token, accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store'
    });
    if (res.status === 401) {
      signOut('The admin token was rejected. Enter it again.');
      throw new Unauthorized();
    }
    var body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { ok: res.ok, status: res.status, body: body };
  }
  function problem(reply, what) {
    var message = reply.body && reply.body.error && reply.body.error.message;
    return what + ': ' + (message || 'the API answered HTTP ' + reply.status + '.');
  }

  // ---------- sign-in ----------
  function showLogin(message) {
    $('app').hidden = true;
    $('sign-out').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }
  function showApp() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
  }
  function signOut(message) {
    state.token = null;
    state.seq += 1;
    write('sessionStorage', TOKEN_KEY, null);
    $('results').hidden = true;
    $('loading').hidden = true;
    showLogin(message);
  }

  // ---------- recent surveys ----------
  function recent() {
    try {
      var list = JSON.parse(read('localStorage', RECENT_KEY) || '[]');
      return Array.isArray(list) ? list.filter(function (id) { return typeof id === 'string' && SURVEY_ID.test(id); }) : [];
    } catch (e) { return []; }
  }
  function remember(id) {
    var list = [id].concat(recent().filter(function (x) { return x !== id; })).slice(0, 8);
    write('localStorage', RECENT_KEY, JSON.stringify(list));
    showRecent();
  }
  function showRecent() {
    var list = recent();
    var box = $('recent');
    var options = $('recent-surveys');
    while (box.childNodes.length > 1) box.removeChild(box.lastChild);
    options.textContent = '';
    list.forEach(function (id) {
      var chip = h('button', 'chip', id);
      chip.type = 'button';
      chip.addEventListener('click', function () { $('survey-id').value = id; load(); });
      box.appendChild(chip);
      var option = h('option');
      option.value = id;
      options.appendChild(option);
    });
    box.hidden = list.length === 0;
  }

  // ---------- charts ----------
  function lineChart(box, points, o) {
    box.textContent = '';
    var answered = points.filter(function (p) { return p.value !== null && p.value !== undefined; });
    if (answered.length === 0) { box.appendChild(h('p', 'empty', o.empty)); return; }
    var W = Math.max(300, Math.round(box.clientWidth || 720));
    var H = 240, L = 46, R = 14, T = 12, B = 30;
    var pw = W - L - R, ph = H - T - B;
    var latest = answered[answered.length - 1];
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
      'aria-label': o.name + ' per period, ' + points.length + ' periods; latest ' + latest.label + ': ' + o.format(latest.value) });
    box.appendChild(svg);
    var n = points.length;
    // Each period is a band; its point and its volume bar sit in the middle, so nothing is clipped at the edges.
    var x = function (i) { return L + ((i + 0.5) * pw) / n; };
    var y = function (v) { return T + ((o.max - v) / (o.max - o.min)) * ph; };
    var most = Math.max.apply(null, points.map(function (p) { return p.n || 0; }).concat([1]));
    var bw = Math.max(2, Math.min(28, (pw / n) * 0.6));
    points.forEach(function (p, i) {
      if (!p.n) return;
      var bh = (p.n / most) * ph * 0.25;
      var bar = s('rect', { class: 'vol', x: (x(i) - bw / 2).toFixed(1), y: (T + ph - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1) }, svg);
      s('title', {}, bar).textContent = p.label + ': ' + plural(p.n, 'answer');
    });
    o.ticks.forEach(function (v) {
      s('line', { class: v === 0 && o.min < 0 ? 'zero' : 'grid', x1: L, x2: L + pw, y1: y(v), y2: y(v) }, svg);
      s('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent = o.tick(v);
    });
    var every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(pw / 78))));
    points.forEach(function (p, i) {
      if (i % every !== 0) return;
      s('text', { x: x(i), y: H - 8, 'text-anchor': 'middle' }, svg).textContent = p.label;
    });
    // A period without answers breaks the line: a gap, not a zero.
    var d = '';
    var pen = false;
    points.forEach(function (p, i) {
      if (p.value === null || p.value === undefined) { pen = false; return; }
      d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.value).toFixed(1) + ' ';
      pen = true;
    });
    s('path', { class: 'line', d: d.trim() }, svg);
    points.forEach(function (p, i) {
      if (p.value === null || p.value === undefined) return;
      var dot = s('circle', { class: 'dot', cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: n > 60 ? 2 : 3.5 }, svg);
      s('title', {}, dot).textContent = p.label + ': ' + o.format(p.value) + ' (' + plural(p.n || 0, 'answer') + ')';
    });
    var legend = h('ul', 'legend');
    var a = h('li'); a.appendChild(h('i', 'sw-line')); a.appendChild(document.createTextNode(o.name));
    var b = h('li'); b.appendChild(h('i', 'sw-vol')); b.appendChild(document.createTextNode('answers per period'));
    legend.appendChild(a); legend.appendChild(b);
    box.appendChild(legend);
  }

  function barChart(box, title, distribution, from, to) {
    var wrap = h('div');
    wrap.appendChild(h('h4', '', title));
    var counts = [];
    for (var v = from; v <= to; v++) counts.push({ label: String(v), n: Number((distribution || {})[String(v)] || 0) });
    var total = counts.reduce(function (sum, c) { return sum + c.n; }, 0);
    var most = Math.max.apply(null, counts.map(function (c) { return c.n; }).concat([1]));
    var W = Math.max(260, Math.round(box.clientWidth || 420)), H = 120, T = 16, B = 20;
    var slot = W / counts.length, bw = Math.min(44, slot * 0.66);
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
      'aria-label': title + ': ' + counts.map(function (c) { return c.label + ': ' + c.n; }).join(', ') });
    counts.forEach(function (c, i) {
      var cx = slot * i + slot / 2;
      var bh = c.n ? Math.max(2, (c.n / most) * (H - T - B)) : 0;
      var bar = s('rect', { class: 'bar', x: (cx - bw / 2).toFixed(1), y: (H - B - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1), rx: 3 }, svg);
      s('title', {}, bar).textContent = c.label + ': ' + c.n + ' (' + pct(c.n, total) + ')';
      s('line', { class: 'grid', x1: cx - bw / 2 - 2, x2: cx + bw / 2 + 2, y1: H - B, y2: H - B }, svg);
      if (c.n) s('text', { class: 'bar-label', x: cx, y: H - B - bh - 4, 'text-anchor': 'middle' }, svg).textContent = String(c.n);
      s('text', { x: cx, y: H - 4, 'text-anchor': 'middle' }, svg).textContent = c.label;
    });
    var chart = h('div', 'chart');
    chart.appendChild(svg);
    wrap.appendChild(chart);
    box.appendChild(wrap);
  }

  function npsSplit(box, nps) {
    box.appendChild(h('h4', '', 'NPS: promoters, passives, detractors'));
    var parts = [['Promoters (9–10)', nps.promoters, 'sw-pro', '#2e7d32'], ['Passives (7–8)', nps.passives, 'sw-pas', '#9e9e9e'], ['Detractors (0–6)', nps.detractors, 'sw-det', '#c62828']];
    var total = nps.responses || 1;
    var bar = h('div', 'split');
    var svg = s('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img',
      'aria-label': parts.map(function (p) { return p[0] + ': ' + p[1]; }).join(', ') }, bar);
    var at = 0;
    parts.forEach(function (p) {
      var w = (p[1] / total) * 100;
      if (w > 0) s('rect', { x: at.toFixed(3), y: 0, width: w.toFixed(3), height: 10, fill: p[3] }, svg);
      at += w;
    });
    box.appendChild(bar);
    var legend = h('ul', 'legend');
    parts.forEach(function (p) {
      var li = h('li');
      li.appendChild(h('i', p[2]));
      li.appendChild(document.createTextNode(p[0] + ': ' + p[1] + ' (' + pct(p[1], nps.responses) + ')'));
      legend.appendChild(li);
    });
    box.appendChild(legend);
  }

  // ---------- rendering ----------
  function kpi(id, value, sub) {
    var card = $(id);
    card.querySelector('.value').textContent = value;
    card.querySelector('.sub').textContent = sub;
  }
  function asks(metric) { return !state.survey || !state.survey.questions || state.survey.questions.indexOf(metric) >= 0; }

  function renderScores() {
    var scores = state.scores;
    var total = scores.total || { responses: 0 };
    var nps = total.nps, csat = total.csat, ces = total.ces;
    kpi('kpi-nps', nps ? signed(nps.score) : '–', nps
      ? (nps.marginOfError95 === null || nps.marginOfError95 === undefined ? '' : '±' + nps.marginOfError95 + ' (95%) · ') + plural(nps.responses, 'answer')
      : asks('nps') ? 'No answers yet' : 'Not asked');
    kpi('kpi-csat', csat ? csat.score + '%' : '–', csat
      ? 'satisfied · avg ' + Number(csat.average).toFixed(2) + ' / 5 · ' + plural(csat.responses, 'answer')
      : asks('csat') ? 'No answers yet' : 'Not asked');
    kpi('kpi-ces', ces ? Number(ces.average).toFixed(2) : '–', ces
      ? 'average effort, 1–7 · ' + plural(ces.responses, 'answer')
      : asks('ces') ? 'No answers yet' : 'Not asked');
    kpi('kpi-responses', String(total.responses || 0), periodLabel(scores.from || '') + ' – ' + periodLabel(scores.to || ''));

    var series = Array.isArray(scores.series) ? scores.series : [];
    var npsPoints = series.map(function (p) { return { label: periodLabel(p.period), value: p.nps ? p.nps.score : null, n: p.nps ? p.nps.responses : 0 }; });
    var csatPoints = series.map(function (p) { return { label: periodLabel(p.period), value: p.csat ? p.csat.score : null, n: p.csat ? p.csat.responses : 0 }; });
    lineChart($('chart-nps'), npsPoints, { name: 'NPS', min: -100, max: 100, ticks: [-100, -50, 0, 50, 100],
      tick: function (v) { return signed(v); }, format: signed, empty: asks('nps') ? 'No NPS answers in this period.' : 'This survey does not ask NPS.' });
    lineChart($('chart-csat'), csatPoints, { name: 'CSAT (% satisfied)', min: 0, max: 100, ticks: [0, 25, 50, 75, 100],
      tick: function (v) { return v + '%'; }, format: function (v) { return v + '%'; }, empty: asks('csat') ? 'No CSAT answers in this period.' : 'This survey does not ask CSAT.' });

    var dist = $('distribution');
    dist.textContent = '';
    if (nps) npsSplit(dist, nps);
    if (csat) barChart(dist, 'CSAT answers (1 = very dissatisfied, 5 = very satisfied)', csat.distribution, 1, 5);
    if (ces) barChart(dist, 'CES answers (1 = very difficult, 7 = very easy)', ces.distribution, 1, 7);
    if (!nps && !csat && !ces) dist.appendChild(h('p', 'empty', 'No answers in this period.'));

    renderSegments(scores.segments);
  }

  function renderSegments(segments) {
    var box = $('segments');
    box.textContent = '';
    var by = $('by');
    var byLabel = by.options[by.selectedIndex] ? by.options[by.selectedIndex].textContent : '';
    if (!Array.isArray(segments) || segments.length === 0) {
      box.appendChild(h('p', 'empty', 'No answers to break down by ' + byLabel.toLowerCase() + ' in this period.'));
      return;
    }
    var table = h('table');
    var caption = h('caption', 'sr-only', 'Scores by ' + byLabel);
    table.appendChild(caption);
    var head = h('tr');
    [byLabel, 'Responses', 'NPS', 'CSAT', 'CES'].forEach(function (title) { var th = h('th', '', title); th.scope = 'col'; head.appendChild(th); });
    var thead = h('thead'); thead.appendChild(head); table.appendChild(thead);
    var tbody = h('tbody');
    segments.slice().sort(function (a, b) { return (b.responses || 0) - (a.responses || 0); }).forEach(function (seg) {
      var tr = h('tr');
      var th = h('th', '', seg.key === '' || seg.key === null || seg.key === undefined ? '(none)' : seg.key);
      th.scope = 'row';
      tr.appendChild(th);
      tr.appendChild(h('td', '', seg.responses || 0));
      tr.appendChild(h('td', '', seg.nps ? signed(seg.nps.score) : '–'));
      tr.appendChild(h('td', '', seg.csat ? seg.csat.score + '%' : '–'));
      tr.appendChild(h('td', '', seg.ces ? Number(seg.ces.average).toFixed(2) : '–'));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    var scroller = h('div', 'table-wrap');
    scroller.appendChild(table);
    box.appendChild(scroller);
  }

  function renderComments() {
    var list = $('comments');
    list.textContent = '';
    var withText = state.items.filter(function (r) { return typeof r.comment === 'string' && r.comment.trim() !== ''; });
    withText.sort(function (a, b) { return String(b.submittedAt).localeCompare(String(a.submittedAt)); });
    withText.forEach(function (r) {
      var li = h('li');
      var meta = h('div', 'meta');
      if (typeof r.nps === 'number') meta.appendChild(h('span', 'badge ' + (r.nps >= 9 ? 'pro' : r.nps >= 7 ? 'pas' : 'det'), 'NPS ' + r.nps));
      if (typeof r.csat === 'number') meta.appendChild(h('span', 'badge plain', 'CSAT ' + r.csat));
      if (typeof r.ces === 'number') meta.appendChild(h('span', 'badge plain', 'CES ' + r.ces));
      var facts = [when(r.submittedAt)];
      if (r.channel) facts.push(r.channel);
      if (r.customerId) facts.push(r.customerId);
      meta.appendChild(h('span', '', facts.join(' · ')));
      li.appendChild(meta);
      li.appendChild(h('p', '', r.comment));
      list.appendChild(li);
    });
    $('comments-empty').hidden = withText.length > 0;
    $('more').hidden = !state.cursor;
  }

  async function loadResponses(append) {
    var id = state.survey.surveyId;
    var path = 'v1/surveys/' + encodeURIComponent(id) + '/responses?' + state.query + '&limit=100' +
      (append && state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : '');
    var seq = state.seq;
    var reply = await get(path);
    if (seq !== state.seq) return;
    $('comments-error').textContent = reply.ok ? '' : problem(reply, 'Comments could not be loaded');
    if (!reply.ok) { if (!append) { state.items = []; state.cursor = null; } $('more').hidden = true; $('comments-empty').hidden = true; return; }
    var items = reply.body && Array.isArray(reply.body.items) ? reply.body.items : [];
    state.items = append ? state.items.concat(items) : items;
    state.cursor = reply.body && reply.body.nextCursor ? reply.body.nextCursor : null;
    renderComments();
  }

  function setSegmentOptions(segmentBy, wanted) {
    var by = $('by');
    by.textContent = '';
    var options = [['channel', 'Channel']].concat((segmentBy || []).map(function (name) { return ['attr.' + name, name]; }));
    options.forEach(function (o) {
      var option = h('option', '', o[1]);
      option.value = o[0];
      by.appendChild(option);
    });
    by.value = options.some(function (o) { return o[0] === wanted; }) ? wanted : 'channel';
  }

  function message(text) { $('message').textContent = text || ''; }

  async function load() {
    var id = $('survey-id').value.trim();
    var from = $('from').value, to = $('to').value;
    if (!SURVEY_ID.test(id)) { message('A survey ID is 1–64 lower-case letters, digits and dashes.'); $('survey-id').focus(); return; }
    if (!from || !to || from > to) { message('Choose a period whose start is not after its end.'); $('from').focus(); return; }
    var seq = ++state.seq;
    message('');
    $('loading').hidden = false;
    try {
      var surveyReply = await get('v1/surveys/' + encodeURIComponent(id));
      if (seq !== state.seq) return;
      if (surveyReply.status === 404) { $('results').hidden = true; message('There is no survey "' + id + '". Check the ID.'); return; }
      if (!surveyReply.ok) { $('results').hidden = true; message(problem(surveyReply, 'The survey could not be loaded')); return; }
      state.survey = surveyReply.body;
      setSegmentOptions(state.survey.segmentBy, $('by').value);
      remember(id);
      var interval = $('interval').value, by = $('by').value;
      state.query = 'from=' + from + '&to=' + to;
      history.replaceState(null, '', '#' + new URLSearchParams({ survey: id, from: from, to: to, interval: interval, by: by }).toString());
      var scoresReply = await get('v1/surveys/' + encodeURIComponent(id) + '/scores?' + state.query + '&interval=' + interval + '&by=' + encodeURIComponent(by));
      if (seq !== state.seq) return;
      if (!scoresReply.ok) { $('results').hidden = true; message(problem(scoresReply, 'The scores could not be loaded')); return; }
      state.scores = scoresReply.body;
      $('survey-name').textContent = state.survey.name || id;
      document.title = (state.survey.name || id) + ' · Feedback dashboard';
      $('survey-meta').textContent = id + ' · ' + (state.survey.questions || []).join(', ').toUpperCase();
      $('results').hidden = false;
      renderScores();
      await loadResponses(false);
    } catch (error) {
      if (!(error instanceof Unauthorized) && seq === state.seq) message('The API could not be reached: ' + (error && error.message ? error.message : error));
    } finally {
      if (seq === state.seq) $('loading').hidden = true;
    }
  }

  // ---------- wiring ----------
  var today = new Date();
  $('to').value = isoDay(today);
  $('from').value = isoDay(new Date(today.getTime() - 29 * 86400000));
  var hash = new URLSearchParams(location.hash.slice(1));
  ['from', 'to', 'interval'].forEach(function (name) { if (hash.get(name)) $(name).value = hash.get(name); });
  if (hash.get('by')) setSegmentOptions([String(hash.get('by')).replace(/^attr\./, '')].filter(function (x) { return x !== 'channel'; }), hash.get('by'));
  var initial = hash.get('survey') || recent()[0] || '';
  $('survey-id').value = initial;
  showRecent();

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = $('token').value.trim();
    if (!token) return;
    state.token = token;
    write('sessionStorage', TOKEN_KEY, token);
    $('token').value = '';
    showApp();
    if ($('survey-id').value) load(); else $('survey-id').focus();
  });
  $('sign-out').addEventListener('click', function () { signOut(''); });
  $('query').addEventListener('submit', function (event) { event.preventDefault(); load(); });
  $('more').addEventListener('click', function () {
    loadResponses(true).catch(function (error) {
      if (!(error instanceof Unauthorized)) $('comments-error').textContent = 'Comments could not be loaded: the API could not be reached.';
    });
  });
  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (state.scores && !$('results').hidden) renderScores(); }, 150);
  });

  state.token = read('sessionStorage', TOKEN_KEY);
  if (!state.token) showLogin('');
  else { showApp(); if (initial) load(); }
})();
`;
