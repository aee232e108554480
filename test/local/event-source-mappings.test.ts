import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalAwsAccount } from '../../local/aws/calls';
import { type LocalQueue, LocalSqs } from '../../local/aws/sqs';
import { type LocalEventSourceMappings, startEventSourceMappings } from '../../local/event-source-mappings';
import { RolePolicy } from '../../local/iam';
import { IntrinsicResolver } from '../../local/intrinsics';
import type { Invocation, LocalFunction } from '../../local/lambda/local-function';
import type { StackTemplate } from '../../local/stack-template';

/**
 * The event source mapping runner, against the local SQS and a function that answers as each test says: what it
 * reads of the template, the event it hands the function, and which messages it deletes after each outcome.
 */
const account = new LocalAwsAccount('eu-west-1', '000000000000');
const sqs = new LocalSqs(account);
const server = sqs.listen();
let endpoint: string;
let queue: LocalQueue;
let mappings: LocalEventSourceMappings | undefined;
let answer: (event: { Records: { messageId: string; body: string }[] }) => Invocation;
const events: { Records: { messageId: string; body: string; attributes: Record<string, string>; eventSourceARN: string }[] }[] = [];

const target = {
  definition: {
    logicalId: 'Delivery',
    name: 'Guichet-Delivery',
    arn: 'arn:aws:lambda:eu-west-1:000000000000:function:Guichet-Delivery',
    roleId: 'DeliveryRole',
  },
  invoke: async (event: never) => {
    events.push(event);
    return answer(event);
  },
} as unknown as LocalFunction;

const allowAll = new RolePolicy([
  { effect: 'Allow', actionNames: ['sqs:*'], resourceNames: ['*'], actions: [/^sqs:.*$/i], resources: [/^.*$/] },
]);

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
afterEach(async () => {
  await mappings?.stop();
  mappings = undefined;
  events.length = 0;
});

let queues = 0;
async function start(mapping: Record<string, unknown>): Promise<void> {
  queues += 1;
  queue = sqs.createQueue(`deliveries-${queues}`, { VisibilityTimeout: 60 }, endpoint);
  const resolver = new IntrinsicResolver({ region: 'eu-west-1', accountId: '000000000000', stackName: 'Guichet' });
  resolver.define('Queue', { ref: queue.url, attributes: { Arn: queue.arn } });
  resolver.define('Delivery', { ref: 'Guichet-Delivery', attributes: { Arn: target.definition.arn } });
  const template: StackTemplate = {
    stackName: 'Guichet',
    assemblyDirectory: '/nowhere',
    outputs: {},
    bundleFolders: new Map(),
    resources: {
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FunctionName: { Ref: 'Delivery' }, ...mapping },
      },
    },
  };
  mappings = await startEventSourceMappings(template, resolver, {
    account,
    policies: new Map([['DeliveryRole', allowAll]]),
    functions: [target],
    sqsEndpoint: endpoint,
  });
}

async function send(...bodies: string[]): Promise<void> {
  const client = new SQSClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } });
  await client.send(
    new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })) }),
  );
  client.destroy();
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}
const inFlight = () => queue.messages.map((message) => message.body).sort();

test("reads the template's mapping and hands the function Lambda's SQS event", async () => {
  answer = () => ({ outcome: 'result', payload: { batchItemFailures: [] } });
  await start({ BatchSize: 5, MaximumBatchingWindowInSeconds: 0, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  expect(mappings!.mappings).toEqual([
    {
      mappingId: 'Mapping',
      queueArn: queue.arn,
      functionId: 'Delivery',
      batchSize: 5,
      batchingWindowSeconds: 0,
      reportBatchItemFailures: true,
    },
  ]);
  await send('a', 'b');
  await until(() => queue.messages.length === 0);
  const records = events.flatMap((event) => event.Records);
  expect(records.map((record) => record.body).sort()).toEqual(['a', 'b']);
  expect(records[0]).toMatchObject({ eventSourceARN: queue.arn, attributes: { ApproximateReceiveCount: '1' } });
});

test('with ReportBatchItemFailures, deletes every message of the batch but the reported ones', async () => {
  answer = (event) => ({
    outcome: 'result',
    payload: {
      batchItemFailures: event.Records.filter((record) => record.body === 'retry').map((record) => ({ itemIdentifier: record.messageId })),
    },
  });
  await start({ BatchSize: 10, MaximumBatchingWindowInSeconds: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  await send('done', 'retry', 'done too');
  await until(() => inFlight().length === 1);
  expect(inFlight()).toEqual(['retry']);
});

test('deletes nothing when the function fails, times out, or reports what it cannot have received', async () => {
  await start({ FunctionResponseTypes: ['ReportBatchItemFailures'] });
  for (const outcome of [
    { outcome: 'error', phase: 'invoke', errorType: 'Error', errorMessage: 'crashed' },
    { outcome: 'timeout' },
    { outcome: 'result', payload: { batchItemFailures: [{ itemIdentifier: '' }] } },
  ] as Invocation[]) {
    answer = () => outcome;
    const before = events.length;
    await send(`after ${outcome.outcome}`);
    await until(() => events.length > before);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inFlight()).toContain(`after ${outcome.outcome}`);
  }
});

test('without ReportBatchItemFailures, a successful invocation deletes its whole batch whatever it returns', async () => {
  answer = (event) => ({ outcome: 'result', payload: { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] } });
  await start({});
  await send('one', 'two');
  await until(() => queue.messages.length === 0 && events.length > 0);
});
