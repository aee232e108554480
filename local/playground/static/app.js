// A product's web app and Office add-in on their own origin: every call goes to guichet, on another origin, with
// credentials, as a real web app or add-in would make it. Plain browser script, no build step.
'use strict';

(function () {
  const { $, sleep, short, pretty, claimsOf, call: callUrl, failure, show, append, on, secrets, userTokenText, callWithUserToken } =
    window.guichetPlayground;
  let guichet = '';
  /** The example product API and this origin's own backend for it, when the stack has one. */
  let product;
  let productBackend;
  let productLogouts;

  /** One cross-origin call with credentials. */
  const call = (method, path, { headers, body } = {}) => callUrl(`${guichet}${path}`, { method, headers, body, credentials: 'include' });

  /** Across origins, "no answer" may also be the browser refusing to show one. */
  const unreachable = (answer) =>
    `${failure(answer)}; across origins the browser also says so when it refuses guichet's answer (is this origin in CORS_ORIGINS?)`;

  on('webapp-check', 'webapp-output', async () => {
    const session = await call('GET', '/auth/session');
    if (session.status === 200) {
      show('webapp-output', `Signed in as ${session.json.user.email}\n\nGET /auth/session (credentials: include) → 200\n${pretty(session.json)}`, 'signed-in');
    } else if (session.status === 401) {
      show('webapp-output', `Not signed in.\n\nGET /auth/session (credentials: include) → 401\n${pretty(session.json)}`, 'signed-out');
    } else if (session.status === 0) {
      show('webapp-output', `✗ Could not check the session: ${unreachable(session)}.`, 'failed');
    } else {
      show('webapp-output', `✗ Could not check the session: ${failure(session)}.\n\nGET /auth/session (credentials: include) → ${session.status}\n${pretty(session.json)}`, 'failed');
    }
  });

  on('product-call', 'product-output', async () => {
    const request = `POST /auth/token {"audience": "${product.audience}"} (credentials: include, X-Requested-With: guichet)`;
    const minted = await call('POST', '/auth/token', {
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'guichet' },
      body: JSON.stringify({ audience: product.audience }),
    });
    if (minted.status === 401) return show('product-output', `Not signed in: sign in first (section 1).\n\n${request} → 401\n${pretty(minted.json)}`, 'signed-out');
    if (minted.status !== 200) {
      const why = minted.status === 0 ? unreachable(minted) : failure(minted);
      return show('product-output', `✗ ${request}: ${why}.${minted.status ? `\n${pretty(minted.json)}` : ''}`, 'failed');
    }
    show('product-output', userTokenText(request, minted), 'token');
    const token = minted.json.access_token;
    const gateway = await callWithUserToken(`${guichet}${product.path}`, `GET ${product.path} (API Gateway's JWT authorizer)`, token);
    append('product-output', gateway.text, gateway.ok ? undefined : 'failed');
    const backend = await callWithUserToken(productBackend, `GET ${location.origin}${productBackend} (the product's backend, jose)`, token);
    append('product-output', backend.text, gateway.ok && backend.ok ? 'called' : 'failed');
  });

  /** The backend's sessions and the logouts it received, refreshed every two seconds while the frame is open. */
  async function showProductLogouts() {
    const state = await fetch(productLogouts).then((response) => response.json()).catch(() => undefined);
    if (!state) return;
    const sessions = state.sessions.length
      ? state.sessions.map((session) => `  sid ${short(session.sid)} (${session.sub})`).join('\n')
      : '  none: get a user token and call the product API (above)';
    const logouts = state.logouts.length
      ? state.logouts
          .map((logout) => {
            const what = logout.dropped ? 'session dropped' : 'no session of it here';
            return `  ${logout.at}  sid ${short(logout.sid)} (${logout.sub})  jti ${short(logout.jti)}  ${what}`;
          })
          .join('\n')
      : '  none yet: sign out (at the IdP, or with guichet\'s logout) after calling the product API';
    const text = `Sessions of the backend:\n${sessions}\n\nLogout tokens received (checked with jose):\n${logouts}`;
    show('product-logouts', text, state.logouts.length ? 'called' : undefined);
  }

  // The add-in's login: what it knows (the CSRF token, the poll interval), what it has done (`text`) and its last poll.
  let addin = {};
  let logins = 0;
  const addinSecrets = secrets('addin-secrets');
  const render = (state) => show('addin-output', addin.status ? `${addin.text}\n\n${addin.status}` : addin.text, state);
  const say = (text, state) => {
    addin.text += `\n\n${text}`;
    addin.status = undefined;
    render(state);
  };

  on('addin-init', 'addin-output', async () => {
    const init = await call('POST', '/addons/sessions/init', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ addin_name: 'Playground' }),
    });
    if (init.status !== 201) {
      const why = init.status === 0 ? unreachable(init) : failure(init);
      return show('addin-output', `✗ POST /addons/sessions/init: ${why}.${init.status ? `\n${pretty(init.json)}` : ''}`, 'failed');
    }
    logins += 1;
    addin = { login: logins, csrfToken: init.json.csrf_token, interval: init.json.interval, polling: false };
    $('addin-open').href = `${guichet}/addons/transit#${new URLSearchParams({ transit_token: init.json.transit_token })}`;
    $('addin-open').hidden = false;
    $('addin-init').textContent = 'Init';
    addinSecrets.clear();
    addinSecrets.add('transit_token', init.json.transit_token);
    addinSecrets.add('csrf_token', init.json.csrf_token);
    const shown = { ...init.json, transit_token: short(init.json.transit_token), csrf_token: short(init.json.csrf_token) };
    addin.text = `POST /addons/sessions/init → 201 (and the guichet_addons_sid cookie)\n${pretty(shown)}`;
    render('initialised');
  });

  on('addin-open', 'addin-output', async () => {
    if (addin.polling || !addin.csrfToken) return;
    addin.polling = true;
    const { login, csrfToken } = addin;
    say('Dialog opened. Polling POST /addons/sessions/poll?wait=10 with X-CSRFToken …', 'pending');
    for (let polls = 1; addin.login === login; polls += 1) {
      const poll = await call('POST', '/addons/sessions/poll?wait=10', { headers: { 'X-CSRFToken': csrfToken } });
      if (addin.login !== login) return;
      if (poll.status === 202) {
        addin.status = `poll ${polls} → 202 pending: the person has not confirmed yet; polling again.`;
        render('pending');
        continue;
      }
      if (poll.status === 429) {
        // Retry-After is readable across origins only when guichet exposes it; the init's interval stands in.
        const seconds = poll.retryAfter ?? addin.interval ?? 5;
        const source = poll.retryAfter !== undefined ? 'Retry-After' : "the init's interval: this origin cannot read Retry-After";
        say(`poll ${polls} → 429 ${poll.json?.error ?? ''}: ${poll.json?.error_description ?? 'too many polls'}. Waiting ${seconds} s (${source}), then polling again.`, 'pending');
        await sleep(seconds * 1000);
        continue;
      }
      if (poll.status === 200) {
        addin.polling = false;
        addin.csrfToken = undefined;
        $('addin-open').hidden = true;
        addinSecrets.add('access_token', poll.json.access_token);
        const shown = { ...poll.json, access_token: short(poll.json.access_token) };
        say(`poll ${polls} → 200\n${pretty(shown)}\n\nThe access token's claims:\n${pretty(claimsOf(poll.json.access_token))}`, 'authenticated');
        return;
      }
      return stop(polls, poll);
    }
  });

  /** The add-in login is over without a token: say why, and offer to start again. */
  function stop(polls, poll) {
    addin.polling = false;
    addin.csrfToken = undefined;
    $('addin-open').hidden = true;
    $('addin-init').textContent = 'Start again';
    const cancelled = poll.status === 404 && /cancelled/.test(poll.json?.error_description ?? '');
    const answer = poll.status ? `poll ${polls} → ${poll.status}\n${pretty(poll.json)}\n\n` : '';
    let why;
    if (cancelled) why = 'The person cancelled in the dialog: the add-in stops polling.';
    else if (poll.status === 404) why = 'This add-in login is over (it expired, or is unknown): the add-in stops polling.';
    else if (poll.status === 0) why = `✗ ${unreachable(poll)}: the add-in stops polling.`;
    else why = `✗ ${failure(poll)}: the add-in stops polling.`;
    say(`${answer}${why} Start again (Init) to sign in.`, cancelled ? 'cancelled' : poll.status === 404 ? 'ended' : 'failed');
  }

  fetch('/config.json')
    .then((response) => response.json())
    .then((config) => {
      guichet = config.guichet;
      $('guichet').textContent = guichet;
      product = config.product;
      productBackend = config.product_backend;
      productLogouts = config.product_logouts;
      if (product) {
        $('product').hidden = false;
        $('product-audience').textContent = product.audience;
        $('product-path').textContent = `${guichet}${product.path}`;
        $('product-backend').textContent = `${location.origin}${productBackend}`;
        $('product-scope').textContent = product.scope;
        $('product-logout-uri').textContent = `${location.origin}/api/backchannel-logout`;
        showProductLogouts();
        setInterval(showProductLogouts, 2000);
        show('product-output', 'Sign in (section 1), then get a user token.');
      }
      $('origin').textContent = location.origin;
      show('webapp-output', 'Check the session to start.');
      show('addin-output', 'Init to start.');
    })
    .catch((error) => show('addin-output', `✗ Could not read this frame's settings: ${error.message}`, 'failed'));
})();
