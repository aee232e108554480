import { nativeLoginParameters } from '../../../lambdas/domain/native-login-parameters';
import { loginReturnTo } from '../../../lambdas/domain/return-to';
import { InvalidRequest } from '../../../lambdas/shared/errors';

const config = { returnToOrigins: ['https://app.example.com'], nativeAppRedirectSchemes: ['visio', 'com.example.app'] };
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('loginReturnTo', () => {
  it('makes an allowed custom scheme a native login, whatever its case', () => {
    expect(loginReturnTo('visio://auth/done?x=1', config)).toEqual({ kind: 'native', location: 'visio://auth/done?x=1' });
    expect(loginReturnTo('Com.Example.App:/oauth', config).kind).toBe('native');
  });

  it('leaves http(s) and paths to the web rules', () => {
    expect(loginReturnTo('https://app.example.com/x', config)).toEqual({ kind: 'web', location: 'https://app.example.com/x' });
    expect(loginReturnTo('/x', config)).toEqual({ kind: 'web', location: '/x' });
    expect(loginReturnTo(undefined, config)).toEqual({ kind: 'web', location: '/' });
    expect(() => loginReturnTo('https://evil.example/', config)).toThrow(InvalidRequest);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,hi',
    'file:///etc/passwd',
    'vbscript:msgbox',
    'otherapp://auth',
    'visio://user@auth',
    'visio://auth#fragment',
    'visio://auth\ttab',
    `visio://${'a'.repeat(2048)}`,
  ])('refuses %s', (raw) => {
    expect(() => loginReturnTo(raw, config)).toThrow(InvalidRequest);
  });
});

describe('nativeLoginParameters', () => {
  it('keeps an S256 challenge and the app state', () => {
    expect(nativeLoginParameters({ codeChallenge: challenge, codeChallengeMethod: 'S256', state: 's' })).toEqual({
      appCodeChallenge: challenge,
      appState: 's',
    });
  });

  it.each([
    ['plain', { codeChallenge: challenge, codeChallengeMethod: 'plain' }],
    ['no method', { codeChallenge: challenge }],
    ['no challenge', { codeChallengeMethod: 'S256' }],
    ['a 44-character challenge', { codeChallenge: `${challenge}A`, codeChallengeMethod: 'S256' }],
    ['a state with a newline', { codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'a\nb' }],
  ])('refuses %s', (_, query) => {
    expect(() => nativeLoginParameters(query)).toThrow(InvalidRequest);
  });
});
