import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { logger } from '../../../lambdas/shared/observability';
import { dependencyCalls, traced, tracedFetch, tracingMiddleware } from '../../../lambdas/shared/tracing';
import { httpEvent, middyRequest } from '../../support/api-event';

let server: Server;
let endpoint: string;
/** What the fake service answers next: status and body. */
let answer: [number, string] = [200, '{}'];

beforeAll(async () => {
  server = createServer((_, response) => response.writeHead(answer[0], { 'content-type': 'application/x-amz-json-1.0' }).end(answer[1]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => jest.restoreAllMocks());

const client = () =>
  traced(
    new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 }),
    'DynamoDB',
  );

describe('tracing without an SDK', () => {
  it('times every AWS SDK command of the invocation, by client and operation, with its outcome', async () => {
    tracingMiddleware().before!(middyRequest(httpEvent()));
    answer = [200, '{}'];
    await client().send(new GetItemCommand({ TableName: 't', Key: { id: { S: 'x' } } }));
    answer = [400, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'no table' })];
    await expect(client().send(new GetItemCommand({ TableName: 't', Key: { id: { S: 'x' } } }))).rejects.toThrow();

    expect(dependencyCalls()).toEqual([
      { dependency: 'DynamoDB', operation: 'GetItem', ms: expect.any(Number), outcome: 'ok' },
      { dependency: 'DynamoDB', operation: 'GetItem', ms: expect.any(Number), outcome: 'ResourceNotFoundException' },
    ]);
  });

  it('times fetches to the IdP by method and path', async () => {
    tracingMiddleware().before!(middyRequest(httpEvent()));
    answer = [200, '{}'];
    await tracedFetch('idp')(`${endpoint}/token?x=1`, { method: 'POST', body: 'a=b' });
    expect(dependencyCalls()).toEqual([{ dependency: 'idp', operation: 'POST /token', ms: expect.any(Number), outcome: 'ok' }]);
  });

  it('starts each invocation afresh and ends it with one record of its status and calls', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    const middleware = tracingMiddleware();
    middleware.before!(middyRequest(httpEvent()));
    await tracedFetch('idp')(`${endpoint}/keys`);
    middleware.before!(middyRequest(httpEvent()));
    expect(dependencyCalls()).toEqual([]);
    await tracedFetch('idp')(`${endpoint}/jwks`);
    middleware.after!(middyRequest(httpEvent(), { statusCode: 200 }));

    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith('request traced', {
      status: 200,
      dependencies: [{ dependency: 'idp', operation: 'GET /jwks', ms: expect.any(Number), outcome: 'ok' }],
    });
  });
});
