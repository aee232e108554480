import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium binary (`apt-get install chromium`); the /usr/bin/chromium wrapper prints a shell error. */
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';

/**
 * Headless Chromium for the browser tests. A missing binary fails the test with what to install: the
 * browser tests must never be skipped silently.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this on CI).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 15_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser context that can only reach loopback: every other request (Office.js from
 * appsforoffice.microsoft.com, above all) is aborted, and its URL recorded in `blocked`.
 */
export async function loopbackOnlyContext(browser: Browser): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).hostname === '127.0.0.1') return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}

export interface CspViolation {
  readonly documentURI: string;
  readonly violatedDirective: string;
  readonly blockedURI: string;
  readonly sample: string;
}

/**
 * Records every `securitypolicyviolation` event in the context's pages. The listener is injected by the
 * DevTools protocol, so the pages' own CSP does not apply to it.
 */
export async function recordCspViolations(context: BrowserContext): Promise<CspViolation[]> {
  const violations: CspViolation[] = [];
  await context.exposeBinding('__recordCspViolation', (_source, violation: CspViolation) => {
    violations.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const record = (window as unknown as { __recordCspViolation: (v: CspViolation) => void }).__recordCspViolation;
      record({
        documentURI: event.documentURI,
        violatedDirective: event.violatedDirective,
        blockedURI: event.blockedURI,
        sample: event.sample,
      });
    });
  });
  return violations;
}
