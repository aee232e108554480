// guichet's local playground: plain browser script, no build step, no dependencies. Every request goes to
// this guichet (same origin); /playground/* are the local-only helpers, everything else is the real API.
'use strict';

(() => {
  const {
    $,
    sleep,
    short,
    duration,
    pretty,
    claimsOf,
    call,
    failure,
    show,
    append,
    on,
    secrets,
    userTokenText,
    callWithUserToken,
    TOKEN_EXCHANGE,
  } = window.guichetPlayground;

  /** The exchange code's lifetime by default (EXCHANGE_CODE_TTL_SECONDS; this page cannot read the setting). */
  const EXCHANGE_CODE_TTL_SECONDS = 30;
  /** How often section 5 looks at the sessions, and for how long at most. */
  const WATCH_EVERY_MS = 2500;
  const WATCH_AT_MOST_MS = 3 * 60 * 1000;

  /** guichet's own origin, where its cookies live: every link that starts a login goes there. */
  let publicUrl = location.origin;
  /** The example product API ({ audience, scope, path }), when the stack has one. */
  let product;

  // ---------------------------------------------------------------------------------------------------
  // 1. Web login and session
  async function refreshWebSession() {
    const session = await call('/auth/session');
    if (session.status === 200) {
      const { user } = session.json;
      show('web-output', `Signed in as ${user.name} <${user.email}>\n\nGET /auth/session → 200\n${pretty(session.json)}`, 'signed-in');
    } else if (session.status === 401) {
      show('web-output', `Not signed in.\n\nGET /auth/session → 401\n${pretty(session.json)}`, 'signed-out');
    } else {
      // Anything but 401 says nothing about the session: it could not be checked.
      const answer = session.status ? `GET /auth/session → ${session.status}\n${pretty(session.json)}` : 'GET /auth/session got no answer.';
      const retry = session.retryAfter ? ` (guichet suggests waiting ${duration(session.retryAfter)}: Retry-After)` : '';
      show('web-output', `✗ Could not check the session: ${failure(session)}.\n\n${answer}\n\nRefresh to try again${retry}.`, 'failed');
    }
  }
  on('web-refresh', 'web-output', refreshWebSession);

  // ---------------------------------------------------------------------------------------------------
  // 2. Native app (simulated)
  let native = {};
  const nativeSecrets = secrets('native-secrets');

  on('native-start', 'native-output', async () => {
    const start = await call('/playground/native/start', { method: 'POST' });
    if (start.status !== 201) return show('native-output', `✗ Could not make a PKCE pair: ${failure(start)}.`, 'failed');
    native = { id: start.json.id };
    nativeSecrets.clear();
    $('native-open').href = `${publicUrl}${start.json.login_url}`;
    $('native-open').hidden = false;
    $('native-exchange').disabled = true;
    $('native-start').textContent = 'Make a new PKCE pair';
    show(
      'native-output',
      `The app made a PKCE pair: it keeps the verifier and sends only its S256 challenge.\n` +
        `code_challenge = ${start.json.code_challenge}\n\n` +
        `It opens the system browser on:\n${publicUrl}${start.json.login_url}\n\n` +
        `After the IdP, guichet shows a confirmation page there: click Continue to hand the login to the app.\n` +
        `Waiting for the redirect to ${start.json.return_to} …`,
      'waiting',
    );
    waitForNativeRedirect(native.id).catch((error) => append('native-output', `✗ Stopped waiting: ${error.message}`, 'failed'));
  });

  $('native-open').addEventListener('click', () => {
    native.openedAt = Date.now();
  });

  async function waitForNativeRedirect(id) {
    const deadline = Date.now() + 10 * 60 * 1000;
    while (native.id === id && Date.now() < deadline) {
      const answer = await call(`/playground/native/received?id=${encodeURIComponent(id)}`);
      if (native.id !== id) return;
      if (answer.status === 200) return received(answer.json);
      if (answer.status === 0) return append('native-output', `✗ Stopped waiting: ${failure(answer)}.`, 'failed');
      if (answer.status !== 202) return append('native-output', '✗ This login expired: make a new PKCE pair.', 'failed');
      await sleep(700);
    }
  }

  function received({ redirect, code_verifier: verifier }) {
    const url = new URL(redirect);
    native.redirect = redirect;
    native.verifier = verifier;
    native.code = url.searchParams.get('code');
    native.receivedAt = Date.now();
    const shown = native.code ? redirect.replace(native.code, short(native.code)) : redirect;
    let text = `The app received:\n${shown}`;
    if (!native.code) {
      return append('native-output', `${text}\n\n✗ It carries no code: the login failed. Make a new PKCE pair to start again.`, 'failed');
    }
    nativeSecrets.add('exchange code', native.code);
    text += `\n\nExchange it now: an exchange code lives ${EXCHANGE_CODE_TTL_SECONDS} s by default and can be used once.`;
    const seconds = native.openedAt ? (native.receivedAt - native.openedAt) / 1000 : undefined;
    if (seconds !== undefined && seconds < 5) {
      text +=
        `\n\nNo login form? The redirect came back ${seconds.toFixed(1)} s after the system browser opened: it already had ` +
        'a session at the IdP (from section 1), so the IdP signed you in without asking. That is single sign-on, and why ' +
        "guichet's own confirmation page asked you to continue. " +
        'To see the login form again, log out at the IdP (section 5), then make a new PKCE pair.';
    }
    append('native-output', text, 'received');
    $('native-exchange').disabled = false;
  }

  on('native-exchange', 'native-output', async () => {
    $('native-exchange').disabled = true;
    const age = Math.round((Date.now() - native.receivedAt) / 1000);
    const exchange = await call('/auth/session-exchange', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: native.code, code_verifier: native.verifier }),
    });
    native.code = undefined;
    if (exchange.status !== 200) return exchangeFailed(exchange, age);
    native.sessionToken = exchange.json.session_token;
    nativeSecrets.clear(); // the code is spent
    nativeSecrets.add('session_token', native.sessionToken);
    const shown = { ...exchange.json, session_token: short(exchange.json.session_token) };
    append('native-output', `POST /auth/session-exchange {"code", "code_verifier"} → 200\n${pretty(shown)}`);
    const session = await call('/auth/session', { headers: { Authorization: `Bearer ${native.sessionToken}` } });
    if (session.status === 200) {
      append('native-output', `GET /auth/session with Authorization: Bearer <session_token> → 200\n${pretty(session.json)}`, 'signed-in');
      $('native-user-token').disabled = !product;
    } else {
      append('native-output', `✗ GET /auth/session with Authorization: Bearer <session_token>: ${failure(session)}.`, 'failed');
    }
  });

  on('native-user-token', 'native-output', async () => {
    const request = `POST /oauth/token grant_type=token-exchange, audience=${product.audience}, scope=${product.scope}`;
    const minted = await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...TOKEN_EXCHANGE,
        subject_token: native.sessionToken,
        audience: product.audience,
        scope: product.scope,
      }),
    });
    if (minted.status !== 200) {
      const ended =
        minted.status === 400 && minted.json?.error === 'invalid_grant'
          ? ' The session has ended: sign in again (Make a new PKCE pair).'
          : '';
      return append('native-output', `✗ ${request}: ${failure(minted)}.${ended}`, 'failed');
    }
    nativeSecrets.add('user token', minted.json.access_token);
    append('native-output', userTokenText(request, minted), 'token');
    const called = await callWithUserToken(product.path, `GET ${product.path}`, minted.json.access_token);
    append('native-output', called.text, called.ok ? 'called' : 'failed');
  });

  function exchangeFailed(exchange, age) {
    const lines = [`✗ The exchange failed: ${failure(exchange)}.`];
    if (exchange.status === 400) {
      lines.push(
        `An exchange code lives ${EXCHANGE_CODE_TTL_SECONDS} s by default (EXCHANGE_CODE_TTL_SECONDS) and is single use: an expired code, one already ` +
          'exchanged, or one burnt by a wrong verifier all get 400 invalid_grant. ' +
          (age >= EXCHANGE_CODE_TTL_SECONDS ? `This one was received ${duration(age)} ago: it had expired. ` : '') +
          'The app cannot try again with it: it must start the login again. Make a new PKCE pair and open the system browser again.',
      );
    } else if (exchange.status === 429) {
      lines.push(
        `Too many failed exchanges from this address: try again in ${exchange.retryAfter ?? 'a few'} s (Retry-After), with a new PKCE pair.`,
      );
    } else {
      lines.push('Make a new PKCE pair to start again.');
    }
    if (exchange.status) lines.push(`POST /auth/session-exchange {"code", "code_verifier"} → ${exchange.status}\n${pretty(exchange.json)}`);
    append('native-output', lines.join('\n\n'), 'failed');
    $('native-start').textContent = 'Make a new PKCE pair and start again';
  }

  // ---------------------------------------------------------------------------------------------------
  // 4. Machine-to-machine application
  let application = {};
  const appSecrets = secrets('app-secrets');

  async function makeDemoApplication(credentials) {
    const made = await call(`/playground/apps${credentials === 'keys' ? '?credentials=keys' : ''}`, { method: 'POST' });
    if (made.status !== 200 && made.status !== 201)
      return show('app-output', `✗ Could not make the demo application: ${failure(made)}.`, 'failed');
    const { action, output } = made.json;
    application = { clientId: output.client_id, clientSecret: output.client_secret, keys: credentials === 'keys' };
    appSecrets.clear();
    appSecrets.add('client_secret', application.clientSecret);
    const older = made.json.older_duplicates?.length
      ? `\n${made.json.older_duplicates.length} older "${output.name}" application(s) left as they are: ` +
        `npm run apps -- delete <client_id> removes one (${made.json.older_duplicates.join(', ')}).`
      : '';
    const found = `$ ${made.json.found_with}\n(finds "${output.name}": ${output.client_id})\n$ ${made.json.command}`;
    const what = {
      rotated:
        `The demo application already exists (${output.client_id}): its secret was rotated instead of creating another one. ` +
        `The previous secret stays valid for 24 h (npm run apps -- retire-secret ends it now).${older}\n\n${found}`,
      rekeyed:
        `The demo application with keys already exists (${output.client_id}): ` +
        'it was given a new key pair instead of creating another one. ' +
        `The playground keeps the private key; the old key no longer works.${older}\n\n${found}`,
      created:
        'Created the demo application: there was none yet.\n\n' +
        `$ ${made.json.found_with}\n(no "${output.name}" application)\n$ ${made.json.command}`,
    }[action];
    const shown = application.keys ? output : { ...output, client_secret: short(output.client_secret) };
    show('app-output', `${what}\n${pretty(shown)}`, action === 'created' ? 'created' : 'rotated');
    $('app-token').disabled = false;
    $('app-me').disabled = true;
  }
  on('app-create', 'app-output', () => makeDemoApplication('secret'));
  on('app-create-keys', 'app-output', () => makeDemoApplication('keys'));

  /** The token request of the demo application: HTTP Basic with its secret, or a client assertion signed with its key. */
  async function tokenRequest() {
    if (!application.keys) {
      const headers = {
        Authorization: `Basic ${btoa(`${application.clientId}:${application.clientSecret}`)}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      };
      const response = await call('/oauth/token', { method: 'POST', headers, body: 'grant_type=client_credentials' });
      return { label: 'HTTP Basic', response };
    }
    const signed = await call(`/playground/apps/assertion?client_id=${encodeURIComponent(application.clientId)}`, { method: 'POST' });
    if (signed.status !== 200) return { label: 'private_key_jwt', response: signed };
    const { client_assertion_type: type, client_assertion: assertion } = signed.json;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: type, client_assertion: assertion });
    const response = await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    return { label: 'private_key_jwt', response, assertion: signed.json };
  }

  on('app-token', 'app-output', async () => {
    const { label, response: token, assertion } = await tokenRequest();
    if (token.status !== 200) {
      const answer = token.status ? `\n${pretty(token.json)}` : '';
      return append('app-output', `✗ POST /oauth/token (${label}): ${failure(token)}.${answer}`, 'failed');
    }
    application.accessToken = token.json.access_token;
    appSecrets.add('access_token', application.accessToken);
    const shown = { ...token.json, access_token: short(token.json.access_token) };
    const signed = assertion
      ? "The client assertion, signed with the application's private key (header, then claims):\n" +
        `${pretty(assertion.header)}\n${pretty(assertion.claims)}\n\n`
      : '';
    append(
      'app-output',
      `${signed}POST /oauth/token grant_type=client_credentials (${label}) → 200\n${pretty(shown)}\n\n` +
        `The access token's claims:\n${pretty(claimsOf(token.json.access_token))}`,
      'token',
    );
    $('app-me').disabled = false;
  });

  on('app-me', 'app-output', async () => {
    const me = await call('/external-api/v1.0/me', { headers: { Authorization: `Bearer ${application.accessToken}` } });
    if (me.status === 200) {
      append('app-output', `GET /external-api/v1.0/me with Authorization: Bearer <access_token> → 200\n${pretty(me.json)}`, 'called');
    } else {
      append('app-output', `✗ GET /external-api/v1.0/me: ${failure(me)}.`, 'failed');
    }
  });

  // ---------------------------------------------------------------------------------------------------
  // 5. Back-channel logout
  let watching = false;

  $('logout-open').addEventListener('click', (event) => {
    // The IdP's end-session page opens in a window this page keeps a handle on, to stop watching when it closes.
    event.preventDefault();
    const idpWindow = window.open($('logout-open').href, 'guichet-idp-logout');
    if (watching) return;
    watchLogout(idpWindow).catch((error) => append('logout-output', `✗ Stopped watching: ${error.message}`, 'failed'));
  });

  async function watchLogout(idpWindow) {
    watching = true;
    const status = async (headers) => call('/auth/session', { headers });
    const describe = (answer) => {
      if (answer === undefined) return 'none (section 2 not done)';
      if (answer.status === 200) return 'live (200)';
      if (answer.status === 401) return 'ended (401)';
      return `unknown: ${failure(answer)}`;
    };
    // Live, or not known to be ended: still worth watching.
    const open = (answer) => answer !== undefined && answer.status !== 401;
    const deadline = Date.now() + WATCH_AT_MOST_MS;
    let web;
    let app;
    let looks = 0;
    let seenOpen = false;
    let closed = false;
    try {
      for (;;) {
        // A window seen open, then closed. (One reported closed from the start is no handle at all: a blocked
        // pop-up, or an IdP whose Cross-Origin-Opener-Policy cuts the link; then only the deadline stops this.)
        if (idpWindow && !idpWindow.closed) seenOpen = true;
        closed = seenOpen && idpWindow.closed;
        web = await status();
        app = native.sessionToken ? await status({ Authorization: `Bearer ${native.sessionToken}` }) : undefined;
        looks += 1;
        const anyOpen = open(web) || open(app);
        if (looks === 1 && !anyOpen) {
          return show(
            'logout-output',
            'Nothing to watch: no session is live (web session: ' +
              `${describe(web)}, native app session: ${describe(app)}).\nSign in first (section 1), then log out at the IdP again.`,
            'idle',
          );
        }
        show(
          'logout-output',
          `Watching GET /auth/session every ${WATCH_EVERY_MS / 1000} s while the IdP's logout window is open (${looks} looks):\n` +
            `  web session (cookie):          ${describe(web)}\n` +
            `  native app session (Bearer):   ${describe(app)}`,
          'watching',
        );
        if (!anyOpen) {
          append('logout-output', "Every session is gone: guichet received the IdP's logout token and ended them.", 'ended');
          return refreshWebSession();
        }
        if (closed) {
          return append(
            'logout-output',
            'The IdP window was closed, so this stopped watching. Log out at the IdP again to watch again.',
            'stopped',
          );
        }
        if (Date.now() > deadline) {
          return append(
            'logout-output',
            `Stopped watching after ${duration(WATCH_AT_MOST_MS / 1000)}. Log out at the IdP again to watch again.`,
            'stopped',
          );
        }
        await sleep(WATCH_EVERY_MS);
      }
    } finally {
      watching = false;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  async function loadConfig() {
    const config = await call('/playground/config');
    if (config.status !== 200) {
      show('logout-output', `✗ Could not read the playground's settings: ${failure(config)}.`, 'failed');
      return;
    }
    publicUrl = new URL(config.json.public_url).origin;
    if (location.origin !== publicUrl) {
      // guichet's cookies belong to one host name: a login started from another name of this machine would end on
      // "this login was not started in this browser". The local server redirects localhost; a proxy may not.
      $('wrong-host-url').textContent = `${publicUrl}/`;
      $('wrong-host-url').href = `${publicUrl}/`;
      $('wrong-host-here').textContent = location.origin;
      $('wrong-host').hidden = false;
      $('app-frame').hidden = true;
    } else {
      $('app-frame').src = `${config.json.app_origin}/`;
    }
    // Absolute, to guichet's own origin: a login must start and end on the same host name.
    $('web-login').href = `${publicUrl}/auth/login?returnTo=/`;
    $('web-logout-form').action = `${publicUrl}/auth/logout`;
    $('idp').textContent = config.json.issuer;
    $('app-origin').textContent = config.json.app_origin;
    for (const element of document.querySelectorAll('.return-to')) element.textContent = config.json.native_return_to;
    product = config.json.product;
    if (product) {
      $('native-user-token').hidden = false;
      for (const element of document.querySelectorAll('.product-only')) element.hidden = false;
      for (const [selector, text] of [
        ['.product-audience', product.audience],
        ['.product-path', product.path],
        ['.product-scope', product.scope],
      ]) {
        for (const element of document.querySelectorAll(selector)) element.textContent = text;
      }
    }
    if (config.json.end_session_endpoint) {
      $('logout-open').href = config.json.end_session_endpoint;
      $('logout-open').hidden = false;
      show('logout-output', 'Sign in first (section 1), optionally do section 2, then log out at the IdP.');
    } else {
      show('logout-output', 'This IdP publishes no end_session_endpoint: log out there by its own means.');
    }
  }

  loadConfig().catch((error) => show('logout-output', `✗ Failed: ${error.message}`, 'failed'));
  refreshWebSession().catch((error) => show('web-output', `✗ Failed: ${error.message}`, 'failed'));
  show('native-output', 'Make a PKCE pair to start.');
  show('app-output', 'Create the demo application to start.');
})();
