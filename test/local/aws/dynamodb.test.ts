import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { LocalAwsAccount } from '../../../local/aws/calls';
import { createDynamoDbFront, type DynamoDbEngine, startDynamoDbEngine } from '../../../local/aws/dynamodb';
import { roundTripsInARow } from '../../../local/aws/trace';
import { RolePolicy } from '../../../local/iam';

/** The local DynamoDB API: dynalite in its own process, behind a front that checks each function's role. */
const account = new LocalAwsAccount('eu-west-1', '000000000000');
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:000000000000:table/items';
let engine: DynamoDbEngine;
let front: Server;
let endpoint: string;

const clientWith = (accessKeyId: string, maxAttempts = 3) =>
  new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts });

function functionClient(functionId: string, allowed: (action: string, resource: string) => boolean) {
  const policy = Object.assign(Object.create(RolePolicy.prototype) as RolePolicy, { allows: allowed });
  return clientWith(account.credentialsFor({ functionId, policy }).AWS_ACCESS_KEY_ID);
}

beforeAll(async () => {
  engine = await startDynamoDbEngine(undefined);
  front = createDynamoDbFront(account, engine);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  await clientWith('operator').send(
    new CreateTableCommand({
      TableName: 'items',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    }),
  );
});
afterAll(async () => {
  await new Promise<void>((resolve) => front.close(() => resolve()));
  await engine.close();
});

describe('the local DynamoDB API', () => {
  it("lets a function do what its role allows, records it, and refuses the rest with AWS's AccessDenied", async () => {
    const reader = functionClient('Reader', (action, resource) => action === 'dynamodb:GetItem' && resource === TABLE_ARN);
    await expect(reader.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a' } } }))).resolves.toBeDefined();
    await expect(reader.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN}`),
    });
    expect(account.calls.filter((call) => call.functionId === 'Reader')).toEqual([
      { functionId: 'Reader', action: 'dynamodb:GetItem', resource: TABLE_ARN, startedAt: expect.any(Number), endedAt: expect.any(Number) },
    ]);
  });

  it('checks a Query against the index it reads', async () => {
    const seen: string[] = [];
    const querier = functionClient('Querier', (action, resource) => {
      seen.push(`${action} ${resource}`);
      return true;
    });
    await querier.send(
      new QueryCommand({
        TableName: 'items',
        IndexName: 'byOwner',
        KeyConditionExpression: '#o = :o',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':o': { S: 'x' } },
      }),
    );
    expect(seen).toEqual([`dynamodb:Query ${TABLE_ARN}/index/byOwner`]);
  });

  it('traces the calls of an execution environment to the invocation it serves, each from its arrival to its answer', async () => {
    const policy = Object.assign(Object.create(RolePolicy.prototype) as RolePolicy, { allows: () => true });
    const session = account.environmentSession({ functionId: 'Traced', policy });
    const client = clientWith(session.variables.AWS_ACCESS_KEY_ID);
    const get = (id: string) => client.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: id } } }));
    // Two reads in parallel, each held long enough for the other to start meanwhile, then a write after them.
    account.injectFault({ service: 'dynamodb', operation: 'GetItem', delayMs: 1000, times: 2 });
    session.serving('request-1');
    await Promise.all([get('a'), get('b')]);
    await client.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'c' } } }));
    session.serving(undefined);
    await get('d');
    const traced = account.calls.filter((call) => call.functionId === 'Traced');
    expect(traced.map((call) => [call.action, call.requestId])).toEqual([
      ['dynamodb:GetItem', 'request-1'],
      ['dynamodb:GetItem', 'request-1'],
      ['dynamodb:PutItem', 'request-1'],
      ['dynamodb:GetItem', undefined],
    ]);
    for (const call of traced) expect(call.endedAt).toBeGreaterThan(call.startedAt);
    expect(traced[0].endedAt! - traced[0].startedAt).toBeGreaterThanOrEqual(900);
    expect(roundTripsInARow(traced.slice(0, 3))).toBe(2);
  });

  it('lets an operator (any other credentials) do anything, unrecorded', async () => {
    const before = account.calls.length;
    await clientWith('operator').send(new PutItemCommand({ TableName: 'items', Item: { id: { S: 'op' } } }));
    expect(account.calls).toHaveLength(before);
  });

  it('answers injected throttling until it is cleared, through the SDK retries', async () => {
    account.injectFault({
      service: 'dynamodb',
      operation: 'GetItem',
      error: { type: 'ProvisionedThroughputExceededException', status: 400, message: 'slow down' },
    });
    await expect(clientWith('operator', 2).send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a' } } }))).rejects.toMatchObject(
      {
        name: 'ProvisionedThroughputExceededException',
      },
    );
    account.clearFaults();
    await expect(clientWith('operator').send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a' } } }))).resolves.toBeDefined();
  });
});
