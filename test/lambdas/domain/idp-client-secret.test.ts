import { httpEvent } from '../../support/api-event';
import { TestBrowser } from '../../support/browser';
import { signInAtDevIdp } from '../../support/dev-idp-login';
import { type Integration, invoke, jsonBody, startIntegration } from '../../support/integration';

/**
 * Right after a deploy the IdP client secret holds a generated placeholder until the operator puts the real one.
 * A container that read the placeholder must not keep failing: when the IdP refuses the credentials, the secret
 * is read again, and the code redeemed once more if it changed.
 */
let integration: Integration;
let callback: typeof import('../../../lambdas/handlers/auth/callback').handler;
let realSecret: string;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler: callback } = await import('../../../lambdas/handlers/auth/callback'));
  realSecret = integration.guichet.devIdp!.clientSecret;
  integration.guichet.secrets.putValue(process.env.OIDC_CLIENT_SECRET_ARN!, 'placeholder-before-the-operator-step');
});
afterAll(() => integration?.guichet.close());

async function callbackAfterSignIn(user: string) {
  const browser = new TestBrowser();
  const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login`, user);
  return invoke(
    callback,
    httpEvent({
      path: '/auth/callback',
      query: callbackUrl.search.slice(1),
      cookies: [`guichet_login_state=${callbackUrl.searchParams.get('state')}`],
    }),
  );
}

describe('the IdP client secret, changed while containers run', () => {
  it('answers 502 while the secret is wrong, then logs in as soon as the operator has set it, without a restart', async () => {
    const refused = await callbackAfterSignIn('uma');
    expect(refused.statusCode).toBe(502);
    expect(jsonBody(refused)).toEqual({
      error: 'server_error',
      error_description: "the identity provider refused guichet's client credentials",
    });

    integration.guichet.secrets.putValue(process.env.OIDC_CLIENT_SECRET_ARN!, realSecret);
    const accepted = await callbackAfterSignIn('uma');
    expect(accepted.statusCode).toBe(302);
    expect(accepted.cookies?.some((cookie) => cookie.startsWith('guichet_session='))).toBe(true);
  });
});
