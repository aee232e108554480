import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** The add-in client, as an add-in serves it: the file in the repository, unchanged. */
export const ADDIN_CLIENT_FILE = path.join(__dirname, '..', '..', 'clients', 'addin', 'guichet-addin.js');

/**
 * A page of an Office add-in's own origin, outside Office, for the browser tests: it loads the add-in client from
 * its origin, and a click on "Sign in" runs the whole login with it (`window.open` for the dialog). What the
 * client reports is kept in `window.addinEvents`; the outcome in `window.addinResult` (`{ token }` or `{ error,
 * message }`). The page learns guichet's URL only once guichet runs (`setGuichetUrl`), since guichet is started
 * with this page's origin in CORS_ORIGINS.
 */
export interface AddinPageServer {
  readonly origin: string;
  setGuichetUrl(url: string): void;
  close(): Promise<void>;
}

const PAGE = (guichetUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An add-in</title></head>
<body>
<button id="sign-in" type="button">Sign in</button>
<script type="module">
import { AddinLogin } from '/guichet-addin.js';
window.addinEvents = [];
document.getElementById('sign-in').addEventListener('click', async () => {
  try {
    const login = await AddinLogin.init({
      guichetUrl: ${JSON.stringify(guichetUrl)},
      addinName: 'Calendar',
      wait: 5,
      onEvent: (event) => window.addinEvents.push(event),
    });
    window.addinLogin = login;
    login.openDialog();
    const token = await login.token();
    window.addinResult = { token };
  } catch (error) {
    window.addinResult = { error: error.reason, message: error.message };
  }
});
</script>
</body></html>`;

export async function startAddinPage(): Promise<AddinPageServer> {
  let guichetUrl = '';
  return listenOnLoopback(
    (url) => {
      guichetUrl = url;
    },
    (request, response) => {
      if (request.url === '/guichet-addin.js') {
        readFile(ADDIN_CLIENT_FILE).then(
          (body) => response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body),
          () => response.writeHead(500).end(),
        );
      } else if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE(guichetUrl));
      } else {
        response.writeHead(404).end();
      }
    },
  );
}

/**
 * A page that opens nothing itself and records every message its window receives (`window.received`, with each
 * sender's origin): the page that opened guichet's dialog, as the tests play it, on whatever origin it is served.
 */
const RECORDING_PAGE = `<!doctype html><title>An opener</title><script>
window.received = [];
window.addEventListener('message', (event) => window.received.push({ origin: event.origin, data: event.data }));
</script>`;

export function startRecordingPage(): Promise<Omit<AddinPageServer, 'setGuichetUrl'>> {
  return listenOnLoopback(
    () => undefined,
    (_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(RECORDING_PAGE),
  );
}

/**
 * Plays the person in guichet's add-in dialog: signs in as `username` on the development IdP's login page, and
 * waits until the dialog is back on guichet's confirmation page.
 */
export async function signInInDialog(
  dialog: Page,
  guichet: { readonly issuer: string; readonly publicUrl: string },
  username: string,
): Promise<void> {
  await dialog.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
  await dialog.locator('input[name="username"]').fill(username);
  await dialog.locator('form button[type="submit"]').click();
  await dialog.waitForURL(`${guichet.publicUrl}/addons/callback`);
}

/** The messages a recording page received so far. */
export const receivedMessages = (page: Page) =>
  page.evaluate(() => (window as unknown as { received: { origin: string; data: unknown }[] }).received);

async function listenOnLoopback(setGuichetUrl: (url: string) => void, listener: RequestListener): Promise<AddinPageServer> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setGuichetUrl,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
