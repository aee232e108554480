import { tokenExchangeRequest } from '../../../lambdas/domain/token-exchange';
import { InvalidRequest } from '../../../lambdas/shared/errors';

const SESSION = 'urn:guichet:token-type:session';
const exchange = (fields: Record<string, string>, authorization?: string) =>
  tokenExchangeRequest(new Map(Object.entries({ subject_token: 's'.repeat(43), subject_token_type: SESSION, ...fields })), authorization);

describe('tokenExchangeRequest', () => {
  it('reads the session token, audience, resource and scope', () => {
    expect(exchange({ audience: 'https://api.example', resource: 'https://api.example', scope: 'a b' })).toEqual({
      subjectToken: 's'.repeat(43),
      audience: 'https://api.example',
      resource: 'https://api.example',
      scope: 'a b',
    });
  });

  it('accepts asking for an access token by name', () => {
    expect(() => exchange({ requested_token_type: 'urn:ietf:params:oauth:token-type:access_token' })).not.toThrow();
  });

  it.each([
    ['client authentication by Basic', {}, 'Basic YTpi', 'no client authentication'],
    ['a client secret in the form', { client_secret: 'x' }, undefined, 'no client authentication'],
    ['a client assertion', { client_assertion: 'x' }, undefined, 'no client authentication'],
    [
      'another subject token type',
      { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
      undefined,
      `subject_token_type must be ${SESSION}`,
    ],
    ['no subject token', { subject_token: '' }, undefined, 'subject_token is required'],
    ['an actor token', { actor_token: 'x', actor_token_type: SESSION }, undefined, 'no actor token'],
    [
      'another requested token type',
      { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      undefined,
      'requested_token_type',
    ],
  ])('refuses %s with invalid_request', (_, fields, authorization, description) => {
    expect(() => exchange(fields, authorization)).toThrow(InvalidRequest);
    expect(() => exchange(fields, authorization)).toThrow(description);
  });

  it('refuses a missing subject_token_type', () => {
    const form = new Map([['subject_token', 's'.repeat(43)]]);
    expect(() => tokenExchangeRequest(form, undefined)).toThrow(InvalidRequest);
  });
});
