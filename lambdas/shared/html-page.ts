import { createHash } from 'node:crypto';
import type { HttpResult } from './http';

export interface PageContent {
  readonly title: string;
  /** Static markup: no value from the request is ever interpolated into it. */
  readonly body: string;
  readonly script: string;
  readonly style: string;
}

/** Script hosts a page may load besides its own inline script: Office.js, for the dialog API. */
const OFFICE_JS = 'https://appsforoffice.microsoft.com';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * A small static page under a strict Content-Security-Policy: its one inline script and style are allowed
 * by hash, it may only call guichet itself, and it cannot be framed. Built once per Lambda init.
 */
export function htmlPage(content: PageContent): () => HttpResult {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${content.title}</title>
<style>${content.style}</style>
<script src="${OFFICE_JS}/lib/1/hosted/office.js"></script>
</head>
<body>
${content.body}
<script>${content.script}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hashOf(content.script)} ${OFFICE_JS}`,
    `style-src ${hashOf(content.style)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return () => ({
    statusCode: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy },
    body,
  });
}
