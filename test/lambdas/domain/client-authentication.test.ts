import { InvalidClient, InvalidRequest } from '../../../lambdas/shared/errors';
import { basicAuthorization, storedApplication } from '../../support/applications';
import { type Integration, startIntegration } from '../../support/integration';

let integration: Integration;
let auth: typeof import('../../../lambdas/domain/client-authentication');
let crypto: typeof import('../../../lambdas/shared/crypto');
let time: typeof import('../../../lambdas/shared/time');
let repository: typeof import('../../../lambdas/repositories/applications');
const CONFIG = { publicUrl: 'http://guichet.invalid' };
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

beforeAll(async () => {
  integration = await startIntegration();
  auth = await import('../../../lambdas/domain/client-authentication');
  crypto = await import('../../../lambdas/shared/crypto');
  time = await import('../../../lambdas/shared/time');
  repository = await import('../../../lambdas/repositories/applications');
});
afterAll(() => integration?.guichet.close());
afterEach(() => jest.restoreAllMocks());

/** An unsigned JWT whose payload names `sub`: enough for what is read before any verification. */
const unsignedJwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const jwtOf = (sub: string) => unsignedJwt({ sub });
const ASSERTED = ['client_assertion', jwtOf('app_x')];
const PADDING = 'x'.repeat(9000);

describe('presentedClient', () => {
  it('decodes RFC 6749 §2.3.1 Basic credentials (form-encoded, then base64)', () => {
    const header = basicAuthorization('app_id', 'se:cr%et+');
    const expected = { method: 'client_secret_basic', clientId: 'app_id', clientSecret: 'se:cr%et+', usedBasic: true };
    expect(auth.presentedClient(header, new Map())).toEqual(expected);
  });

  it('reads client_secret_post fields', () => {
    const form = new Map([
      ['client_id', 'a'],
      ['client_secret', 'b'],
    ]);
    const expected = { method: 'client_secret_post', clientId: 'a', clientSecret: 'b', usedBasic: false };
    expect(auth.presentedClient(undefined, form)).toEqual(expected);
  });

  it('reads a client assertion (private_key_jwt), naming its client by sub, with or without client_id', () => {
    const assertion = unsignedJwt({ sub: 'app_x', iss: 'app_x' });
    const form = new Map([
      ['client_assertion_type', ASSERTION_TYPE],
      ['client_assertion', assertion],
    ]);
    const expected = { method: 'private_key_jwt', clientId: 'app_x', assertion, usedBasic: false };
    expect(auth.presentedClient(undefined, form)).toEqual(expected);
    expect(auth.presentedClient(undefined, new Map([...form, ['client_id', 'app_x']]))).toEqual(expected);
  });

  it.each([
    ['Basic without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`, InvalidClient],
    ['another scheme', 'Bearer abc', InvalidClient],
    ['bad percent-encoding', `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`, InvalidClient],
  ])('refuses %s', (_, header, error) => {
    expect(() => auth.presentedClient(header, new Map())).toThrow(error);
  });

  it.each([
    ['another assertion type', [['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'], ASSERTED]],
    ['an assertion without its type', [['client_assertion', unsignedJwt({ sub: 'app_x' })]]],
    ['a type without an assertion', [['client_assertion_type', ASSERTION_TYPE]]],
    [
      'an assertion that is not a JWT',
      [
        ['client_assertion_type', ASSERTION_TYPE],
        ['client_assertion', 'not.a.jwt'],
      ],
    ],
    [
      'an assertion without sub',
      [
        ['client_assertion_type', ASSERTION_TYPE],
        ['client_assertion', unsignedJwt({ iss: 'app_x' })],
      ],
    ],
    ['a client_id that is not the assertion’s client', [['client_assertion_type', ASSERTION_TYPE], ASSERTED, ['client_id', 'app_y']]],
    [
      'an assertion over 8 KiB',
      [
        ['client_assertion_type', ASSERTION_TYPE],
        ['client_assertion', unsignedJwt({ sub: 'x', pad: PADDING })],
      ],
    ],
  ])('answers invalid_client for %s', (_, fields) => {
    expect(() => auth.presentedClient(undefined, new Map(fields as [string, string][]))).toThrow(InvalidClient);
  });

  it.each([
    ['Basic and form fields', basicAuthorization('a', 'b'), [['client_id', 'a']]],
    [
      'Basic and an assertion',
      basicAuthorization('a', 'b'),
      [
        ['client_assertion_type', ASSERTION_TYPE],
        ['client_assertion', jwtOf('a')],
      ],
    ],
    ['a secret and an assertion', undefined, [['client_secret', 'b'], ['client_assertion_type', ASSERTION_TYPE], ASSERTED]],
  ])('refuses two methods at once: %s', (_, header, fields) => {
    expect(() => auth.presentedClient(header, new Map(fields as [string, string][]))).toThrow(InvalidRequest);
  });
});

describe('authenticateClient with secrets', () => {
  const authenticate = async (clientId: string, clientSecret: string) => {
    const form = new Map([
      ['client_id', clientId],
      ['client_secret', clientSecret],
    ]);
    return auth.authenticateClient(await auth.lookUpClient(undefined, form), CONFIG);
  };

  /** An application in a rotation's grace period: the current secret and the previous one, valid until `expiresAt`. */
  async function rotatedApplication(expiresAt: number) {
    const { clientId, clientSecret: previous } = await storedApplication(integration.store);
    const current = 'current-secret-'.padEnd(43, 'c');
    const record = await integration.store.get('applications', clientId);
    await integration.store.put('applications', {
      ...record,
      secretHash: crypto.sha256(current),
      secretCreatedAt: 1_000,
      previousSecretHash: record!.secretHash,
      previousSecretCreatedAt: 500,
      previousSecretExpiresAt: expiresAt,
    });
    return { clientId, current, previous };
  }

  it('does the same work, one lookup and two constant-time comparisons, whatever is wrong and whichever secret matches', async () => {
    const good = await storedApplication(integration.store);
    const inactive = await storedApplication(integration.store, { active: false });
    const rotated = await rotatedApplication(time.nowSeconds() + 3600);
    const expired = await rotatedApplication(time.nowSeconds() - 1);
    const failing = [
      { clientId: 'app_AAAAAAAAAAAAAAAAAAAAAA', clientSecret: good.clientSecret },
      { clientId: good.clientId, clientSecret: 'wrong' },
      { clientId: inactive.clientId, clientSecret: inactive.clientSecret },
      { clientId: rotated.clientId, clientSecret: 'wrong' },
      { clientId: expired.clientId, clientSecret: expired.previous },
    ];
    const succeeding = [good, { clientId: rotated.clientId, clientSecret: rotated.current }];
    succeeding.push({ clientId: rotated.clientId, clientSecret: rotated.previous });
    for (const [credentials, succeeds] of [...failing.map((c) => [c, false] as const), ...succeeding.map((c) => [c, true] as const)]) {
      const lookups = jest.spyOn(repository, 'findApplication');
      const comparisons = jest.spyOn(crypto, 'safeEqual');
      const outcome = authenticate(credentials.clientId, credentials.clientSecret);
      if (succeeds) await expect(outcome).resolves.toMatchObject({ id: credentials.clientId });
      else await expect(outcome).rejects.toThrow(InvalidClient);
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(comparisons).toHaveBeenCalledTimes(2);
      jest.restoreAllMocks();
    }
  });

  it('accepts the previous secret until its grace period ends, checked on read (a fake clock)', async () => {
    const start = time.nowSeconds();
    const { clientId, current, previous } = await rotatedApplication(start + 600);
    const clock = jest.spyOn(time, 'nowSeconds');
    clock.mockReturnValue(start + 599);
    await expect(authenticate(clientId, previous)).resolves.toMatchObject({ id: clientId });
    clock.mockReturnValue(start + 600);
    await expect(authenticate(clientId, previous)).rejects.toThrow(InvalidClient);
    await expect(authenticate(clientId, current)).resolves.toMatchObject({ id: clientId });
  });

  it('authenticates no secret at all for an application with keys', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store);
    const record = await integration.store.get('applications', clientId);
    const { secretHash: _, ...withoutSecret } = record!;
    await integration.store.put('applications', { ...withoutSecret, jwksUri: 'https://keys.example.com/jwks.json' });
    const comparisons = jest.spyOn(crypto, 'safeEqual');
    await expect(authenticate(clientId, clientSecret)).rejects.toThrow(InvalidClient);
    expect(comparisons).toHaveBeenCalledTimes(2);
  });

  it('compares with stand-ins that are random, not the hash of a text someone could present', () => {
    const standIns = () => {
      let hashes: readonly string[] = [];
      jest.isolateModules(() => {
        type Credentials = typeof import('../../../lambdas/domain/application-credentials');
        const credentials = jest.requireActual<Credentials>('../../../lambdas/domain/application-credentials');
        hashes = credentials.secretHashesToCompare(undefined, 0);
      });
      return hashes;
    };
    const [first, second] = [standIns(), standIns()];
    expect(first).toHaveLength(2);
    expect(new Set([...first, ...second]).size).toBe(4);
  });
});
