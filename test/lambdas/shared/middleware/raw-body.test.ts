import { PayloadTooLarge, UnsupportedMediaType } from '../../../../lambdas/shared/errors';
import { DEFAULT_MAX_BODY_BYTES, textBody } from '../../../../lambdas/shared/middleware/raw-body';
import { httpEvent, postEvent } from '../../../support/api-event';

const JSON_TYPE = 'application/json';

describe('textBody', () => {
  test('is undefined without a body, whatever the content type', () => {
    expect(textBody(httpEvent({ method: 'POST' }), JSON_TYPE, 100)).toBeUndefined();
    expect(textBody(postEvent('text/html', ''), JSON_TYPE, 100)).toBeUndefined();
  });

  test('returns a body of the expected media type', () => {
    expect(textBody(postEvent(JSON_TYPE, '{"a":1}'), JSON_TYPE, 100)).toBe('{"a":1}');
  });

  test('accepts media type parameters and any case', () => {
    expect(textBody(postEvent('Application/JSON ; charset=utf-8', '{}'), JSON_TYPE, 100)).toBe('{}');
  });

  test('finds the content type whatever the case of the header name', () => {
    const event = httpEvent({ method: 'POST', headers: { 'Content-Type': JSON_TYPE }, body: '{}' });
    expect(textBody(event, JSON_TYPE, 100)).toBe('{}');
  });

  test('decodes a base64 body as UTF-8', () => {
    const event = postEvent(JSON_TYPE, Buffer.from('{"name":"Zoé"}').toString('base64'), { isBase64Encoded: true });
    expect(textBody(event, JSON_TYPE, 100)).toBe('{"name":"Zoé"}');
  });

  test.each([
    ['another media type', 'text/plain'],
    ['a type that only starts the same', 'application/jsonx'],
  ])('refuses %s with 415', (_, contentType) => {
    expect(() => textBody(postEvent(contentType, '{}'), JSON_TYPE, 100)).toThrow(UnsupportedMediaType);
  });

  test('refuses a body without a content type with 415', () => {
    expect(() => textBody(httpEvent({ method: 'POST', body: '{}' }), JSON_TYPE, 100)).toThrow(UnsupportedMediaType);
  });

  test('accepts a body of exactly the limit', () => {
    expect(textBody(postEvent(JSON_TYPE, 'x'.repeat(100)), JSON_TYPE, 100)).toHaveLength(100);
  });

  test('refuses a body over the limit with 413', () => {
    expect(() => textBody(postEvent(JSON_TYPE, 'x'.repeat(101)), JSON_TYPE, 100)).toThrow(PayloadTooLarge);
  });

  test('counts the limit in bytes, not characters', () => {
    // 60 characters, 120 bytes in UTF-8.
    expect(() => textBody(postEvent(JSON_TYPE, 'é'.repeat(60)), JSON_TYPE, 100)).toThrow(PayloadTooLarge);
  });

  test('counts a base64 body by its decoded size', () => {
    const encoded = Buffer.alloc(100, 'x').toString('base64');
    expect(encoded.length).toBeGreaterThan(100);
    expect(textBody(postEvent(JSON_TYPE, encoded, { isBase64Encoded: true }), JSON_TYPE, 100)).toBe('x'.repeat(100));
  });

  test('refuses an oversized body before looking at its type', () => {
    expect(() => textBody(postEvent('text/plain', 'x'.repeat(101)), JSON_TYPE, 100)).toThrow(PayloadTooLarge);
  });

  test('has a 16 KiB default limit', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(16 * 1024);
  });
});
