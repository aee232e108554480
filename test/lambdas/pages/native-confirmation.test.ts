import { createHash } from 'node:crypto';
import { nativeConfirmationPage } from '../../../lambdas/pages/native-confirmation';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const ACTION = 'https://auth.example.com/auth/native/continue';
const confirmation = {
  scheme: 'com.example.app',
  user: { sub: 'u-1', email: 'ada@example.com', name: 'Ada <script>alert(1)</script>' },
  continuation: 'C'.repeat(43),
  binding: 'ignored',
};

describe('the native login confirmation page', () => {
  const result = nativeConfirmationPage(confirmation, ACTION);
  const csp = result.headers!['Content-Security-Policy'] as string;

  it("names the app's scheme and the user, and says when not to continue", () => {
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('An app that opens <strong>com.example.app:</strong> links asks to use this sign-in.');
    expect(result.body).toContain('Continue only if you started signing in to that app\njust now. If you did not, close this page');
    expect(result.body).toContain('ada@example.com');
  });

  it('escapes what the IdP says about the user', () => {
    expect(result.body).toContain('Ada &#60;script&#62;alert(1)&#60;/script&#62; (ada@example.com)');
    expect(result.body).not.toContain('<script>alert(1)');
  });

  it('names the user by sub when the IdP gave no name, and shows no e-mail it did not verify', () => {
    const page = nativeConfirmationPage({ ...confirmation, user: { sub: 'u-1' } }, ACTION);
    expect(page.body).toContain('<strong id="user">u-1</strong>');
  });

  it('posts the continuation to guichet in a form', () => {
    expect(result.body).toContain(`<form id="continue-form" method="post" action="${ACTION}">`);
    expect(result.body).toContain(`<input type="hidden" name="continuation" value="${confirmation.continuation}">`);
  });

  it("lets the form post to guichet only, and the answer redirect to the app's scheme only", () => {
    expect(csp).toContain("form-action 'self' com.example.app:");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('appsforoffice');
    const script = result.body!.match(/<script>([\s\S]*?)<\/script>/)![1];
    expect(csp).toContain(`script-src ${sha(script)};`);
  });

  it('lets the browser send its Origin with the form (no-referrer would make it null), and never more than the origin', () => {
    expect(result.headers!['Referrer-Policy']).toBe('strict-origin');
  });
});
