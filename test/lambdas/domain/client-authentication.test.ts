import { InvalidClient, InvalidRequest } from '../../../lambdas/shared/errors';
import { basicAuthorization, storedApplication } from '../../support/applications';
import { startIntegration, type Integration } from '../../support/integration';

let integration: Integration;
let auth: typeof import('../../../lambdas/domain/client-authentication');
let crypto: typeof import('../../../lambdas/shared/crypto');
let repository: typeof import('../../../lambdas/repositories/applications');

beforeAll(async () => {
  integration = await startIntegration();
  auth = await import('../../../lambdas/domain/client-authentication');
  crypto = await import('../../../lambdas/shared/crypto');
  repository = await import('../../../lambdas/repositories/applications');
});
afterAll(() => integration?.guichet.close());

describe('presentedClient', () => {
  it('decodes RFC 6749 §2.3.1 Basic credentials (form-encoded, then base64)', () => {
    const header = basicAuthorization('app_id', 'se:cr%et+');
    expect(auth.presentedClient(header, new Map())).toEqual({ clientId: 'app_id', clientSecret: 'se:cr%et+', usedBasic: true });
  });

  it('reads client_secret_post fields', () => {
    const form = new Map([['client_id', 'a'], ['client_secret', 'b']]);
    expect(auth.presentedClient(undefined, form)).toEqual({ clientId: 'a', clientSecret: 'b', usedBasic: false });
  });

  it.each([
    ['Basic without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`, InvalidClient],
    ['another scheme', 'Bearer abc', InvalidClient],
    ['bad percent-encoding', `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`, InvalidClient],
  ])('refuses %s', (_, header, error) => {
    expect(() => auth.presentedClient(header, new Map())).toThrow(error);
  });

  it('refuses both methods at once', () => {
    expect(() => auth.presentedClient(basicAuthorization('a', 'b'), new Map([['client_id', 'a']]))).toThrow(InvalidRequest);
  });
});

describe('authenticateClient', () => {
  it('does the same work, one lookup and one constant-time comparison, whatever is wrong', async () => {
    const good = await storedApplication(integration.store);
    const inactive = await storedApplication(integration.store, { active: false });
    const cases = [
      { clientId: 'app_AAAAAAAAAAAAAAAAAAAAAA', clientSecret: good.clientSecret },
      { clientId: good.clientId, clientSecret: 'wrong' },
      { clientId: inactive.clientId, clientSecret: inactive.clientSecret },
    ];
    for (const credentials of cases) {
      const lookups = jest.spyOn(repository, 'findApplication');
      const comparisons = jest.spyOn(crypto, 'safeEqual');
      await expect(auth.authenticateClient({ ...credentials, usedBasic: false })).rejects.toThrow(InvalidClient);
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(comparisons).toHaveBeenCalledTimes(1);
      jest.restoreAllMocks();
    }
    await expect(auth.authenticateClient({ ...good, usedBasic: false })).resolves.toMatchObject({ id: good.clientId });
  });
});
