import type { AddressInfo } from 'node:net';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LocalAwsAccount } from '../../../local/aws/calls';
import { type LocalQueue, LocalSqs } from '../../../local/aws/sqs';
import { RolePolicy } from '../../../local/iam';

/** The local SQS, talked to by the real SDK client as the functions and the CLI talk to it; its clock is the test's. */
const account = new LocalAwsAccount('eu-west-1', '000000000000');
const sqs = new LocalSqs(account);
const server = sqs.listen();
let client: SQSClient;
let endpoint: string;
let clock: number;
let deliveries: LocalQueue;
let failed: LocalQueue;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SQSClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } });
});
afterAll(() => {
  client.destroy();
  server.closeAllConnections();
  server.close();
});

let queues = 0;
beforeEach(() => {
  clock = Date.parse('2026-01-01T00:00:00Z');
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  queues += 1;
  failed = sqs.createQueue(`failed-${queues}`, {}, endpoint);
  deliveries = sqs.createQueue(
    `deliveries-${queues}`,
    { VisibilityTimeout: 60, MessageRetentionPeriod: 3600, RedrivePolicy: { deadLetterTargetArn: failed.arn, maxReceiveCount: 2 } },
    endpoint,
  );
});
afterEach(() => jest.restoreAllMocks());

const receive = async (queue: LocalQueue, options: { VisibilityTimeout?: number } = {}) =>
  (
    await client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...options }),
    )
  ).Messages ?? [];

test('sends and receives with the MD5 the SDK checks, and the receive count and timestamps Lambda reads', async () => {
  const sent = await client.send(new SendMessageCommand({ QueueUrl: deliveries.url, MessageBody: '{"a":1}' }));
  const [message] = await receive(deliveries);
  expect(message).toMatchObject({
    MessageId: sent.MessageId,
    Body: '{"a":1}',
    Attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(clock) },
  });
  await client.send(new DeleteMessageCommand({ QueueUrl: deliveries.url, ReceiptHandle: message.ReceiptHandle }));
  clock += 61_000;
  expect(await receive(deliveries)).toEqual([]);
});

test('hides a received message for the visibility timeout, or as long as ChangeMessageVisibility says', async () => {
  await client.send(
    new SendMessageBatchCommand({
      QueueUrl: deliveries.url,
      Entries: [
        { Id: 'a', MessageBody: 'a' },
        { Id: 'b', MessageBody: 'b' },
      ],
    }),
  );
  const [first, second] = await receive(deliveries);
  expect(await receive(deliveries)).toEqual([]);
  await client.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: deliveries.url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 2 }),
  );
  clock += 2_000;
  expect((await receive(deliveries)).map((message) => message.Body)).toEqual(['a']);
  clock += 58_000;
  expect((await receive(deliveries)).map((message) => message.Body)).toEqual([second.Body]);
  // A message that is visible again cannot have its visibility changed by an older receive.
  await expect(
    client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: deliveries.url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 5 }),
    ),
  ).rejects.toThrow();
});

test('delays a message sent with DelaySeconds', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: deliveries.url, MessageBody: 'later', DelaySeconds: 5 }));
  expect(await receive(deliveries)).toEqual([]);
  expect(
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: deliveries.url, AttributeNames: ['All'] }))).Attributes,
  ).toMatchObject({
    ApproximateNumberOfMessagesDelayed: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: failed.arn, maxReceiveCount: 2 }),
  });
  clock += 5_000;
  expect(await receive(deliveries)).toHaveLength(1);
});

test('moves a message received maxReceiveCount times to the dead-letter queue on its next receive', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: deliveries.url, MessageBody: 'poison' }));
  expect(await receive(deliveries, { VisibilityTimeout: 0 })).toHaveLength(1);
  expect(await receive(deliveries, { VisibilityTimeout: 0 })).toHaveLength(1);
  expect(await receive(deliveries, { VisibilityTimeout: 0 })).toEqual([]);
  expect((await receive(failed)).map((message) => [message.Body, message.Attributes?.ApproximateReceiveCount])).toEqual([['poison', '3']]);
});

test('drops messages older than the retention period', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: deliveries.url, MessageBody: 'old' }));
  clock += 3_601_000;
  expect(await receive(deliveries)).toEqual([]);
  expect(deliveries.messages).toEqual([]);
});

test("checks a function's calls against its role, a batch by its single action", async () => {
  const policy = new RolePolicy([
    {
      effect: 'Allow',
      actionNames: ['sqs:ReceiveMessage'],
      resourceNames: [deliveries.arn],
      actions: [/^sqs:ReceiveMessage$/i],
      resources: [new RegExp(`^${deliveries.arn}$`)],
    },
  ]);
  const credentials = account.credentialsFor({ functionId: 'Sender', policy });
  const asFunction = new SQSClient({
    region: 'eu-west-1',
    endpoint,
    credentials: {
      accessKeyId: credentials.AWS_ACCESS_KEY_ID,
      secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
      sessionToken: credentials.AWS_SESSION_TOKEN,
    },
  });
  await expect(
    asFunction.send(new SendMessageBatchCommand({ QueueUrl: deliveries.url, Entries: [{ Id: '1', MessageBody: 'x' }] })),
  ).rejects.toThrow(/not authorized to perform: sqs:SendMessage on resource/);
  await asFunction.send(new ReceiveMessageCommand({ QueueUrl: deliveries.url }));
  expect(account.calls).toContainEqual(
    expect.objectContaining({ functionId: 'Sender', action: 'sqs:ReceiveMessage', resource: deliveries.arn }),
  );
  asFunction.destroy();
});

test('answers an unknown queue as SQS does', async () => {
  await expect(client.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/nope`, MessageBody: 'x' }))).rejects.toMatchObject({
    name: 'QueueDoesNotExist',
  });
});
