import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/**
 * The browser for the browser tests: `CHROMIUM_PATH` when set (a system Chromium, or the one the global setup
 * unpacked), otherwise the Chromium that `npm ci` brings in `@sparticuz/chromium`. That package is ESM-only and
 * finds its archive through `import.meta.url`, which Jest's CommonJS mode cannot run, so a child Node process
 * unpacks it (to the temporary directory, about 2 s the first time) and prints where.
 */
export function chromiumExecutable(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { default: c } = await import('@sparticuz/chromium'); process.stdout.write(await c.executablePath());",
    ],
    { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', timeout: 60_000 },
  );
}

/**
 * Our own flags, not `@sparticuz/chromium`'s `args`: those are made for Lambda and include
 * `--disable-web-security`, `--allow-running-insecure-content` and `--disable-site-isolation-trials`, which
 * would silently switch off CORS, mixed-content blocking and origin isolation, the very things these tests check.
 * The background-networking flags keep Chromium from calling Google's hosts on this closed network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium with web security on. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), headless: true, timeout: 15_000, args: [...CHROMIUM_ARGS] });
}

/**
 * A fresh browser context that can only reach loopback (`hosts`): every other request (Office.js from
 * appsforoffice.microsoft.com, above all) is aborted, and its URL recorded in `blocked`.
 */
export async function loopbackOnlyContext(
  browser: Browser,
  hosts: readonly string[] = ['127.0.0.1'],
): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (hosts.includes(new URL(url).hostname)) return route.continue();
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
