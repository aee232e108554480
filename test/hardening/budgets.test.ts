import type { Context } from 'aws-lambda';
import { sha256 } from '../../lambdas/shared/crypto';
import { ADDIN_ORIGIN, openAddin, pollEvent, statusesOf } from '../support/addins';
import { httpEvent, lambdaContext, postEvent } from '../support/api-event';
import { basicAuthorization, storedApplication } from '../support/applications';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';

/**
 * The attacks of the hardening review, replayed against the handlers: long polls that held a Lambda each, budgets
 * a page of any site could spend for a whole office behind one address, budgets checked by a read then spent by a
 * write, and anonymous logins without a limit. Each case failed on the code before the review.
 */
const LIMITS = {
  ADDONS_RATE_LIMIT: '30',
  ADDONS_POLL_LIMIT: '400',
  ADDONS_LONG_POLL_LIMIT: '2',
  SESSION_EXCHANGE_FAILURE_LIMIT: '10',
  TOKEN_FAILURE_LIMIT: '20',
  LOGIN_RATE_LIMIT: '5',
  CORS_ORIGINS: ADDIN_ORIGIN,
};

let integration: Integration;
type Handler = (event: ReturnType<typeof httpEvent>, context: Context) => Promise<unknown>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  integration = await startIntegration(LIMITS);
  for (const [name, path] of Object.entries({
    init: 'addins/sessions-init',
    poll: 'addins/sessions-poll',
    token: 'oauth/token',
    exchange: 'auth/session-exchange',
    continue: 'auth/native-continue',
    login: 'auth/login',
  })) {
    handlers[name] = ((await import(`../../lambdas/handlers/${path}`)) as { handler: Handler }).handler;
  }
});
afterAll(() => integration?.guichet.close());

const from = <T extends { requestContext: { http: { sourceIp: string } } }>(event: T, sourceIp: string): T => {
  event.requestContext.http.sourceIp = sourceIp;
  return event;
};
const initEvent = () => httpEvent({ method: 'POST', path: '/addons/sessions/init', headers: { origin: ADDIN_ORIGIN } });
const units = async (purpose: string, address: string) =>
  (await integration.store.all('rateLimits'))
    .filter((item) => String(item.id).startsWith(`${purpose}#${sha256(address)}#`))
    .reduce((sum, item) => sum + (item.count as number), 0);

describe('1. long polls are bounded', () => {
  it('holds one of 60 concurrent long polls on one add-in login, and answers the 59 others before it', async () => {
    const address = '198.51.100.1';
    const addin = await openAddin(handlers.init, address);
    const started = Date.now();
    const answers: { status: number; at: number }[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async () => {
        const result = (await invoke(handlers.poll, pollEvent(addin, 'wait=3', address))) as { statusCode: number };
        answers.push({ status: result.statusCode, at: Date.now() - started });
      }),
    );
    const held = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(held).toHaveLength(1);
    // Held for its wait, less at most one back-off step between reads.
    expect(held[0].at).toBeGreaterThanOrEqual(1500);
    expect(refused).toHaveLength(59);
    expect(Math.max(...refused.map((answer) => answer.at))).toBeLessThan(held[0].at);
    expect(await units('addin-polls', address)).toBe(60);
  });

  it('answers at once, instead of holding, the long polls of an address past its share', async () => {
    const address = '198.51.100.2';
    const logins = await Promise.all([1, 2, 3].map(() => openAddin(handlers.init, address)));
    const started = Date.now();
    const durations = await Promise.all(
      logins.map(async (addin) => {
        await invoke(handlers.poll, pollEvent(addin, 'wait=2', address));
        return Date.now() - started;
      }),
    );
    expect(durations.filter((ms) => ms >= 1500)).toHaveLength(2);
    expect(durations.filter((ms) => ms < 1000)).toHaveLength(1);
  });

  it('never waits past what is left of the Lambda', async () => {
    const addin = await openAddin(handlers.init, '198.51.100.3');
    const nearDeadline = { ...lambdaContext, getRemainingTimeInMillis: () => 2600 } as Context;
    const started = Date.now();
    await handlers.poll(pollEvent(addin, 'wait=20', '198.51.100.3'), nearDeadline);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("2. no page of another site can spend an address's budget", () => {
  it('refuses polls without the add-in cookie, or without X-CSRFToken (a no-cors form), and counts none', async () => {
    const address = '198.51.100.10';
    const addin = await openAddin(handlers.init, address);
    const withoutCookie = await Promise.all(
      Array.from({ length: 30 }, () => invoke(handlers.poll, pollEvent({ csrfToken: addin.csrfToken }, '', address))),
    );
    const withoutHeader = await Promise.all(
      Array.from({ length: 30 }, () => invoke(handlers.poll, pollEvent({ sessionId: addin.sessionId }, '', address))),
    );
    expect(statusesOf(withoutCookie).every((status) => status === 401)).toBe(true);
    expect(statusesOf(withoutHeader).every((status) => status === 400)).toBe(true);
    expect(await units('addin-polls', address)).toBe(0);
    expect(await units('addins', address)).toBe(1);
    expect((await invoke(handlers.init, from(initEvent(), address))).statusCode).toBe(201);
  });

  it.each([
    ['an add-in init', 'init', initEvent],
    [
      'a token request',
      'token',
      () =>
        postEvent(
          'application/x-www-form-urlencoded',
          'grant_type=client_credentials&client_id=app_AAAAAAAAAAAAAAAAAAAAAA&client_secret=x',
        ),
    ],
    [
      'a session exchange',
      'exchange',
      () => postEvent('application/json', JSON.stringify({ code: 'x'.repeat(43), code_verifier: 'y'.repeat(43) })),
    ],
    ['a native sign-in confirmation', 'continue', () => postEvent('application/x-www-form-urlencoded', `continuation=${'x'.repeat(43)}`)],
  ])('refuses %s posted by a page of an unlisted origin, at once and for free', async (_, name, event) => {
    const address = `198.51.100.${20 + ['init', 'token', 'exchange', 'continue'].indexOf(name)}`;
    for (const origin of ['https://evil.example', 'null']) {
      const posted = event();
      posted.headers.origin = origin;
      const result = await invoke(handlers[name], from(posted, address));
      expect(result.statusCode).toBe(403);
      expect(jsonBody(result).error).toBe('access_denied');
    }
    expect((await integration.store.all('rateLimits')).filter((item) => String(item.id).includes(sha256(address)))).toEqual([]);
  });

  it("answers a listed origin's page, and a caller with no Origin at all (an app, a server) where it may call", async () => {
    expect((await invoke(handlers.init, from(initEvent(), '198.51.100.30'))).statusCode).toBe(201);
    const withoutOrigin = postEvent('application/json', JSON.stringify({ code: 'x'.repeat(43), code_verifier: 'y'.repeat(43) }));
    expect((await invoke(handlers.exchange, from(withoutOrigin, '198.51.100.30'))).statusCode).toBe(400);
  });

  it('refuses an add-in init without Origin (a script, as a phishing campaign runs it) at once and for free', async () => {
    const address = '198.51.100.31';
    const scripted = () => from(httpEvent({ method: 'POST', path: '/addons/sessions/init' }), address);
    const results = await Promise.all(Array.from({ length: 40 }, () => invoke(handlers.init, scripted())));
    expect(statusesOf(results).every((status) => status === 403)).toBe(true);
    expect((await integration.store.all('rateLimits')).filter((item) => String(item.id).includes(sha256(address)))).toEqual([]);
    expect((await invoke(handlers.init, from(initEvent(), address))).statusCode).toBe(201);
  });
});

describe('3. budgets decide and count in one atomic step', () => {
  it('evaluates no more than 10 of 200 concurrent bad session exchanges', async () => {
    const body = () => JSON.stringify({ code: 'A'.repeat(43), code_verifier: 'v'.repeat(43) });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => invoke(handlers.exchange, from(postEvent('application/json', body()), '198.51.100.40'))),
    );
    expect(statusesOf(results).filter((status) => status === 400)).toHaveLength(10);
    expect(statusesOf(results).filter((status) => status === 429)).toHaveLength(190);
  });

  it('evaluates no more than 10 of 50 concurrent bad native sign-in confirmations', async () => {
    const event = () => from(postEvent('application/x-www-form-urlencoded', `continuation=${'A'.repeat(43)}`), '198.51.100.45');
    const results = await Promise.all(Array.from({ length: 50 }, () => invoke(handlers.continue, event())));
    expect(statusesOf(results).filter((status) => status === 400)).toHaveLength(10);
    expect(statusesOf(results).filter((status) => status === 429)).toHaveLength(40);
  });

  it('evaluates no more than 20 of 200 concurrent bad token requests', async () => {
    const { clientId } = await storedApplication(integration.store);
    const request = () =>
      from(
        postEvent('application/x-www-form-urlencoded', 'grant_type=client_credentials', {
          headers: { authorization: basicAuthorization(clientId, 'wrong') },
        }),
        '198.51.100.41',
      );
    const results = await Promise.all(Array.from({ length: 200 }, () => invoke(handlers.token, request())));
    expect(statusesOf(results).filter((status) => status === 401)).toHaveLength(20);
    expect(statusesOf(results).filter((status) => status === 429)).toHaveLength(180);
  });

  it('opens no more than 30 of 100 concurrent add-in sessions', async () => {
    const before = (await integration.store.all('addinSessions')).length;
    const results = await Promise.all(Array.from({ length: 100 }, () => invoke(handlers.init, from(initEvent(), '198.51.100.42'))));
    expect(statusesOf(results).filter((status) => status === 201)).toHaveLength(30);
    expect((await integration.store.all('addinSessions')).length - before).toBe(30);
  });
});

describe('3b. the application is read while the unit is taken, yet nothing is evaluated beyond the budget', () => {
  const tokenRequest = (address: string, authorization: string) => {
    const event = postEvent('application/x-www-form-urlencoded', 'grant_type=client_credentials', { headers: { authorization } });
    return invoke(handlers.token, from(event, address));
  };

  it('past the budget, compares no secret, even the right one, and reads applications no more once refused', async () => {
    const address = '198.51.100.60';
    const { clientId, clientSecret } = await storedApplication(integration.store);
    for (let i = 0; i < 20; i += 1) expect((await tokenRequest(address, basicAuthorization(clientId, 'wrong'))).statusCode).toBe(401);
    const crypto = await import('../../lambdas/shared/crypto');
    const repository = await import('../../lambdas/repositories/applications');
    const comparisons = jest.spyOn(crypto, 'safeEqual');
    const reads = jest.spyOn(repository, 'findApplication');
    try {
      for (let i = 0; i < 5; i += 1) expect((await tokenRequest(address, basicAuthorization(clientId, clientSecret))).statusCode).toBe(429);
      expect(comparisons).not.toHaveBeenCalled();
      // The first refused request had started its read with the take; the next ones knew the budget was spent.
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await units('token-failures', address)).toBe(20);
  });

  it('gives the unit back when the application cannot be read (a fault of the database, not of the client)', async () => {
    const address = '198.51.100.61';
    const { clientId, clientSecret } = await storedApplication(integration.store);
    integration.guichet.account.injectFault({
      service: 'dynamodb',
      operation: 'GetItem',
      resourceContains: integration.store.name('applications'),
      times: 10,
      error: { type: 'InternalServerError', status: 500, message: 'injected' },
    });
    try {
      expect((await tokenRequest(address, basicAuthorization(clientId, clientSecret))).statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      integration.guichet.account.clearFaults();
    }
    expect(await units('token-failures', address)).toBe(0);
    expect((await tokenRequest(address, basicAuthorization(clientId, clientSecret))).statusCode).toBe(200);
  });

  it('counts malformed credentials, parsed alongside the take, as a failure', async () => {
    const address = '198.51.100.62';
    expect((await tokenRequest(address, `Basic ${Buffer.from('no-colon').toString('base64')}`)).statusCode).toBe(401);
    expect(await units('token-failures', address)).toBe(1);
  });
});

describe('7. anonymous logins are limited per address', () => {
  it('starts 5 logins from one address, then answers 429 and stores no flow', async () => {
    const address = '198.51.100.50';
    const results = await Promise.all(
      Array.from({ length: 8 }, () => invoke(handlers.login, from(httpEvent({ path: '/auth/login' }), address))),
    );
    expect(statusesOf(results).filter((status) => status === 302)).toHaveLength(5);
    expect(statusesOf(results).filter((status) => status === 429)).toHaveLength(3);
  });

  it('starts nothing and counts nothing for what is not a page navigation (an image, a fetch)', async () => {
    const address = '198.51.100.51';
    for (const destination of ['image', 'empty', 'iframe', 'script']) {
      const result = await invoke(
        handlers.login,
        from(httpEvent({ path: '/auth/login', headers: { 'sec-fetch-dest': destination } }), address),
      );
      expect(result.statusCode).toBe(400);
    }
    expect(await units('logins', address)).toBe(0);
    expect(
      (await invoke(handlers.login, from(httpEvent({ path: '/auth/login', headers: { 'sec-fetch-dest': 'document' } }), address)))
        .statusCode,
    ).toBe(302);
  });
});
