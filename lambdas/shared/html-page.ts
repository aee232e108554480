import { createHash } from 'node:crypto';
import type { HttpResult } from './http';

export interface PageContent {
  readonly title: string;
  /** Markup; any value from the request or the IdP in it must have gone through `escapeHtml`. */
  readonly body: string;
  readonly script: string;
  readonly style: string;
}

/** Script hosts a page may load besides its own inline script: Office.js, for the dialog API. */
const OFFICE_JS = 'https://appsforoffice.microsoft.com';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** What a page may load besides its own inline script and style, and where its forms may go. */
interface PagePolicy {
  readonly officeJs: boolean;
  /** CSP `form-action` sources: also where the answer to a form's POST may redirect the browser. */
  readonly formAction: readonly string[];
}

/**
 * A small static page under a strict Content-Security-Policy: its one inline script and style are allowed
 * by hash, it may only call guichet itself, and it cannot be framed. Built once per Lambda init.
 */
export function htmlPage(content: PageContent): () => HttpResult {
  const { headers, ...result } = pageResult(content, { officeJs: true, formAction: ["'none'"] });
  return () => ({ ...result, headers: { ...headers } });
}

/**
 * A page built per request whose form posts to guichet itself, and whose answer may send the browser on to
 * `redirectTargets` (CSP sources, such as a custom scheme `visio:`) and nowhere else. No script host. Under
 * guichet's usual `no-referrer`, a browser posts a form with `Origin: null` (Fetch §3.1); `strict-origin` lets it
 * send guichet's origin, and never more than the origin, so that the endpoint can refuse other sites' forms.
 */
export function formPage(content: PageContent, redirectTargets: readonly string[]): HttpResult {
  const page = pageResult(content, { officeJs: false, formAction: ["'self'", ...redirectTargets] });
  return { ...page, headers: { ...page.headers, 'Referrer-Policy': 'strict-origin' } };
}

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function pageResult(content: PageContent, policy: PagePolicy): HttpResult {
  const officeJs = policy.officeJs ? `<script src="${OFFICE_JS}/lib/1/hosted/office.js"></script>\n` : '';
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${content.title}</title>
<style>${content.style}</style>
${officeJs}</head>
<body>
${content.body}
<script>${content.script}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hashOf(content.script)}${policy.officeJs ? ` ${OFFICE_JS}` : ''}`,
    `style-src ${hashOf(content.style)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    `form-action ${policy.formAction.join(' ')}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy },
    body,
  };
}
