// @ts-check
/**
 * guichet's Office add-in login, for the add-in's own page: a plain browser ES module with no dependency and no
 * build step (copy it next to the add-in's scripts, or serve it as is). It does what the contract asks of an
 * add-in, so that nobody rewrites it by hand:
 *
 * 1. `init` opens the add-in login from the add-in's page (its origin must be listed in guichet's CORS_ORIGINS);
 *    guichet's cookie holds the add-in session, this object the CSRF token, the dialog the transit token.
 * 2. `openDialog` opens guichet's login dialog: Office's `displayDialogAsync` inside Office, else `window.open`.
 * 3. `token` polls (long polls, honouring 202, 429 and `Retry-After`), waits for the one-time completion code that
 *    guichet's confirmation page hands this window only (checked: guichet's origin, the dialog this object opened,
 *    the expected message type), then polls once with it and resolves with the access token, delivered once.
 * 4. `cancel` closes the dialog, stops polling and spends the transit token, so that nobody can confirm any more.
 *
 * @example
 * import { signIn } from './guichet-addin.js';
 * button.addEventListener('click', async () => {
 *   const { accessToken } = await signIn({ guichetUrl: 'https://auth.example.com', addinName: 'Calendar' });
 * });
 */

/** The message type guichet's confirmation page sends. */
export const COMPLETION_MESSAGE_TYPE = 'guichet:addin-login';
/** guichet's one-time secrets: 256 bits, base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** A poll's longest wait, in seconds (guichet's limit). */
const MAX_WAIT_SECONDS = 20;
/** Office's DialogEventReceived code when the person closed the dialog. */
const OFFICE_DIALOG_CLOSED = 12006;

/**
 * @typedef {object} AddinToken
 * @property {string} accessToken an RFC 9068 JWT for the add-in's APIs
 * @property {'Bearer'} tokenType
 * @property {number} expiresIn seconds
 * @property {string} scope
 */

/**
 * @typedef {{ step: 'init', status: number, body: unknown }
 *   | { step: 'dialog', state: 'opened' | 'closed' }
 *   | { step: 'completion' }
 *   | { step: 'poll', status: number, body: unknown, withCompletion: boolean, retryAfter?: number }
 *   | { step: 'wait', seconds: number, reason: 'retry-after' | 'interval' }
 *   | { step: 'cancel', status?: number }} AddinLoginEvent
 * What the login does, step by step, for a progress display or logs. It carries guichet's answers as they are.
 */

/**
 * @typedef {object} AddinLoginOptions
 * @property {string} guichetUrl guichet's public URL, such as `https://auth.example.com`
 * @property {string} [addinName] shown to the person on guichet's confirmation page
 * @property {string} [dialogStartUrl] inside Office only: a page on the add-in's own origin that calls
 *   `continueToGuichet` (Office opens a dialog on the add-in's domain only, which may then go elsewhere)
 * @property {number} [wait] seconds a poll may be held while the login is pending, 0 to 20 (default 20)
 * @property {(event: AddinLoginEvent) => void} [onEvent]
 */

/**
 * The parts of Office.js this module uses; the add-in loads Office.js itself and calls `Office.onReady` first.
 * @typedef {{ addEventHandler(type: unknown, handler: (arg: { message?: unknown, origin?: string, error?: number }) => void): void,
 *   close(): void }} OfficeDialog
 * @typedef {{ context?: { ui?: { displayDialogAsync?: (url: string, options: object,
 *   callback: (result: { status: string, value: OfficeDialog, error?: { code: number, message: string } }) => void) => void } },
 *   EventType: { DialogMessageReceived: unknown, DialogEventReceived: unknown } }} OfficeApi
 */

/**
 * Why a login ended without a token: `refused` (guichet said no: see `status` and `body`), `ended` (the person
 * cancelled in the dialog, or the login expired), `unreachable` (no answer from guichet, or the browser refused to
 * show it: is this origin in CORS_ORIGINS?), `closed` (the dialog was closed before the sign-in completed),
 * `blocked` (the dialog could not open), `aborted` (`cancel` was called).
 */
export class AddinLoginError extends Error {
  /**
   * @param {'refused' | 'ended' | 'unreachable' | 'closed' | 'blocked' | 'aborted'} reason
   * @param {string} message
   * @param {{ status?: number, body?: unknown }} [answer] guichet's answer, when there was one
   */
  constructor(reason, message, answer = {}) {
    super(message);
    this.name = 'AddinLoginError';
    this.reason = reason;
    this.status = answer.status;
    this.body = answer.body;
  }
}

export class AddinLogin {
  /** @type {string} */ #guichet;
  /** @type {string} */ #guichetOrigin;
  /** @type {AddinLoginOptions} */ #options;
  /** @type {string} */ #transitToken;
  /** @type {string} */ #csrfToken;
  /** @type {number} */ #interval;
  /** @type {number} epoch milliseconds */ #deadline;
  /** @type {string | undefined} */ #completion;
  /** @type {AddinLoginError | undefined} */ #ended;
  /** @type {'pending' | 'confirmed'} */ #lastState = 'pending';
  /** @type {(() => void) | undefined} */ #closeDialog;
  /** @type {(() => void)[]} */ #cleanups = [];
  /** Wakes whatever the login is waiting for (a delay, the completion code) when something happens. */
  /** @type {() => void} */ #nudge = () => undefined;
  #requests = new AbortController();
  /** @type {Promise<AddinToken> | undefined} */ #result;

  /**
   * @param {AddinLoginOptions} options
   * @param {{ transit_token: string, csrf_token: string, expires_in: number, interval: number }} opened
   */
  constructor(options, opened) {
    const url = new URL(options.guichetUrl);
    this.#guichet = url.href.replace(/\/+$/, '');
    this.#guichetOrigin = url.origin;
    this.#options = options;
    this.#transitToken = opened.transit_token;
    this.#csrfToken = opened.csrf_token;
    this.#interval = opened.interval;
    this.#deadline = Date.now() + opened.expires_in * 1000;
  }

  /**
   * Opens an add-in login at guichet (`POST /addons/sessions/init`, with credentials: guichet's cookie holds it).
   * @param {AddinLoginOptions} options
   * @returns {Promise<AddinLogin>}
   */
  static async init(options) {
    const guichet = new URL(options.guichetUrl).href.replace(/\/+$/, '');
    const answer = await request(`${guichet}/addons/sessions/init`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(options.addinName === undefined ? {} : { addin_name: options.addinName }),
    });
    options.onEvent?.({ step: 'init', status: answer.status, body: answer.body });
    if (answer.status !== 201) throw refusal('POST /addons/sessions/init', answer);
    return new AddinLogin(options, /** @type {any} */ (answer.body));
  }

  /**
   * Opens guichet's login dialog. Outside Office it uses `window.open`: call it while handling the person's click,
   * or the browser may block the window.
   */
  openDialog() {
    if (this.#closeDialog || this.#ended) return;
    const office = officeApi();
    if (office) this.#openOfficeDialog(office);
    else this.#openWindow();
  }

  /**
   * Waits for the person to confirm in the dialog, and resolves with the add-in's access token, delivered once.
   * @returns {Promise<AddinToken>}
   */
  token() {
    this.#result ??= this.#collect().finally(() => this.#finish());
    return this.#result;
  }

  /** Stops the login: closes the dialog, stops polling and spends the transit token, if nobody confirmed yet. */
  async cancel() {
    if (this.#ended) return;
    await this.#stop(new AddinLoginError('aborted', 'the add-in cancelled its sign-in'));
  }

  /** @param {AddinLoginError} error */
  async #stop(error) {
    const stillPending = this.#lastState === 'pending' && this.#completion === undefined;
    this.#end(error);
    // Spending the transit token after a confirmation would look like its replay to guichet: only while pending.
    if (!stillPending) return;
    const answer = await request(`${this.#guichet}/addons/sessions/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ transit_token: this.#transitToken }),
    });
    this.#options.onEvent?.({ step: 'cancel', status: answer.status || undefined });
  }

  async #collect() {
    if (!this.#closeDialog && !this.#ended) this.openDialog();
    for (;;) {
      this.#throwIfEnded();
      const withCompletion = this.#completion !== undefined;
      const started = Date.now();
      const answer = await this.#poll();
      this.#throwIfEnded();
      const body = /** @type {any} */ (answer.body);
      if (answer.status === 200) {
        const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, scope } = body;
        return /** @type {AddinToken} */ ({ accessToken, tokenType, expiresIn, scope });
      }
      if (answer.status === 202) {
        this.#lastState = body?.state === 'confirmed' ? 'confirmed' : 'pending';
        if (this.#lastState === 'confirmed' && !withCompletion) await this.#completionCode();
        else if (!withCompletion) await this.#pause(this.#interval - (Date.now() - started) / 1000, 'interval');
      } else if (answer.status === 429 || answer.status === 503) {
        await this.#pause(answer.retryAfter ?? this.#interval, answer.retryAfter === undefined ? 'interval' : 'retry-after');
      } else if (answer.status === 404) {
        throw new AddinLoginError('ended', errorText(body, 'the sign-in ended'), answer);
      } else {
        throw refusal('POST /addons/sessions/poll', answer);
      }
    }
  }

  /** One poll: a long one while the code is not here, one with `X-Guichet-Completion` when it is. */
  async #poll() {
    const wait = Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.floor(this.#options.wait ?? MAX_WAIT_SECONDS)));
    const completion = this.#completion;
    /** @type {Record<string, string>} */
    const headers = { 'X-CSRFToken': this.#csrfToken };
    if (completion !== undefined) headers['X-Guichet-Completion'] = completion;
    const query = completion === undefined && wait > 0 ? `?wait=${wait}` : '';
    const url = `${this.#guichet}/addons/sessions/poll${query}`;
    const answer = await request(url, { method: 'POST', headers, signal: this.#requests.signal });
    if (this.#ended) return answer;
    const { status, body, retryAfter } = answer;
    this.#options.onEvent?.({ step: 'poll', status, body, withCompletion: completion !== undefined, retryAfter });
    if (answer.status === 0) throw new AddinLoginError('unreachable', `guichet could not be reached (${answer.error})`);
    return answer;
  }

  /** Waits for the completion code, after guichet said the person confirmed; until the login expires at most. */
  async #completionCode() {
    while (this.#completion === undefined) {
      this.#throwIfEnded();
      if (Date.now() >= this.#deadline) throw new AddinLoginError('ended', 'the sign-in expired before the add-in received its completion');
      await this.#waitForNudge(this.#deadline - Date.now());
    }
  }

  /**
   * @param {number} seconds
   * @param {'retry-after' | 'interval'} reason
   */
  async #pause(seconds, reason) {
    if (seconds <= 0) return;
    this.#options.onEvent?.({ step: 'wait', seconds, reason });
    await this.#waitForNudge(seconds * 1000);
  }

  /** @param {number} milliseconds */
  #waitForNudge(milliseconds) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), milliseconds);
      this.#nudge = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });
  }

  /** A completion code from the dialog: it releases the token at the next poll. @param {unknown} data */
  #received(data) {
    const message = /** @type {{ type?: unknown, completion?: unknown } | null} */ (data);
    if (typeof message !== 'object' || message === null || message.type !== COMPLETION_MESSAGE_TYPE) return;
    if (typeof message.completion !== 'string' || !SECRET.test(message.completion) || this.#completion !== undefined) return;
    this.#completion = message.completion;
    this.#options.onEvent?.({ step: 'completion' });
    // Its work is done; the add-in's page closes what it opened.
    this.#closeDialog?.();
    this.#nudge();
  }

  #dialogClosed() {
    this.#options.onEvent?.({ step: 'dialog', state: 'closed' });
    if (this.#completion !== undefined || this.#ended) return;
    void this.#stop(new AddinLoginError('closed', 'the sign-in window was closed before the sign-in completed'));
  }

  #openWindow() {
    const url = `${this.#guichet}/addons/transit#${new URLSearchParams({ transit_token: this.#transitToken })}`;
    const dialog = window.open(url, '_blank', 'popup,width=520,height=680');
    if (!dialog) return this.#end(new AddinLoginError('blocked', 'the browser blocked the sign-in window: open it from a click'));
    /** @param {MessageEvent} event */
    const onMessage = (event) => {
      // Only guichet's page, only in the window this login opened: any other sender is ignored.
      if (event.origin === this.#guichetOrigin && event.source === dialog) this.#received(event.data);
    };
    window.addEventListener('message', onMessage);
    const watch = setInterval(() => {
      if (!dialog.closed) return;
      clearInterval(watch);
      this.#dialogClosed();
    }, 500);
    this.#cleanups.push(
      () => window.removeEventListener('message', onMessage),
      () => clearInterval(watch),
    );
    this.#closeDialog = once(() => {
      clearInterval(watch);
      dialog.close();
    });
    this.#options.onEvent?.({ step: 'dialog', state: 'opened' });
  }

  /** @param {OfficeApi} office */
  #openOfficeDialog(office) {
    const start = this.#options.dialogStartUrl;
    if (!start) {
      const message = 'inside Office, dialogStartUrl must name a page of the add-in that calls continueToGuichet';
      return this.#end(new AddinLoginError('blocked', message));
    }
    const url = `${start.split('#')[0]}#${new URLSearchParams({ transit_token: this.#transitToken })}`;
    this.#closeDialog = () => undefined;
    office.context?.ui?.displayDialogAsync?.(url, { height: 60, width: 30 }, (result) => {
      if (result.status !== 'succeeded') {
        return this.#end(new AddinLoginError('blocked', `Office could not open the dialog: ${result.error?.message}`));
      }
      const dialog = result.value;
      dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
        // Office tells the sender's origin (DialogOrigin 1.1); only guichet's is heard. It cannot be another dialog.
        if (arg.origin !== this.#guichetOrigin || typeof arg.message !== 'string') return;
        try {
          this.#received(JSON.parse(arg.message));
        } catch {
          // Not guichet's message.
        }
      });
      dialog.addEventHandler(office.EventType.DialogEventReceived, (arg) => {
        if (arg.error === OFFICE_DIALOG_CLOSED) this.#dialogClosed();
      });
      this.#closeDialog = once(() => dialog.close());
      if (this.#ended) this.#closeDialog();
      this.#options.onEvent?.({ step: 'dialog', state: 'opened' });
    });
  }

  /** @param {AddinLoginError} error */
  #end(error) {
    this.#ended ??= error;
    this.#requests.abort();
    this.#closeDialog?.();
    this.#nudge();
  }

  #throwIfEnded() {
    if (this.#ended) throw this.#ended;
  }

  #finish() {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#closeDialog?.();
  }
}

/**
 * The whole login, from the add-in's click handler: init, the dialog, the token.
 * @param {AddinLoginOptions} options
 * @returns {Promise<AddinToken>}
 */
export async function signIn(options) {
  const login = await AddinLogin.init(options);
  login.openDialog();
  return login.token();
}

/**
 * For the add-in's dialog start page (`dialogStartUrl`), inside Office: takes the transit token from this page's
 * fragment and goes on to guichet's dialog page. guichet's URL is the add-in's to set, never the link's.
 * @param {string} guichetUrl
 */
export function continueToGuichet(guichetUrl) {
  const transitToken = new URLSearchParams(window.location.hash.slice(1)).get('transit_token');
  if (transitToken === null || !SECRET.test(transitToken)) {
    throw new AddinLoginError('refused', 'this page was opened without a transit token');
  }
  const guichet = new URL(guichetUrl).href.replace(/\/+$/, '');
  window.location.replace(`${guichet}/addons/transit#${new URLSearchParams({ transit_token: transitToken })}`);
}

/** @returns {OfficeApi | undefined} */
function officeApi() {
  const office = /** @type {OfficeApi | undefined} */ (/** @type {any} */ (globalThis).Office);
  return typeof office?.context?.ui?.displayDialogAsync === 'function' ? office : undefined;
}

/**
 * One request to guichet with credentials: its status (0 when no answer came), its JSON body and `Retry-After`.
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<{ status: number, body?: unknown, retryAfter?: number, error?: string }>}
 */
async function request(url, init) {
  let response;
  try {
    response = await fetch(url, { ...init, credentials: 'include' });
  } catch (error) {
    return { status: 0, error: /** @type {Error} */ (error).message };
  }
  const text = await response.text().catch(() => '');
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return { status: response.status, body, retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined };
}

/**
 * @param {string} what
 * @param {{ status: number, body?: unknown, error?: string }} answer
 */
function refusal(what, answer) {
  if (answer.status === 0) return new AddinLoginError('unreachable', `guichet could not be reached (${answer.error})`);
  return new AddinLoginError('refused', `${what} answered ${answer.status}: ${errorText(answer.body, 'no detail')}`, answer);
}

/**
 * @param {unknown} body
 * @param {string} otherwise
 */
function errorText(body, otherwise) {
  const error = /** @type {{ error?: string, error_description?: string } | undefined} */ (body);
  return error?.error_description ?? error?.error ?? otherwise;
}

/**
 * @param {() => void} action
 * @returns {() => void} the action, done the first time only
 */
function once(action) {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
