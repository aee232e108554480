import { accountClaims, UNVERIFIED_EMAIL_PREFIX } from '../../local/dev-idp';

describe('the development IdP accounts', () => {
  it('signs a user name in with a verified address at example.test, and an e-mail address as it is', () => {
    expect(accountClaims('ada')).toEqual({ sub: 'ada', email: 'ada@example.test', email_verified: true, name: 'ada' });
    expect(accountClaims('bo@corp.example')).toEqual({
      sub: 'bo@corp.example',
      email: 'bo@corp.example',
      email_verified: true,
      name: 'bo',
    });
  });

  it(`asserts email_verified: false for a user name that starts with ${UNVERIFIED_EMAIL_PREFIX}`, () => {
    expect(accountClaims('unverified:ceo@victim.example')).toEqual({
      sub: 'unverified:ceo@victim.example',
      email: 'ceo@victim.example',
      email_verified: false,
      name: 'ceo',
    });
  });
});
