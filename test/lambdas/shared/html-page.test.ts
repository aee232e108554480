import { createHash } from 'node:crypto';
import { ADDIN_CALLBACK_PAGE } from '../../../lambdas/pages/addins-callback';
import { ADDIN_TRANSIT_PAGE } from '../../../lambdas/pages/addins-transit';
import { htmlPage } from '../../../lambdas/shared/html-page';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe.each([
  ['transit', ADDIN_TRANSIT_PAGE],
  ['callback', ADDIN_CALLBACK_PAGE],
])('the add-in %s page', (_, content) => {
  const result = htmlPage(content)();
  const csp = result.headers!['Content-Security-Policy'] as string;

  it('is HTML that embeds its script and style exactly once', () => {
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.body!.split(`<script>${content.script}</script>`)).toHaveLength(2);
    expect(result.body).toContain(`<style>${content.style}</style>`);
  });

  it('allows only its own inline script and style, by hash, and Office.js', () => {
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${sha(content.script)} https://appsforoffice.microsoft.com`);
    expect(csp).toContain(`style-src ${sha(content.style)}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('may only call guichet itself and cannot be framed', () => {
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
  });
});
