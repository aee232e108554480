import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedSecret, secretSource } from '../../../lambdas/shared/secrets';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:guichet/oidc-client-secret-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

describe('secretSource', () => {
  beforeEach(() => secretsManager.reset());
  afterAll(() => secretsManager.restore());

  test('reads only through Secrets Manager, whatever else the environment holds', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'from-aws' });
    const source = secretSource(
      { OIDC_CLIENT_SECRET: 'a value in the environment', OIDC_CLIENT_SECRET_ARN: ARN },
      () => new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    await expect(source.read('oidcClientSecret')).resolves.toBe('from-aws');
  });

  test('reads the secret from Secrets Manager by its ARN', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'from-aws' });
    const source = secretSource({ OIDC_CLIENT_SECRET_ARN: ARN }, () => new SecretsManagerClient({ region: 'eu-west-1' }));
    await expect(source.read('oidcClientSecret')).resolves.toBe('from-aws');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: ARN });
  });

  test('reads each secret through its own variables', async () => {
    const keysArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:guichet/signing-keys-XyZ';
    secretsManager.on(GetSecretValueCommand, { SecretId: keysArn }).resolves({ SecretString: '{"keys":[]}' });
    const source = secretSource({ SIGNING_KEYS_SECRET_ARN: keysArn, OIDC_CLIENT_SECRET_ARN: ARN }, () => new SecretsManagerClient({}));
    await expect(source.read('signingKeys')).resolves.toBe('{"keys":[]}');
  });

  test('creates the Secrets Manager client once, on first use', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'from-aws' });
    const client = jest.fn(() => new SecretsManagerClient({}));
    const source = secretSource({ OIDC_CLIENT_SECRET_ARN: ARN, SIGNING_KEYS_SECRET_ARN: `${ARN}-keys` }, client);
    expect(client).not.toHaveBeenCalled();
    await source.read('oidcClientSecret');
    await source.read('signingKeys');
    await source.read('oidcClientSecret');
    expect(client).toHaveBeenCalledTimes(1);
  });

  test('creates its own client when none is given', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'from-aws' });
    await expect(secretSource({ OIDC_CLIENT_SECRET_ARN: ARN }).read('oidcClientSecret')).resolves.toBe('from-aws');
  });

  test("fails loudly, naming the secret, when the function's route does not grant it", async () => {
    const client = jest.fn(() => new SecretsManagerClient({}));
    const read = secretSource({}, client).read('oidcClientSecret');
    await expect(read).rejects.toThrow(
      "OIDC_CLIENT_SECRET_ARN is not set: this function's route does not grant the oidcClientSecret secret",
    );
    expect(client).not.toHaveBeenCalled();
  });

  test('treats an empty ARN as missing', async () => {
    await expect(secretSource({ SIGNING_KEYS_SECRET_ARN: '' }).read('signingKeys')).rejects.toThrow('SIGNING_KEYS_SECRET_ARN is not set');
  });

  test('refuses a secret without a string value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(secretSource({ OIDC_CLIENT_SECRET_ARN: ARN }).read('oidcClientSecret')).rejects.toThrow(
      'secret oidcClientSecret has no string value',
    );
  });

  test('passes a Secrets Manager failure on', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await expect(secretSource({ OIDC_CLIENT_SECRET_ARN: ARN }).read('oidcClientSecret')).rejects.toThrow('AccessDeniedException');
  });
});

describe('cachedSecret', () => {
  test('reads once on first use, then keeps the value', async () => {
    const read = jest.fn(async () => 'key');
    const secret = cachedSecret('addinCsrfKey', { read });
    expect(read).not.toHaveBeenCalled();
    await expect(secret()).resolves.toBe('key');
    await expect(secret()).resolves.toBe('key');
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('forgets a failed read, so the next call tries again', async () => {
    const read = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce('key');
    const secret = cachedSecret('addinCsrfKey', { read });
    await expect(secret()).rejects.toThrow('throttled');
    await expect(secret()).resolves.toBe('key');
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('refresh forgets the kept value and reads again (a secret the operator changed since)', async () => {
    const read = jest.fn().mockResolvedValueOnce('old').mockResolvedValueOnce('new');
    const secret = cachedSecret('oidcClientSecret', { read });
    await expect(secret()).resolves.toBe('old');
    await expect(secret.refresh()).resolves.toBe('new');
    await expect(secret()).resolves.toBe('new');
    expect(read).toHaveBeenCalledTimes(2);
  });
});
