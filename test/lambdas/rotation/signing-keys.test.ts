import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { rotatedKeySet } from '../../../lambdas/shared/signing-key-rotation';
import { parseKeySet } from '../../../lambdas/shared/signing-keys';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningKeys-AbCdEf';
let handler: typeof import('../../../lambdas/rotation/signing-keys').handler;

beforeAll(async () => {
  ({ handler } = await import('../../../lambdas/rotation/signing-keys'));
});
beforeEach(() => secretsManager.reset());
afterAll(() => secretsManager.restore());

const describeWith = (versions: Record<string, string[]>, rotationEnabled = true) =>
  secretsManager.on(DescribeSecretCommand).resolves({ RotationEnabled: rotationEnabled, VersionIdsToStages: versions });
const notFound = Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' });

describe('signing keys rotation Lambda', () => {
  it('createSecret turns the placeholder into a first key set, staged AWSPENDING', async () => {
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).rejects(notFound);
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'placeholder' });

    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' });

    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input).toMatchObject({ SecretId: SECRET, ClientRequestToken: 'token', VersionStages: ['AWSPENDING'] });
    expect(parseKeySet(put.args[0].input.SecretString!).keys).toHaveLength(2);
  });

  it('createSecret rotates an existing set and leaves an already created pending version alone', async () => {
    const current = await rotatedKeySet(undefined, 'RS256');
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).rejects(notFound);
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify(current) });
    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' });
    const rotated = parseKeySet(secretsManager.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);
    expect(rotated.keys.slice(0, 2).map((key) => key.kid)).toEqual(current.keys.map((key) => key.kid));

    secretsManager.reset();
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).resolves({ SecretString: JSON.stringify(rotated) });
    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' });
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('testSecret signs and verifies with the pending signing key, and fails on a broken set', async () => {
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(await rotatedKeySet(undefined, 'ES256')) });
    await expect(handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'testSecret' })).resolves.toBeUndefined();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"keys":[]}' });
    await expect(handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'testSecret' })).rejects.toThrow();
  });

  it('finishSecret moves AWSCURRENT to the new version', async () => {
    describeWith({ old: ['AWSCURRENT'], token: ['AWSPENDING'] });
    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'finishSecret' });
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'token',
      RemoveFromVersionId: 'old',
    });
  });

  it('refuses a secret without rotation enabled or a token that is not one of its versions', async () => {
    describeWith({ token: ['AWSPENDING'] }, false);
    await expect(handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' })).rejects.toThrow(/not enabled/);
    describeWith({ other: ['AWSCURRENT'] });
    await expect(handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' })).rejects.toThrow(/not a version/);
  });
});

describe('signing keys rotation Lambda, as the deploy-time key-set resource', () => {
  let server: Server;
  let responseUrl: string;
  const answers: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        answers.push({ method: request.method, contentType: request.headers['content-type'], ...(JSON.parse(body) as object) });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (answers.length = 0));

  const request = (type: 'Create' | 'Update' | 'Delete') => ({
    RequestType: type,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Guichet/x',
    RequestId: 'request-1',
    LogicalResourceId: 'KeySet',
    ResourceProperties: { SecretId: SECRET },
  });

  it('replaces the placeholder with a first key set, current at once, and reports SUCCESS', async () => {
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'placeholder' });
    await handler(request('Create'));
    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input).toMatchObject({ SecretId: SECRET, VersionStages: ['AWSCURRENT'] });
    expect(parseKeySet(put.args[0].input.SecretString!).keys).toHaveLength(2);
    expect(answers).toEqual([
      expect.objectContaining({ method: 'PUT', contentType: '', Status: 'SUCCESS', RequestId: 'request-1', LogicalResourceId: 'KeySet', PhysicalResourceId: `signing-key-set:${SECRET}` }),
    ]);
  });

  it('keeps a key set that exists (an update of the stack) and leaves the secret alone on Delete', async () => {
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify(await rotatedKeySet(undefined, 'RS256')) });
    await handler(request('Update'));
    await handler(request('Delete'));
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(answers.map((answer) => answer.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('reports FAILED with the reason when it cannot make the keys, so that the deploy stops', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await handler(request('Create'));
    expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: 'not allowed' })]);
  });
});
