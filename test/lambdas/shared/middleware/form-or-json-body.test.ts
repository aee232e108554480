import { InvalidRequest, UnsupportedMediaType } from '../../../../lambdas/shared/errors';
import type { FormEvent } from '../../../../lambdas/shared/middleware/form-body';
import { formOrJsonBody } from '../../../../lambdas/shared/middleware/form-or-json-body';
import { httpEvent, middyRequest } from '../../../support/api-event';

const parse = (contentType: string | undefined, body: string | undefined) => {
  const request = middyRequest(httpEvent({ method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body }));
  formOrJsonBody().before!(request);
  return Object.fromEntries((request.event as FormEvent).form);
};

describe('formOrJsonBody', () => {
  it('reads a form', () => {
    expect(parse('application/x-www-form-urlencoded', 'audience=https%3A%2F%2Fapi.example&scope=a+b')).toEqual({
      audience: 'https://api.example',
      scope: 'a b',
    });
  });

  it('reads a JSON object of strings, whatever the charset parameter', () => {
    expect(parse('application/json; charset=utf-8', '{"audience":"https://api.example","scope":"a"}')).toEqual({
      audience: 'https://api.example',
      scope: 'a',
    });
  });

  it('gives no parameters for no body', () => {
    expect(parse(undefined, undefined)).toEqual({});
    expect(parse('application/json', '')).toEqual({});
  });

  it.each([
    ['a number', '{"audience":1}', 'audience must be a string'],
    ['a list', '{"scope":["a"]}', 'scope must be a string'],
    ['an array body', '["a"]', 'the JSON body must be an object'],
    ['broken JSON', '{', 'the body is not valid JSON'],
  ])('refuses %s with 400', (_, body, description) => {
    expect(() => parse('application/json', body)).toThrow(InvalidRequest);
    expect(() => parse('application/json', body)).toThrow(description);
  });

  it('refuses a repeated form field and another media type', () => {
    expect(() => parse('application/x-www-form-urlencoded', 'scope=a&scope=b')).toThrow(InvalidRequest);
    expect(() => parse('text/plain', 'scope=a')).toThrow(UnsupportedMediaType);
  });
});
