// What the playground page and the product frame share: calling guichet, telling its answers apart, shortening
// secrets (with a button that copies the whole value), and showing times in words. Plain browser script, no
// build step: it defines window.guichetPlayground for the page's own script, loaded after it.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Secrets are shown shortened: enough to recognise them, not to read them off a screenshot. */
  const short = (secret) => (typeof secret === 'string' ? `${secret.slice(0, 8)}…(${secret.length} chars)` : secret);

  /** A length of time in words: 45 s, 12 min, 1 h, 1.5 h, 12 h, 3 days. */
  function duration(seconds) {
    const s = Math.abs(Math.round(seconds));
    if (s < 90) return `${s} s`;
    if (Math.round(s / 60) < 60) return `${Math.round(s / 60)} min`;
    const hours = s / 3600;
    if (hours >= 36) return `${Math.round(s / 86400)} days`;
    return hours < 10 && Math.abs(hours - Math.round(hours)) >= 0.05 ? `${hours.toFixed(1)} h` : `${Math.round(hours)} h`;
  }

  /** An instant (seconds since 1970) in words: "in 12 h, 2026-11-29 10:00 UTC". */
  function when(epochSeconds) {
    const diff = epochSeconds - Date.now() / 1000;
    const iso = new Date(epochSeconds * 1000).toISOString();
    const relative = Math.abs(diff) < 3 ? 'now' : diff > 0 ? `in ${duration(diff)}` : `${duration(diff)} ago`;
    return `${relative}, ${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  }

  /**
   * JSON as guichet sent it, indented, with the times spelt out next to the raw numbers:
   * `"exp": 1793872000 (in 1 h, 2026-11-29 10:00 UTC),` and `"expires_in": 3600 (1 h),`.
   */
  function pretty(value) {
    if (value === undefined) return '';
    return JSON.stringify(value, null, 2)
      .replace(
        /^(\s*"(?:expires_at|iat|exp|nbf|auth_time)": )(\d{9,12})(,?)$/gm,
        (_, key, n, comma) => `${key}${n} (${when(Number(n))})${comma}`,
      )
      .replace(/^(\s*"expires_in": )(\d+)(,?)$/gm, (_, key, n, comma) => `${key}${n} (${duration(Number(n))})${comma}`);
  }

  /** The claims of a JWT (not verified: only to show them). */
  const claimsOf = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

  /**
   * One request. The answer as { status, json, retryAfter }; status 0 when no answer arrived (guichet not
   * running, or, across origins, the browser refusing to show the answer), with the browser's reason in `error`.
   */
  async function call(url, { method = 'GET', headers, body, credentials = 'same-origin' } = {}) {
    let response;
    try {
      response = await fetch(url, { method, headers, body, credentials });
    } catch (error) {
      return { status: 0, error: error.message };
    }
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    return { status: response.status, json, retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined };
  }

  /** What went wrong, in one line: "guichet answered 503 temporarily_unavailable: …" or "guichet could not be reached". */
  function failure(answer) {
    if (answer.status === 0) return `guichet could not be reached (${answer.error})`;
    const { error, error_description: description, message } = typeof answer.json === 'object' && answer.json ? answer.json : {};
    const detail =
      [error, description ?? message].filter(Boolean).join(': ') || (typeof answer.json === 'string' ? answer.json.slice(0, 200) : '');
    return `guichet answered ${answer.status}${detail ? ` ${detail}` : ''}`;
  }

  /** A user token as guichet answered it (the token shortened), then the claims it carries. */
  function userTokenText(request, answer) {
    const shown = { ...answer.json, access_token: short(answer.json.access_token) };
    return `${request} → 200\n${pretty(shown)}\n\nThe user token's claims:\n${pretty(claimsOf(answer.json.access_token))}`;
  }

  /** A product API called with a user token: what it answered (200: who the token speaks for), or what refused it. */
  async function callWithUserToken(url, label, accessToken) {
    const answer = await call(url, { headers: { Authorization: `Bearer ${accessToken}` } });
    const outcome = answer.status ? `${answer.status}\n${pretty(answer.json)}` : `no answer: ${failure(answer)}`;
    return { ok: answer.status === 200, text: `${label} with Authorization: Bearer <user token> → ${outcome}` };
  }

  /** Sets a section's output text and, optionally, its state (data-state, which the style and the tests read). */
  const show = (id, text, state) => {
    $(id).textContent = text;
    if (state) $(id).dataset.state = state;
  };
  const append = (id, text, state) => {
    $(id).textContent += `\n\n${text}`;
    if (state) $(id).dataset.state = state;
  };

  /** A click handler whose failures (a bug, most likely) are shown in the section as failures, not lost. */
  const on = (id, output, handler) =>
    $(id).addEventListener('click', (event) =>
      Promise.resolve(handler(event)).catch((error) => append(output, `✗ Failed: ${error.message}`, 'failed')),
    );

  /**
   * The secrets a section shows, each shortened, with a button that copies the whole value (the Clipboard API;
   * where the browser refuses it, the value is shown in a field, selected, to copy by hand).
   */
  function secrets(id) {
    const container = $(id);
    return {
      clear() {
        container.replaceChildren();
      },
      add(label, value) {
        if (typeof value !== 'string') return;
        const item = document.createElement('span');
        item.className = 'secret';
        const name = document.createElement('span');
        name.className = 'secret-label';
        name.textContent = label;
        const shown = document.createElement('code');
        shown.textContent = short(value);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'copy';
        button.textContent = 'Copy';
        button.dataset.secret = label;
        button.title = `Copy the whole ${label}`;
        button.addEventListener('click', async () => {
          try {
            await navigator.clipboard.writeText(value);
            button.textContent = 'Copied';
            setTimeout(() => (button.textContent = 'Copy'), 2000);
          } catch {
            const field = document.createElement('input');
            field.readOnly = true;
            field.value = value;
            field.className = 'secret-field';
            item.replaceChildren(name, field);
            field.select();
          }
        });
        item.append(name, ' ', shown, ' ', button);
        container.append(item);
      },
    };
  }

  /** RFC 8693, as guichet speaks it: a session token exchanged for an access token. */
  const TOKEN_EXCHANGE = {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:guichet:token-type:session',
  };

  window.guichetPlayground = {
    $,
    sleep,
    short,
    duration,
    when,
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
  };
})();
