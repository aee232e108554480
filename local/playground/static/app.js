// A product's web app and Office add-in on their own origin: every call goes to guichet, on another origin, with
// credentials, as a real web app or add-in would make it. Plain browser script, no build step.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const pretty = (value) => (value === undefined ? '' : JSON.stringify(value, null, 2));
  const short = (secret) => (typeof secret === 'string' ? `${secret.slice(0, 8)}…(${secret.length} chars)` : secret);
  const claimsOf = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  let guichet = '';

  /** One cross-origin call with credentials; the answer as status and JSON, or the browser's refusal. */
  async function call(method, path, { headers, body } = {}) {
    let response;
    try {
      response = await fetch(`${guichet}${path}`, { method, headers, body, credentials: 'include' });
    } catch (error) {
      return { status: 0, json: `the browser refused the answer (${error.message}): is this origin in CORS_ORIGINS?` };
    }
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  const show = (id, text, state) => {
    $(id).textContent = text;
    if (state) $(id).dataset.state = state;
  };
  const append = (id, text) => {
    $(id).textContent += `\n\n${text}`;
  };
  const on = (id, output, handler) =>
    $(id).addEventListener('click', (event) => Promise.resolve(handler(event)).catch((error) => append(output, `Failed: ${error.message}`)));

  on('webapp-check', 'webapp-output', async () => {
    const session = await call('GET', '/auth/session');
    if (session.status === 200) {
      show('webapp-output', `Signed in as ${session.json.user.email}\n\nGET /auth/session (credentials: include) → 200\n${pretty(session.json)}`, 'signed-in');
    } else {
      show('webapp-output', `GET /auth/session (credentials: include) → ${session.status}\n${pretty(session.json)}`, session.status === 401 ? 'signed-out' : 'failed');
    }
  });

  let addin = {};
  on('addin-init', 'addin-output', async () => {
    const init = await call('POST', '/addons/sessions/init', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ addin_name: 'Playground' }),
    });
    if (init.status !== 201) return show('addin-output', `POST /addons/sessions/init → ${init.status}\n${pretty(init.json)}`, 'failed');
    addin = { csrfToken: init.json.csrf_token, polling: false };
    $('addin-open').href = `${guichet}/addons/transit#${new URLSearchParams({ transit_token: init.json.transit_token })}`;
    $('addin-open').hidden = false;
    const shown = { ...init.json, transit_token: short(init.json.transit_token), csrf_token: short(init.json.csrf_token) };
    show('addin-output', `POST /addons/sessions/init → 201 (and the guichet_addons_sid cookie)\n${pretty(shown)}`, 'initialised');
  });

  on('addin-open', 'addin-output', async () => {
    if (addin.polling || !addin.csrfToken) return;
    addin.polling = true;
    const csrfToken = addin.csrfToken;
    append('addin-output', 'Dialog opened. Polling POST /addons/sessions/poll?wait=10 with X-CSRFToken …');
    for (let polls = 1; addin.csrfToken === csrfToken; polls += 1) {
      const poll = await call('POST', '/addons/sessions/poll?wait=10', { headers: { 'X-CSRFToken': csrfToken } });
      if (poll.status === 202) {
        $('addin-output').dataset.state = 'pending';
        continue;
      }
      addin.polling = false;
      if (poll.status !== 200) {
        const cancelled = poll.status === 404 && /cancelled/.test(poll.json?.error_description ?? '');
        append('addin-output', `poll ${polls} → ${poll.status}\n${pretty(poll.json)}${cancelled ? '\n\nThe person cancelled in the dialog: the add-in stops polling.' : ''}`);
        $('addin-output').dataset.state = cancelled ? 'cancelled' : 'failed';
        return;
      }
      const shown = { ...poll.json, access_token: short(poll.json.access_token) };
      append('addin-output', `poll ${polls} → 200\n${pretty(shown)}\n\nThe access token's claims:\n${pretty(claimsOf(poll.json.access_token))}`);
      $('addin-output').dataset.state = 'authenticated';
      return;
    }
  });

  fetch('/config.json')
    .then((response) => response.json())
    .then((config) => {
      guichet = config.guichet;
      $('guichet').textContent = guichet;
      $('origin').textContent = location.origin;
      show('webapp-output', 'Check the session to start.');
      show('addin-output', 'Init to start.');
    });
})();
