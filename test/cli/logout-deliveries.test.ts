import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runLogoutDeliveries } from '../../cli/run-logout-deliveries';
import { runCli } from '../support/cli-run';

const cloudFormation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const FAILED_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Guichet-Failed';
const DELIVERIES_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Guichet-Deliveries';
const failure = { reason: 'http_4xx', status: 400, at: 1_767_225_600, attempts: 1 };
const kept = { audience: 'https://api.product.example', sub: 'ana', sid: 'sid-1', endedAt: 1_767_225_500, failure };

beforeEach(() => {
  cloudFormation.reset();
  sqs.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: 'guichet-prod' }).resolves({
    Stacks: [
      {
        StackName: 'guichet-prod',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'FailedLogoutDeliveriesQueueUrl', OutputValue: FAILED_URL },
          { OutputKey: 'LogoutDeliveriesQueueUrl', OutputValue: DELIVERIES_URL },
        ],
      },
    ],
  });
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({
      Messages: [
        { MessageId: 'm-1', ReceiptHandle: 'r-1', Body: JSON.stringify(kept) },
        { MessageId: 'm-2', ReceiptHandle: 'r-2', Body: 'junk' },
      ],
    })
    .resolves({});
});
afterAll(() => {
  cloudFormation.restore();
  sqs.restore();
});

test('list shows every failed delivery and leaves them all in the queue, visible again', async () => {
  const run = await runCli(runLogoutDeliveries, ['list', '--stack', 'guichet-prod', '--json']);
  expect(run.code).toBe(0);
  expect(run.json()).toEqual([
    {
      message_id: 'm-1',
      audience: 'https://api.product.example',
      sid: 'sid-1',
      sub: 'ana',
      ended_at: '2025-12-31T23:58:20.000Z',
      failure: { reason: 'http_4xx', status: 400, at: '2026-01-01T00:00:00.000Z', attempts: 1 },
    },
    { message_id: 'm-2', body: 'junk' },
  ]);
  expect(sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input).toMatchObject({ QueueUrl: FAILED_URL, VisibilityTimeout: 30 });
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
    { QueueUrl: FAILED_URL, ReceiptHandle: 'r-1', VisibilityTimeout: 0 },
    { QueueUrl: FAILED_URL, ReceiptHandle: 'r-2', VisibilityTimeout: 0 },
  ]);
  expect(sqs.commandCalls(DeleteMessageCommand)).toEqual([]);
});

test('redrive sends the named delivery back with a new age limit, then removes it; the others stay', async () => {
  const run = await runCli(runLogoutDeliveries, ['redrive', 'm-1', 'm-9', '--stack', 'guichet-prod', '--json']);
  expect(run.json()).toEqual({ redriven: ['m-1'], not_found: ['m-9'] });
  const [sent] = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
  expect(sent.QueueUrl).toBe(DELIVERIES_URL);
  expect(JSON.parse(sent.MessageBody!)).toEqual({
    audience: kept.audience,
    sub: 'ana',
    sid: 'sid-1',
    endedAt: kept.endedAt,
    redrivenAt: expect.any(Number),
  });
  expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
    { QueueUrl: FAILED_URL, ReceiptHandle: 'r-1' },
  ]);
  expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual(['r-2']);
});

test.each([
  [[], /no command given/],
  [['purge'], /unknown command "purge"/],
  [['list', 'm-1'], /usage: npm run logout-deliveries -- list/],
  [['redrive'], /redrive <message-id>... \| redrive --all/],
  [['redrive', 'm-1', '--all'], /redrive <message-id>... \| redrive --all/],
])('%j is a usage error', async (argv, message) => {
  const run = await runCli(runLogoutDeliveries, argv);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(sqs.calls()).toHaveLength(0);
});
