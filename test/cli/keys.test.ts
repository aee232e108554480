import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runKeys } from '../../cli/run-keys';
import { firstKeySet } from '../../lambdas/shared/signing-key-rotation';
import { runCli } from '../support/cli-run';

const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);

beforeEach(() => {
  cloudFormation.reset();
  secretsManager.reset();
});

afterAll(() => {
  cloudFormation.restore();
  secretsManager.restore();
});

describe('keys, refusing to guess', () => {
  test('with no local guichet running in this environment, says so and rotates nothing', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'guichet-keys-'));
    const run = await runCli(runKeys, ['rotate'], { GUICHET_LOCAL_DIR: directory, PORT: '8799' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no local guichet is running for .*local-8799\.json/);
    expect(secretsManager.calls()).toHaveLength(0);
  });

  test.each([
    [[], /no command given/],
    [['spin'], /unknown command "spin"/],
    [['rotate', 'now'], /usage: npm run keys -- rotate/],
    [['rotate', '--alg', 'ES256'], /Unknown option '--alg'/],
    [['rotate', '--region', 'eu-west-1'], /--region only applies with --stack/],
  ])('%j is a usage error', async (argv, message) => {
    const run = await runCli(runKeys, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(secretsManager.calls()).toHaveLength(0);
  });
});

describe('keys rotate --stack', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningKeys-AbCdEf';
  const now = () => Math.floor(Date.now() / 1000);
  const SCHEDULE = { keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 };
  /** The secret's current key set: its next key published `age` seconds ago. */
  const currentKeysAged = async (age: number) => {
    const set = await firstKeySet('ES256', now() - age, SCHEDULE);
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: JSON.stringify(set) });
  };

  beforeEach(() => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'guichet-prod' }).resolves({
      Stacks: [
        {
          StackName: 'guichet-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'OidcClientSecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Other' },
            { OutputKey: 'SigningKeysArn', OutputValue: ARN },
          ],
        },
      ],
    });
    secretsManager.on(RotateSecretCommand).resolves({ ARN, VersionId: 'version-2' });
  });

  test('asks Secrets Manager to rotate the secret named by the stack output SigningKeysArn, once its next key may sign', async () => {
    await currentKeysAged(3900);

    const run = await runCli(runKeys, ['rotate', '--stack', 'guichet-prod', '--region', 'eu-west-1', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ target: 'guichet-prod', secret_arn: ARN, version_id: 'version-2' });
    expect(secretsManager.commandCalls(RotateSecretCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: ARN }]);
    expect(await secretsManager.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  test('refuses a rotation before the next key may sign, says until when and why, and rotates nothing', async () => {
    await currentKeysAged(60);
    const run = await runCli(runKeys, ['rotate', '--stack', 'guichet-prod']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^keys: too early, nothing rotated: the next signing key was published at \S+Z and may sign from \S+Z /);
    expect(run.stderr).toContain("(in 64 min): a key signs only once every verifier's cached JWKS holds it");
    expect(run.stderr).toContain('(SIGNING_KEYS_CACHE_SECONDS 300 s, in guichet and again in the verifier)');
    expect(run.stderr).toMatch(/\(longest token lifetime 3600 s\); run it again then\n$/);
    expect(secretsManager.commandCalls(RotateSecretCommand)).toHaveLength(0);

    const json = await runCli(runKeys, ['rotate', '--stack', 'guichet-prod', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ error: 'too_early', message: expect.stringMatching(/^too early, nothing rotated: /) });
  });

  test('rotates a secret that holds no key set yet: the rotation makes the first one', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'a placeholder' });
    expect((await runCli(runKeys, ['rotate', '--stack', 'guichet-prod'])).code).toBe(0);
    expect(secretsManager.commandCalls(RotateSecretCommand)).toHaveLength(1);
  });
});
