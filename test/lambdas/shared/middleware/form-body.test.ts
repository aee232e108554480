import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '../../../../lambdas/shared/errors';
import type { HttpEvent } from '../../../../lambdas/shared/http';
import { type FormEvent, formBody } from '../../../../lambdas/shared/middleware/form-body';
import { httpEvent, middyRequest, postEvent } from '../../../support/api-event';

const FORM = 'application/x-www-form-urlencoded';

/** Runs the middleware's `before` on an event and returns the parsed form. */
function parse(event: HttpEvent, options?: Parameters<typeof formBody>[0]) {
  const request = middyRequest(event);
  formBody(options).before?.(request);
  return (request.event as FormEvent).form;
}

describe('formBody', () => {
  test('puts the decoded fields on event.form', () => {
    const form = parse(postEvent(FORM, 'grant_type=client_credentials&scope=read+write&subject=a%40example.com'));
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'read write', subject: 'a@example.com' });
  });

  test('reads a base64-encoded body', () => {
    const form = parse(postEvent(FORM, Buffer.from('logout_token=abc').toString('base64'), { isBase64Encoded: true }));
    expect(form.get('logout_token')).toBe('abc');
  });

  test('refuses a repeated field', () => {
    expect(() => parse(postEvent(FORM, 'scope=read&grant_type=client_credentials&scope=write'))).toThrow(
      new InvalidRequest('parameter scope must not be repeated'),
    );
  });

  test('refuses a field repeated with an empty value', () => {
    expect(() => parse(postEvent(FORM, 'scope=read&scope='))).toThrow(InvalidRequest);
  });

  test('requires a body by default', () => {
    expect(() => parse(httpEvent({ method: 'POST' }))).toThrow(new InvalidRequest('a form body is required'));
  });

  test('requires a body when asked', () => {
    expect(() => parse(httpEvent({ method: 'POST' }), { required: true })).toThrow(InvalidRequest);
  });

  test('gives an empty form for a missing optional body', () => {
    expect(parse(httpEvent({ method: 'POST' }), { required: false }).size).toBe(0);
  });

  test('refuses a body of another media type', () => {
    expect(() => parse(postEvent('application/json', '{"grant_type":"client_credentials"}'))).toThrow(UnsupportedMediaType);
  });

  test('honours a custom size limit', () => {
    expect(() => parse(postEvent(FORM, 'logout_token=0123456789'), { maxBytes: 10 })).toThrow(PayloadTooLarge);
  });
});
