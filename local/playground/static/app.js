// A product's web app and Office add-in on their own origin: every call goes to guichet, on another origin, with
// credentials, as a real web app or add-in would make it. A plain browser module, no build step; the add-in uses
// guichet's add-in client as any add-in would.
import { AddinLogin } from './guichet-addin.js';

(() => {
  const {
    $,
    short,
    pretty,
    claimsOf,
    call: callUrl,
    failure,
    show,
    append,
    on,
    secrets,
    userTokenText,
    callWithUserToken,
  } = window.guichetPlayground;
  let guichet = '';
  /** The example product API and this origin's own backend for it, when the stack has one. */
  let product;
  let productBackend;
  let productLogouts;

  /** One cross-origin call with credentials. */
  const call = (method, path, { headers, body } = {}) => callUrl(`${guichet}${path}`, { method, headers, body, credentials: 'include' });

  /** Across origins, "no answer" may also be the browser refusing to show one. */
  const acrossOrigins = (text) =>
    `${text}; across origins the browser also says so when it refuses guichet's answer (is this origin in CORS_ORIGINS?)`;
  const unreachable = (answer) => acrossOrigins(failure(answer));

  on('webapp-check', 'webapp-output', async () => {
    const session = await call('GET', '/auth/session');
    if (session.status === 200) {
      show(
        'webapp-output',
        `Signed in as ${session.json.user.email}\n\nGET /auth/session (credentials: include) → 200\n${pretty(session.json)}`,
        'signed-in',
      );
    } else if (session.status === 401) {
      show('webapp-output', `Not signed in.\n\nGET /auth/session (credentials: include) → 401\n${pretty(session.json)}`, 'signed-out');
    } else if (session.status === 0) {
      show('webapp-output', `✗ Could not check the session: ${unreachable(session)}.`, 'failed');
    } else {
      show(
        'webapp-output',
        `✗ Could not check the session: ${failure(session)}.\n\nGET /auth/session (credentials: include) → ${session.status}\n${pretty(session.json)}`,
        'failed',
      );
    }
  });

  on('product-call', 'product-output', async () => {
    const request = `POST /auth/token {"audience": "${product.audience}"} (credentials: include, X-Requested-With: guichet)`;
    const minted = await call('POST', '/auth/token', {
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'guichet' },
      body: JSON.stringify({ audience: product.audience }),
    });
    if (minted.status === 401)
      return show('product-output', `Not signed in: sign in first (section 1).\n\n${request} → 401\n${pretty(minted.json)}`, 'signed-out');
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
    const state = await fetch(productLogouts)
      .then((response) => response.json())
      .catch(() => undefined);
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
      : "  none yet: sign out (at the IdP, or with guichet's logout) after calling the product API";
    const text = `Sessions of the backend:\n${sessions}\n\nLogout tokens received (checked with jose):\n${logouts}`;
    show('product-logouts', text, state.logouts.length ? 'called' : undefined);
  }

  // The add-in's login, run by guichet's add-in client: what it has done (`text`), its last poll, and the login itself.
  let addin = {};
  let logins = 0;
  const addinSecrets = secrets('addin-secrets');
  const render = (state) => show('addin-output', addin.status ? `${addin.text}\n\n${addin.status}` : addin.text, state);
  const say = (text, state) => {
    addin.text += `\n\n${text}`;
    addin.status = undefined;
    render(state);
  };

  /** What the client reports, step by step, for login number `login` (an older login's reports are ignored). */
  const progress = (login) => (event) => {
    if (addin.login !== login) return;
    if (event.step === 'dialog' && event.state === 'opened') {
      say('Dialog opened. Polling POST /addons/sessions/poll?wait=10 with X-CSRFToken …', 'pending');
    }
    if (event.step === 'completion') {
      const from = `postMessage from ${guichet}, from the dialog this add-in opened`;
      say(`The completion code arrived from guichet's dialog (${from}). Polling once with X-Guichet-Completion …`, 'pending');
    }
    if (event.step !== 'poll' && event.step !== 'wait') return;
    if (event.step === 'poll') addin.polls += 1;
    const poll = `poll ${addin.polls}`;
    if (event.step === 'wait' && event.reason === 'retry-after') {
      say(`${poll} → 429 ${addin.refusal}. Waiting ${event.seconds} s (Retry-After), then polling again.`, 'pending');
    } else if (event.step === 'wait') {
      const source = "the init's interval: this origin cannot read Retry-After";
      if (addin.refusal) say(`${poll} → 429 ${addin.refusal}. Waiting ${event.seconds} s (${source}), then polling again.`, 'pending');
    } else if (event.status === 429) {
      addin.refusal = `${event.body?.error ?? ''}: ${event.body?.error_description ?? 'too many polls'}`;
      return;
    } else if (event.status === 202 && event.body?.state === 'confirmed') {
      addin.status = `${poll} → 202 confirmed: the person confirmed; waiting for the completion code from guichet's dialog.`;
      render('pending');
    } else if (event.status === 202) {
      addin.status = `${poll} → 202 pending: the person has not confirmed yet; polling again.`;
      render('pending');
    }
    addin.refusal = undefined;
  };

  on('addin-init', 'addin-output', async () => {
    logins += 1;
    const login = logins;
    addin = { login, text: '', polls: 0 };
    let answer;
    try {
      addin.client = await AddinLogin.init({
        guichetUrl: guichet,
        addinName: 'Playground',
        wait: 10,
        onEvent: (event) => {
          if (event.step === 'init') answer = event;
          else progress(login)(event);
        },
      });
    } catch (error) {
      const why = error.reason === 'unreachable' ? acrossOrigins(error.message) : error.message;
      return show('addin-output', `✗ POST /addons/sessions/init: ${why}.${error.body ? `\n${pretty(error.body)}` : ''}`, 'failed');
    }
    $('addin-open').hidden = false;
    $('addin-init').textContent = 'Init';
    addinSecrets.clear();
    addinSecrets.add('transit_token', answer.body.transit_token);
    addinSecrets.add('csrf_token', answer.body.csrf_token);
    const shown = { ...answer.body, transit_token: short(answer.body.transit_token), csrf_token: short(answer.body.csrf_token) };
    addin.text = `POST /addons/sessions/init → 201 (from ${location.origin}, with the guichet_addons_sid cookie)\n${pretty(shown)}`;
    render('initialised');
  });

  on('addin-open', 'addin-output', async () => {
    const { client, login } = addin;
    if (!client || addin.opened) return;
    addin.opened = true;
    $('addin-open').hidden = true;
    client.openDialog();
    try {
      const token = await client.token();
      if (addin.login !== login) return;
      addinSecrets.add('access_token', token.accessToken);
      const { tokenType: token_type, expiresIn: expires_in, scope } = token;
      const answer = { state: 'authenticated', access_token: short(token.accessToken), token_type, expires_in, scope };
      const claims = pretty(claimsOf(token.accessToken));
      say(`poll ${addin.polls} → 200\n${pretty(answer)}\n\nThe access token's claims:\n${claims}`, 'authenticated');
    } catch (error) {
      if (addin.login === login) stop(error);
    }
  });

  /** The add-in login is over without a token: say why, and offer to start again. */
  function stop(error) {
    $('addin-init').textContent = 'Start again';
    const answer = error.status ? `poll ${addin.polls} → ${error.status}\n${pretty(error.body)}\n\n` : '';
    const [why, state] = ending(error);
    say(`${answer}${why} Start again (Init) to sign in.`, state);
  }

  /** Why a login ended without a token, in words, and the output's state. */
  function ending(error) {
    if (error.reason === 'ended' && /cancelled/.test(error.body?.error_description ?? '')) {
      return ['The person cancelled in the dialog: the add-in stops polling.', 'cancelled'];
    }
    if (error.reason === 'ended') return ['This add-in login is over (it expired, or is unknown): the add-in stops polling.', 'ended'];
    if (error.reason === 'closed') {
      return ['The dialog was closed before the person confirmed: the add-in stops polling and spends its transit token.', 'ended'];
    }
    const detail = error.reason === 'unreachable' ? acrossOrigins(error.message) : error.message;
    return [`✗ ${detail}: the add-in stops polling.`, 'failed'];
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
