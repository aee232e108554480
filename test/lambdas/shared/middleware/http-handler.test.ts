import { InvalidGrant, Unauthenticated } from '../../../../lambdas/shared/errors';
import { type HttpEvent, type HttpResult, jsonResponse } from '../../../../lambdas/shared/http';
import type { FormEvent } from '../../../../lambdas/shared/middleware/form-body';
import { httpHandler } from '../../../../lambdas/shared/middleware/http-handler';
import type { JsonEvent } from '../../../../lambdas/shared/middleware/json-body';
import { SECURITY_HEADERS } from '../../../../lambdas/shared/middleware/response-headers';
import { httpEvent, lambdaContext, postEvent } from '../../../support/api-event';

const FORM = 'application/x-www-form-urlencoded';
const ok = async (): Promise<HttpResult> => jsonResponse(200, { ok: true });
/** A handler that records the event it receives and answers 200. */
const spy = <E>() => jest.fn(async (_event: E): Promise<HttpResult> => jsonResponse(200, { ok: true }));
const fail = (error: Error) => async (): Promise<HttpResult> => {
  throw error;
};

const invoke = (handler: ReturnType<typeof httpHandler>, event: HttpEvent) => handler(event, lambdaContext);
const bodyOf = (result: HttpResult) => JSON.parse(result.body ?? '') as unknown;

/** Every response carries the no-store and security headers. */
function expectSharedHeaders(result: HttpResult) {
  expect(result.headers).toMatchObject({ 'Cache-Control': 'no-store', Pragma: 'no-cache', ...SECURITY_HEADERS });
}

describe('httpHandler', () => {
  test('answers what the handler returns, with the no-store and security headers', async () => {
    const result = await invoke(httpHandler('none', ok), httpEvent());
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ ok: true });
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8' });
    expectSharedHeaders(result);
  });

  test('renders a thrown InvalidGrant as the contract error body, with the same headers', async () => {
    const result = await invoke(httpHandler('json', fail(new InvalidGrant('the code is unknown'))), postEvent('application/json', '{}'));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid_grant', error_description: 'the code is unknown' });
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8' });
    expectSharedHeaders(result);
  });

  test("keeps a typed error's own headers", async () => {
    const result = await invoke(httpHandler('none', fail(new Unauthenticated('no session'))), httpEvent());
    expect(result.statusCode).toBe(401);
    expect(result.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer' });
    expectSharedHeaders(result);
  });

  test('turns a plain Error into a 500 that does not reveal its message', async () => {
    const result = await invoke(httpHandler('none', fail(new Error('ddb table guichet-sessions not found'))), httpEvent());
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: 'server_error', error_description: 'internal error' });
    expect(result.body).not.toContain('guichet-sessions');
    expectSharedHeaders(result);
  });

  test('lets a header set by the handler win over the shared ones', async () => {
    const page = async (): Promise<HttpResult> => ({
      statusCode: 200,
      headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'" },
      body: '<p>ok</p>',
    });
    const result = await invoke(httpHandler('none', page), httpEvent());
    expect(result.headers?.['content-security-policy']).toBe("default-src 'self'");
    expect(result.headers).not.toHaveProperty('Content-Security-Policy');
    expect(result.headers).toMatchObject({ 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' });
  });

  describe("with 'json'", () => {
    test('hands the parsed object to the handler', async () => {
      const handle = spy<JsonEvent>();
      await invoke(httpHandler('json', handle), postEvent('application/json', '{"code":"c","code_verifier":"v"}'));
      expect(handle).toHaveBeenCalledTimes(1);
      expect(handle.mock.calls[0]?.[0].jsonBody).toEqual({ code: 'c', code_verifier: 'v' });
    });

    test('answers 400 to a bad JSON body without calling the handler', async () => {
      const handle = spy<JsonEvent>();
      const result = await invoke(httpHandler('json', handle), postEvent('application/json', '{"code":'));
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toEqual({ error: 'invalid_request', error_description: 'the body is not valid JSON' });
      expectSharedHeaders(result);
      expect(handle).not.toHaveBeenCalled();
    });

    test('answers 400 to a missing body', async () => {
      const handle = spy<JsonEvent>();
      const result = await invoke(httpHandler('json', handle), httpEvent({ method: 'POST' }));
      expect(result.statusCode).toBe(400);
      expect(handle).not.toHaveBeenCalled();
    });

    test('answers 415 to a form body', async () => {
      const handle = spy<JsonEvent>();
      const result = await invoke(httpHandler('json', handle), postEvent(FORM, 'code=c'));
      expect(result.statusCode).toBe(415);
      expect(bodyOf(result)).toMatchObject({ error: 'unsupported_media_type' });
      expect(handle).not.toHaveBeenCalled();
    });

    test('answers 413 to an oversized body', async () => {
      const handle = spy<JsonEvent>();
      const result = await invoke(httpHandler('json', handle), postEvent('application/json', JSON.stringify({ a: 'x'.repeat(20_000) })));
      expect(result.statusCode).toBe(413);
      expect(handle).not.toHaveBeenCalled();
    });
  });

  describe("with 'form'", () => {
    test('hands the parsed form to the handler', async () => {
      const handle = spy<FormEvent>();
      await invoke(httpHandler('form', handle), postEvent(FORM, 'grant_type=client_credentials&scope=a+b'));
      expect(Object.fromEntries(handle.mock.calls[0]?.[0].form ?? [])).toEqual({ grant_type: 'client_credentials', scope: 'a b' });
    });

    test('answers 400 to a repeated field without calling the handler', async () => {
      const handle = spy<FormEvent>();
      const result = await invoke(httpHandler('form', handle), postEvent(FORM, 'scope=a&scope=b'));
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toEqual({ error: 'invalid_request', error_description: 'parameter scope must not be repeated' });
      expect(handle).not.toHaveBeenCalled();
    });

    test('answers 400 to a missing body', async () => {
      const handle = spy<FormEvent>();
      const result = await invoke(httpHandler('form', handle), httpEvent({ method: 'POST' }));
      expect(result.statusCode).toBe(400);
      expect(handle).not.toHaveBeenCalled();
    });
  });

  describe("with 'optional-form'", () => {
    test('hands an empty form to the handler when there is no body', async () => {
      const handle = spy<FormEvent>();
      const result = await invoke(httpHandler('optional-form', handle), httpEvent({ method: 'POST' }));
      expect(result.statusCode).toBe(200);
      expect(handle.mock.calls[0]?.[0].form.size).toBe(0);
    });

    test('still parses a body when there is one', async () => {
      const handle = spy<FormEvent>();
      await invoke(httpHandler('optional-form', handle), postEvent(FORM, 'returnTo=%2Fhome'));
      expect(handle.mock.calls[0]?.[0].form.get('returnTo')).toBe('/home');
    });
  });

  describe("with 'none'", () => {
    test('does not look at the body', async () => {
      const handle = spy<HttpEvent>();
      const result = await invoke(httpHandler('none', handle), postEvent('application/octet-stream', 'AAEC', { isBase64Encoded: true }));
      expect(result.statusCode).toBe(200);
      expect(handle).toHaveBeenCalledTimes(1);
    });
  });
});
