import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '../../../../lambdas/shared/errors';
import type { HttpEvent } from '../../../../lambdas/shared/http';
import { type JsonEvent, jsonBody } from '../../../../lambdas/shared/middleware/json-body';
import { httpEvent, middyRequest, postEvent } from '../../../support/api-event';

/** Runs the middleware's `before` on an event and returns the parsed body. */
function parse(event: HttpEvent, options?: Parameters<typeof jsonBody>[0]) {
  const request = middyRequest(event);
  jsonBody(options).before?.(request);
  return (request.event as JsonEvent).jsonBody;
}

describe('jsonBody', () => {
  test('puts a JSON object body on event.jsonBody', () => {
    expect(parse(postEvent('application/json', '{"code":"abc","code_verifier":"xyz"}'))).toEqual({
      code: 'abc',
      code_verifier: 'xyz',
    });
  });

  test('reads a base64-encoded body', () => {
    const body = Buffer.from('{"transit_token":"t"}').toString('base64');
    expect(parse(postEvent('application/json', body, { isBase64Encoded: true }))).toEqual({ transit_token: 't' });
  });

  test('gives an empty object for no body when the body is optional', () => {
    const event = httpEvent({ method: 'POST' });
    jsonBody({ required: false }).before!(middyRequest(event));
    expect((event as JsonEvent).jsonBody).toEqual({});
  });

  test('requires a body', () => {
    expect(() => parse(httpEvent({ method: 'POST', headers: { 'content-type': 'application/json' } }))).toThrow(
      new InvalidRequest('a JSON body is required'),
    );
  });

  test.each(['{"code":', "{'code':'abc'}", 'code=abc'])('refuses the invalid JSON %s', (body) => {
    expect(() => parse(postEvent('application/json', body))).toThrow(new InvalidRequest('the body is not valid JSON'));
  });

  test.each(['[]', '[{"code":"abc"}]', 'null', '"abc"', '42', 'true'])('refuses the non-object JSON %s', (body) => {
    expect(() => parse(postEvent('application/json', body))).toThrow(new InvalidRequest('the JSON body must be an object'));
  });

  test('refuses a body of another media type', () => {
    expect(() => parse(postEvent('application/x-www-form-urlencoded', 'code=abc'))).toThrow(UnsupportedMediaType);
  });

  test('honours a custom size limit', () => {
    expect(() => parse(postEvent('application/json', '{"a":"0123456789"}'), { maxBytes: 10 })).toThrow(PayloadTooLarge);
  });

  test('refuses a body over the default limit', () => {
    const body = JSON.stringify({ a: 'x'.repeat(16 * 1024) });
    expect(() => parse(postEvent('application/json', body))).toThrow(PayloadTooLarge);
  });
});
