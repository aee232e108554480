import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseKeySet } from '../../../lambdas/shared/signing-keys';
import { LocalAwsAccount } from '../../../local/aws/calls';
import { LocalSecretsManager } from '../../../local/aws/secrets-manager';
import { RolePolicy } from '../../../local/iam';

/**
 * The local Secrets Manager, spoken to by the real SDK client: versions and staging labels as Secrets Manager
 * keeps them, a rotation that runs the real rotation function's four steps, IAM checks and injected failures.
 */
const account = new LocalAwsAccount('eu-west-1', '000000000000');
let secrets: LocalSecretsManager;
let server: Server;
let client: SecretsManagerClient;
let endpoint: string;
let keysArn: string;

beforeAll(async () => {
  secrets = new LocalSecretsManager(account, async (_, event) => {
    const { handler } = await import('../../../lambdas/rotation/signing-keys');
    await handler(event as Parameters<typeof handler>[0]);
  });
  server = secrets.listen();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The rotation function, run in this process, reaches the local service as it would in local mode.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
  });
  client = new SecretsManagerClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'operator', secretAccessKey: 'x' } });
  keysArn = secrets.createSecret('guichet-keys', 'generated placeholder');
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const stagesOf = async (arn: string) => (await client.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};

describe('the local Secrets Manager', () => {
  it('serves a secret by ARN or name, its current version by default, and knows no other', async () => {
    const arn = secrets.createSecret('guichet-plain', 'value-1');
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:guichet-plain-[0-9a-f]{6}$/);
    expect((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('value-1');
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'guichet-plain' }))).SecretString).toBe('value-1');
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nothing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('moves AWSCURRENT to a new value and leaves AWSPREVIOUS on the old one', async () => {
    const arn = secrets.createSecret('guichet-moved', 'old');
    const { VersionId: newVersion } = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'new' }));
    const stages = await stagesOf(arn);
    expect(stages[newVersion!]).toEqual(['AWSCURRENT']);
    expect(Object.values(stages)).toContainEqual(['AWSPREVIOUS']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('old');
  });

  it('rotates as Secrets Manager does: the rotation function runs its four steps and the new version becomes current', async () => {
    secrets.scheduleRotations(
      {
        stackName: 'G',
        assemblyDirectory: '',
        outputs: {},
        bundleFolders: new Map(),
        resources: {
          Schedule: {
            Type: 'AWS::SecretsManager::RotationSchedule',
            Properties: { SecretId: keysArn, RotationLambdaARN: 'arn:aws:lambda:eu-west-1:000000000000:function:rotation' },
          },
        },
      },
      { resolve: (value: unknown) => value } as never,
    );
    const describe = await client.send(new DescribeSecretCommand({ SecretId: keysArn }));
    expect(describe.RotationEnabled).toBe(true);

    const { VersionId: first } = await client.send(new RotateSecretCommand({ SecretId: keysArn }));
    const firstSet = parseKeySet((await client.send(new GetSecretValueCommand({ SecretId: keysArn }))).SecretString!);
    expect(firstSet.keys).toHaveLength(2);
    expect((await stagesOf(keysArn))[first!]).toEqual(['AWSCURRENT']);

    const { VersionId: second } = await client.send(new RotateSecretCommand({ SecretId: keysArn }));
    const secondSet = parseKeySet((await client.send(new GetSecretValueCommand({ SecretId: keysArn }))).SecretString!);
    expect(secondSet.keys.slice(0, 2).map((key) => key.kid)).toEqual(firstSet.keys.map((key) => key.kid));
    const stages = await stagesOf(keysArn);
    expect(stages[second!]).toEqual(['AWSCURRENT']);
    expect(stages[first!]).toEqual(['AWSPREVIOUS']);
    expect(Object.values(stages).flat()).not.toContain('AWSPENDING');
  });

  it("checks a function's call against its role, as IAM does", async () => {
    const arn = secrets.createSecret('guichet-guarded', 'guarded');
    const credentials = account.credentialsFor({ functionId: 'Reader', policy: new RolePolicy([]) });
    const reader = new SecretsManagerClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY },
    });
    await expect(reader.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn}`),
    });
  });

  it('answers an injected failure, only as often as asked', async () => {
    const arn = secrets.createSecret('guichet-flaky', 'flaky');
    account.injectFault({
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      resourceContains: 'guichet-flaky',
      times: 1,
      error: { type: 'InternalServiceError', status: 500, message: 'injected' },
    });
    const noRetry = new SecretsManagerClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'operator', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(noRetry.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toMatchObject({ name: 'InternalServiceError' });
    expect((await noRetry.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('flaky');
    account.clearFaults();
  });
});
