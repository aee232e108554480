import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { firstKeySet } from '../../../lambdas/shared/signing-key-rotation';
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
const now = () => Math.floor(Date.now() / 1000);
const SCHEDULE = { keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 };
/** A key set whose next key was published `age` seconds ago. */
const keySetAged = (age: number) => firstKeySet('RS256', now() - age, SCHEDULE);
const pendingSet = () => parseKeySet(secretsManager.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);

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
    const current = await keySetAged(3900);
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

  it('createSecret postpones a rotation that comes before the next key may sign: the same keys, no failure', async () => {
    const current = await keySetAged(60);
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).rejects(notFound);
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify(current) });
    await expect(handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' })).resolves.toBeUndefined();
    expect(pendingSet()).toEqual(current);
  });

  it('createSecret dates a set written before keys carried dates from when its version was written', async () => {
    const undated = { keys: (await keySetAged(0)).keys.map(({ publishedAt: _, ...key }) => key) };
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).rejects(notFound);
    const written = new Date((now() - 60) * 1000);
    const currentIs = (CreatedDate: Date) =>
      secretsManager
        .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
        .resolves({ SecretString: JSON.stringify(undated), CreatedDate });
    currentIs(written);
    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' });
    expect(pendingSet().keys.map((key) => key.kid)).toEqual(undated.keys.map((key) => key.kid));
    expect(pendingSet().keys.map((key) => key.publishedAt)).toEqual([written.getTime() / 1000, written.getTime() / 1000]);

    secretsManager.reset();
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).rejects(notFound);
    currentIs(new Date((now() - 3900) * 1000));
    await handler({ SecretId: SECRET, ClientRequestToken: 'token', Step: 'createSecret' });
    expect(pendingSet().keys).toHaveLength(3);
  });

  it('testSecret signs and verifies with the pending signing key, and fails on a broken set', async () => {
    describeWith({ current: ['AWSCURRENT'], token: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(await firstKeySet('ES256', now())) });
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

  const request = (type: 'Create' | 'Update' | 'Delete', schedule: Record<string, string> = {}) => ({
    RequestType: type,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Guichet/x',
    RequestId: 'request-1',
    LogicalResourceId: 'KeySet',
    ResourceProperties: { SecretId: SECRET, ...schedule },
  });

  it('replaces the placeholder with a first key set, current at once, and reports SUCCESS', async () => {
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'placeholder' });
    await handler(request('Create', { KeysCacheSeconds: '300', LongestTokenLifetimeSeconds: '3600' }));
    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input).toMatchObject({ SecretId: SECRET, VersionStages: ['AWSCURRENT'] });
    expect(parseKeySet(put.args[0].input.SecretString!).keys).toHaveLength(2);
    expect(parseKeySet(put.args[0].input.SecretString!).schedule).toEqual(SCHEDULE);
    expect(answers).toEqual([
      expect.objectContaining({
        method: 'PUT',
        contentType: '',
        Status: 'SUCCESS',
        RequestId: 'request-1',
        LogicalResourceId: 'KeySet',
        PhysicalResourceId: `signing-key-set:${SECRET}`,
      }),
    ]);
  });

  it('keeps a key set that exists (an update of the stack) and leaves the secret alone on Delete', async () => {
    const set = await keySetAged(0);
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify(set) });
    await handler(request('Update', { KeysCacheSeconds: '300', LongestTokenLifetimeSeconds: '3600' }));
    await handler(request('Delete'));
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(answers.map((answer) => answer.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it("records a deploy's new schedule in the set, keeping its keys, and the current key as long as the old schedule asked", async () => {
    const set = await keySetAged(0);
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify(set) });
    await handler(request('Update', { KeysCacheSeconds: '60', LongestTokenLifetimeSeconds: '300' }));
    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input).toMatchObject({ SecretId: SECRET, VersionStages: ['AWSCURRENT'] });
    const recorded = parseKeySet(put.args[0].input.SecretString!);
    expect(recorded.schedule).toEqual({ keysCacheSeconds: 60, longestTokenLifetimeSeconds: 300 });
    expect(recorded.keys.map((key) => key.kid)).toEqual(set.keys.map((key) => key.kid));
    expect(recorded.keys[0].keptUntil).toBeGreaterThanOrEqual(now() + 3900 - 5);
    expect(answers.map((answer) => answer.Status)).toEqual(['SUCCESS']);
  });

  it('reports FAILED with the reason when it cannot make the keys, so that the deploy stops', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await handler(request('Create'));
    expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: 'not allowed' })]);
  });
});
