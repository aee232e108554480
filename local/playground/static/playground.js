// guichet's local playground: plain browser script, no build step, no dependencies. Every request goes to
// this guichet (same origin); /playground/* are the local-only helpers, everything else is the real API.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const pretty = (value) => (value === undefined ? '' : JSON.stringify(value, null, 2));
  /** Secrets are shown shortened: enough to recognise them, not to read them off a screenshot. */
  const short = (secret) => (typeof secret === 'string' ? `${secret.slice(0, 8)}…(${secret.length} chars)` : secret);
  const claimsOf = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

  /** One request; the answer as status and JSON (or text). */
  async function call(method, path, { headers, body } = {}) {
    const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
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

  /** A click handler whose failures (guichet unreachable, a bug) are shown in the section, not lost. */
  const on = (id, output, handler) =>
    $(id).addEventListener('click', (event) =>
      Promise.resolve(handler(event)).catch((error) => append(output, `Failed: ${error.message}`)),
    );

  // ---------------------------------------------------------------------------------------------------
  // 1. Web login and session
  async function refreshWebSession() {
    const session = await call('GET', '/auth/session');
    if (session.status === 200) {
      const { user } = session.json;
      show('web-output', `Signed in as ${user.name} <${user.email}>\n\nGET /auth/session → 200\n${pretty(session.json)}`, 'signed-in');
    } else {
      show('web-output', `Not signed in.\n\nGET /auth/session → ${session.status}\n${pretty(session.json)}`, 'signed-out');
    }
  }
  on('web-refresh', 'web-output', refreshWebSession);

  // ---------------------------------------------------------------------------------------------------
  // 2. Native app (simulated)
  let native = {};

  on('native-start', 'native-output', async () => {
    const start = await call('POST', '/playground/native/start');
    if (start.status !== 201) return show('native-output', `POST /playground/native/start → ${start.status}\n${pretty(start.json)}`);
    native = { id: start.json.id };
    $('native-open').href = start.json.login_url;
    $('native-open').hidden = false;
    $('native-exchange').disabled = true;
    show(
      'native-output',
      `The app made a PKCE pair: it keeps the verifier and sends only its S256 challenge.\n` +
        `code_challenge = ${start.json.code_challenge}\n\n` +
        `It opens the system browser on:\n${location.origin}${start.json.login_url}\n\n` +
        'Waiting for the redirect to ' + start.json.return_to + ' …',
      'waiting',
    );
    waitForNativeRedirect(native.id);
  });

  async function waitForNativeRedirect(id) {
    const deadline = Date.now() + 10 * 60 * 1000;
    while (native.id === id && Date.now() < deadline) {
      const answer = await call('GET', `/playground/native/received?id=${encodeURIComponent(id)}`);
      if (answer.status === 200) {
        native.redirect = answer.json.redirect;
        native.verifier = answer.json.code_verifier;
        append('native-output', `The app received:\n${native.redirect}`);
        $('native-output').dataset.state = 'received';
        $('native-exchange').disabled = false;
        return;
      }
      if (answer.status !== 202) return append('native-output', 'This login expired: make a new PKCE pair.');
      await sleep(500);
    }
  }

  on('native-exchange', 'native-output', async () => {
    $('native-exchange').disabled = true;
    const code = new URL(native.redirect).searchParams.get('code');
    const exchange = await call('POST', '/auth/session-exchange', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, code_verifier: native.verifier }),
    });
    const shown = exchange.status === 200 ? { ...exchange.json, session_token: short(exchange.json.session_token) } : exchange.json;
    append('native-output', `POST /auth/session-exchange {"code", "code_verifier"} → ${exchange.status}\n${pretty(shown)}`);
    if (exchange.status !== 200) return;
    native.sessionToken = exchange.json.session_token;
    const session = await call('GET', '/auth/session', { headers: { Authorization: `Bearer ${native.sessionToken}` } });
    append('native-output', `GET /auth/session with Authorization: Bearer <session_token> → ${session.status}\n${pretty(session.json)}`);
    $('native-output').dataset.state = session.status === 200 ? 'signed-in' : 'failed';
  });

  // ---------------------------------------------------------------------------------------------------
  // 4. Machine-to-machine application
  let application = {};

  on('app-create', 'app-output', async () => {
    const created = await call('POST', '/playground/apps');
    if (created.status !== 201) return show('app-output', `Creating the application failed (${created.status})\n${pretty(created.json)}`);
    application = { clientId: created.json.output.client_id, clientSecret: created.json.output.client_secret };
    show('app-output', `$ ${created.json.command}\n${pretty(created.json.output)}`, 'created');
    $('app-token').disabled = false;
    $('app-me').disabled = true;
  });

  on('app-token', 'app-output', async () => {
    const token = await call('POST', '/oauth/token', {
      headers: {
        Authorization: `Basic ${btoa(`${application.clientId}:${application.clientSecret}`)}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (token.status !== 200) return append('app-output', `POST /oauth/token → ${token.status}\n${pretty(token.json)}`);
    application.accessToken = token.json.access_token;
    const shown = { ...token.json, access_token: short(token.json.access_token) };
    append(
      'app-output',
      `POST /oauth/token grant_type=client_credentials (HTTP Basic) → 200\n${pretty(shown)}\n\n` +
        `The access token's claims:\n${pretty(claimsOf(token.json.access_token))}`,
    );
    $('app-output').dataset.state = 'token';
    $('app-me').disabled = false;
  });

  on('app-me', 'app-output', async () => {
    const me = await call('GET', '/external-api/v1.0/me', { headers: { Authorization: `Bearer ${application.accessToken}` } });
    append('app-output', `GET /external-api/v1.0/me with Authorization: Bearer <access_token> → ${me.status}\n${pretty(me.json)}`);
    $('app-output').dataset.state = me.status === 200 ? 'called' : 'failed';
  });

  // ---------------------------------------------------------------------------------------------------
  // 5. Back-channel logout
  let watching = false;

  on('logout-open', 'logout-output', async () => {
    // The link opens the IdP's end-session page in a new window; this window watches the sessions.
    if (watching) return;
    watching = true;
    const status = async (headers) => (await call('GET', '/auth/session', { headers })).status;
    const describe = (code) => (code === 200 ? 'live (200)' : `ended (${code})`);
    const deadline = Date.now() + 5 * 60 * 1000;
    let web;
    let app;
    let watched = false;
    while (Date.now() < deadline) {
      web = await status();
      app = native.sessionToken ? await status({ Authorization: `Bearer ${native.sessionToken}` }) : undefined;
      show(
        'logout-output',
        `Watching GET /auth/session every second (since you opened the IdP's logout page):\n` +
          `  web session (cookie):          ${describe(web)}\n` +
          `  native app session (Bearer):   ${app === undefined ? 'none (section 2 not done)' : describe(app)}`,
        'watching',
      );
      if (web !== 200 && app !== 200) break;
      watched = true;
      await sleep(1000);
    }
    watching = false;
    if (!watched) {
      append('logout-output', 'No live session to watch: sign in first (section 1), then log out at the IdP again.');
    } else if (web !== 200 && app !== 200) {
      append('logout-output', 'Every session is gone: guichet received the IdP\'s logout token and ended them.');
      $('logout-output').dataset.state = 'ended';
      await refreshWebSession();
    }
  });

  // ---------------------------------------------------------------------------------------------------
  async function loadConfig() {
    const config = await call('GET', '/playground/config');
    if (config.status !== 200) return;
    $('idp').textContent = config.json.issuer;
    $('app-origin').textContent = config.json.app_origin;
    $('app-frame').src = `${config.json.app_origin}/`;
    for (const element of document.querySelectorAll('.return-to')) element.textContent = config.json.native_return_to;
    if (config.json.end_session_endpoint) {
      $('logout-open').href = config.json.end_session_endpoint;
      $('logout-open').hidden = false;
      show('logout-output', 'Sign in first (section 1), optionally do section 2, then log out at the IdP.');
    } else {
      show('logout-output', 'This IdP publishes no end_session_endpoint: log out there by its own means.');
    }
  }

  loadConfig().catch((error) => show('logout-output', `Failed: ${error.message}`));
  refreshWebSession().catch((error) => show('web-output', `guichet could not be reached: ${error.message}`));
  show('native-output', 'Make a PKCE pair to start.');
  show('app-output', 'Create the demo application to start.');
})();
