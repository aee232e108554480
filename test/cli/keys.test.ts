import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runKeys } from '../../cli/run-keys';
import { parseKeySet } from '../../lambdas/shared/signing-keys';
import { ensureSigningKeysFile } from '../../local/signing-keys-file';
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

interface Rotated {
  kid: string;
  alg: string;
  previous_kid: string;
  next_kid: string;
  file: string;
}

describe('keys rotate, locally', () => {
  let directory: string;
  let file: string;
  const keys = (...argv: string[]) => runCli(runKeys, argv, { GUICHET_LOCAL_DIR: directory });
  const keySet = () => parseKeySet(readFileSync(file, 'utf8'));

  beforeEach(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'guichet-keys-'));
    file = await ensureSigningKeysFile(directory);
  });

  test('signs with the key published since the last rotation, keeps the previous one and publishes a next one, owner-only', async () => {
    const [initialCurrent, initialNext] = keySet().keys;

    const run = await keys('rotate', '--json');
    expect(run.code).toBe(0);
    const rotated = run.json<Rotated>();
    expect(rotated).toEqual({
      kid: initialNext.kid,
      alg: 'RS256',
      previous_kid: initialCurrent.kid,
      next_kid: expect.any(String),
      file,
    });
    expect(keySet().keys.map((key) => key.kid)).toEqual([initialCurrent.kid, initialNext.kid, rotated.next_kid]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(directory)).toEqual(['signing-keys.json']);
  });

  test('keeps only the previous, current and next keys', async () => {
    await keys('rotate');
    const second = (await keys('rotate', '--json')).json<Rotated>();
    const third = (await keys('rotate', '--json')).json<Rotated>();
    expect(keySet().keys.map((key) => key.kid)).toEqual([second.kid, third.kid, third.next_kid]);
    expect(third.previous_kid).toBe(second.kid);
  });

  test('--alg changes the algorithm, which later rotations keep', async () => {
    await keys('rotate', '--alg', 'ES256');
    await keys('rotate');
    const run = await keys('rotate');
    expect(run.stdout).toMatch(/^Signing with \S+ \(ES256\) in .*signing-keys\.json; \S+ is still published, and \S+ is published to sign after the next rotation\.\n$/);
    expect(keySet().keys.map((key) => key.alg)).toEqual(['ES256', 'ES256', 'ES256']);
  });

  test('creates the key file when there is none yet', async () => {
    directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'guichet-keys-')), 'fresh');
    file = path.join(directory, 'signing-keys.json');
    const run = await keys('rotate', '--json');
    expect(run.code).toBe(0);
    expect(keySet().keys.map((key) => key.kid)).toContain(run.json<Rotated>().kid);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('leaves an unreadable key set alone', async () => {
    writeFileSync(file, '{"keys": []}');
    const run = await keys('rotate');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/holds no key/);
    expect(readFileSync(file, 'utf8')).toBe('{"keys": []}');
  });

  test.each([
    [['rotate', '--alg', 'HS256'], /--alg must be one of RS256, ES256/],
    [[], /no command given/],
    [['spin'], /unknown command "spin"/],
    [['rotate', 'now'], /usage: npm run keys -- rotate/],
    [['rotate', '--region', 'eu-west-1'], /--region only applies with --stack/],
  ])('%j is a usage error', async (argv, message) => {
    const before = readFileSync(file, 'utf8');
    const run = await keys(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('keys rotate --stack', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningKeys-AbCdEf';

  test('asks Secrets Manager to rotate the secret named by the stack output SigningKeysArn', async () => {
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

    const run = await runCli(runKeys, ['rotate', '--stack', 'guichet-prod', '--region', 'eu-west-1', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ stack: 'guichet-prod', secret_arn: ARN, version_id: 'version-2' });
    expect(secretsManager.commandCalls(RotateSecretCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: ARN }]);
    expect(await secretsManager.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  test('--alg is refused: the stack rotation function chooses the algorithm', async () => {
    const run = await runCli(runKeys, ['rotate', '--stack', 'guichet-prod', '--alg', 'ES256']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--alg is for local keys/);
    expect(cloudFormation.calls()).toHaveLength(0);
    expect(secretsManager.calls()).toHaveLength(0);
  });
});
