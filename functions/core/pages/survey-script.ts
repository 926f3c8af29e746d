/**
 * The survey page's browser script, plain ES2020 kept as a constant so its CSP hash is fixed. It posts the answers as
 * JSON with an Idempotency-Key made per page load (and per distinct answer), so a double click stores once and a
 * changed answer replaces the first.
 */
export const SURVEY_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var t = data.t;
  var form = document.getElementById('survey');
  var status = document.getElementById('status');
  var button = form.querySelector('button[type=submit]');
  var thanks = document.getElementById('thanks');
  var again = document.getElementById('again');
  var previous = document.getElementById('previous');
  var comment = document.getElementById('comment');
  var counter = document.getElementById('comment-count');
  var endpoint = new URL('../v1/responses', location.href).href;
  var pageKey = randomKey();
  var attempt = 0;
  var lastBody = null;
  var busy = false;

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  function say(message) { status.textContent = message || ''; }
  function chosen(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? Number(input.value) : undefined;
  }
  function countChars() {
    if (comment && counter) counter.textContent = t.charsLeft.replace('{n}', String(data.commentMax - comment.value.length));
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function post(json, key) {
    for (var i = 0; ; i++) {
      var res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: json,
        credentials: 'omit',
        cache: 'no-store'
      });
      // 409: the same key is still being processed (a double click); its answer follows shortly.
      if (res.status === 409 && i < 5) { await wait(300 * (i + 1)); continue; }
      return res;
    }
  }

  function messageFor(status) {
    if (status === 403) return t.invalid;
    if (status === 404) return t.notFound;
    if (status === 429) return t.tooMany;
    return t.failed;
  }

  if (comment) { comment.addEventListener('input', countChars); countChars(); }
  form.addEventListener('change', function () { say(''); });

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    if (busy) return;
    var body = { surveyId: data.surveyId };
    if (data.token) body.token = data.token;
    ['nps', 'csat', 'ces'].forEach(function (name) {
      var value = chosen(name);
      if (value !== undefined) body[name] = value;
    });
    if (body.nps === undefined && body.csat === undefined && body.ces === undefined) {
      say(t.required);
      var first = form.querySelector('input[type=radio]');
      if (first) first.focus();
      return;
    }
    var text = comment ? comment.value.trim() : '';
    if (text) body.comment = text.slice(0, data.commentMax);
    body.channel = data.channel;
    var json = JSON.stringify(body);
    if (json !== lastBody) { attempt += 1; lastBody = json; }

    busy = true;
    button.disabled = true;
    button.textContent = t.sending;
    say('');
    try {
      var res = await post(json, pageKey + '-' + attempt);
      if (res.ok) {
        form.hidden = true;
        if (previous) previous.hidden = true;
        thanks.hidden = false;
        thanks.focus();
      } else {
        say(messageFor(res.status));
      }
    } catch (error) {
      say(t.offline);
    } finally {
      busy = false;
      button.disabled = false;
      button.textContent = t.submit;
    }
  });

  again.addEventListener('click', function () {
    thanks.hidden = true;
    form.hidden = false;
    var input = form.querySelector('input:checked') || form.querySelector('input, textarea');
    if (input) input.focus();
  });
})();
`;
