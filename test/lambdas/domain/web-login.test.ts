import { verifiedEmail } from '../../../lambdas/domain/web-login';

describe('verifiedEmail', () => {
  it('keeps the address the IdP asserts as verified', () => {
    expect(verifiedEmail({ email: 'ada@example.com', email_verified: true })).toBe('ada@example.com');
  });

  it.each([
    ['email_verified: false', { email: 'ceo@victim.example', email_verified: false }],
    ['no email_verified', { email: 'ceo@victim.example' }],
    ['email_verified: "true", a string', { email: 'ceo@victim.example', email_verified: 'true' }],
    ['email_verified: 1', { email: 'ceo@victim.example', email_verified: 1 }],
    ['an e-mail that is not a string', { email: ['ceo@victim.example'], email_verified: true }],
    ['no e-mail', { email_verified: true }],
  ])('keeps none for %s', (_, claims) => {
    expect(verifiedEmail(claims)).toBeUndefined();
  });
});
