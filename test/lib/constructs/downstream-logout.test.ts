import { Match, type Template } from 'aws-cdk-lib/assertions';
import { LOGOUT_DELIVERY_WORKER, LOGOUT_OUTBOX_SWEEPER, ROUTES } from '../../../lambdas/routes';
import {
  DELIVERY_BATCH_SIZE,
  DELIVERY_MAX_RECEIVE_COUNT,
  DELIVERY_VISIBILITY_TIMEOUT,
  type DownstreamLogout,
} from '../../../lib/constructs/downstream-logout';
import { FAILED_LOGOUT_DELIVERIES_ALARM_ID, type GuichetStack } from '../../../lib/guichet-stack';
import { queueUrlOutputKey } from '../../../lib/naming';
import { dashboardWidgets, logicalId, roleStatements, synthGuichet } from '../helpers';

let stack: GuichetStack;
let template: Template;
let downstream: DownstreamLogout;

beforeAll(() => {
  ({ stack, template } = synthGuichet());
  downstream = stack.downstreamLogout;
});

const queueId = (name: 'logoutDeliveries' | 'failedLogoutDeliveries') => logicalId(downstream.queues[name]);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

test('the delivery queue and its dead-letter queue are encrypted by SQS, keep messages 14 days, and redrive as a backstop', () => {
  const resources = template.toJSON().Resources;
  expect(resources[queueId('logoutDeliveries')].Properties).toEqual({
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 1_209_600,
    VisibilityTimeout: DELIVERY_VISIBILITY_TIMEOUT.toSeconds(),
    RedrivePolicy: { deadLetterTargetArn: arnOf(queueId('failedLogoutDeliveries')), maxReceiveCount: DELIVERY_MAX_RECEIVE_COUNT },
  });
  expect(resources[queueId('failedLogoutDeliveries')].Properties).toEqual({
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 1_209_600,
  });
  expect(DELIVERY_VISIBILITY_TIMEOUT.toSeconds()).toBe(6 * LOGOUT_DELIVERY_WORKER.timeoutSeconds);
});

test('both queues refuse every request that is not over TLS', () => {
  const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
  expect(policies).toHaveLength(2);
  for (const policy of policies) {
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  }
});

test('the delivery function consumes the queue through an event source mapping with partial batch responses', () => {
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: arnOf(queueId('logoutDeliveries')),
    FunctionName: { Ref: logicalId(downstream.delivery.function) },
    BatchSize: DELIVERY_BATCH_SIZE,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('the delivery role holds what the mapping and the code use, and nothing else: no GetQueueUrl, no table', () => {
  const statements = roleStatements(template, logicalId(downstream.delivery.role));
  expect(statements).toEqual([
    expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
    expect.objectContaining({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }),
    { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: logicalId(stack.secrets.signingKeys) } },
    {
      Action: ['sqs:ReceiveMessage', 'sqs:GetQueueAttributes', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
      Effect: 'Allow',
      Resource: arnOf(queueId('logoutDeliveries')),
    },
    { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(queueId('failedLogoutDeliveries')) },
  ]);
  expect(LOGOUT_DELIVERY_WORKER.tables).toEqual({});
});

test('the sweeper runs every minute, reads the outbox index and sends to the delivery queue only', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 minute)',
    Targets: [Match.objectLike({ Arn: arnOf(logicalId(downstream.sweeper.function)) })],
  });
  const statements = roleStatements(template, logicalId(downstream.sweeper.role));
  expect(statements.slice(2)).toEqual([
    { Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], Effect: 'Allow', Resource: arnOf(logicalId(stack.tables.sessions)) },
    {
      Action: 'dynamodb:Query',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [arnOf(logicalId(stack.tables.sessions)), '/index/byLogoutOutbox']] },
    },
    { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(queueId('logoutDeliveries')) },
  ]);
  expect(LOGOUT_OUTBOX_SWEEPER.queues).toEqual({ logoutDeliveries: ['SendMessage'] });
});

test('exactly the two routes that end sessions may send deliveries, and receive the queue URL', () => {
  const senders = ROUTES.filter((route) => route.queues?.logoutDeliveries?.includes('SendMessage')).map((route) => route.id);
  expect(senders.sort()).toEqual(['AuthBackchannelLogout', 'AuthLogout']);
  for (const id of senders) {
    const variables = template.toJSON().Resources[logicalId(stack.functions[id].function)].Properties.Environment.Variables;
    expect(variables.LOGOUT_DELIVERY_QUEUE_URL).toEqual({ Ref: queueId('logoutDeliveries') });
  }
});

test('a failed delivery kept raises an alarm, and the dashboard shows the deliveries, the oldest and the failed ones', () => {
  const alarm = stack.alarms.alarms[FAILED_LOGOUT_DELIVERIES_ALARM_ID];
  expect(template.toJSON().Resources[logicalId(alarm)].Properties).toMatchObject({
    Metrics: [
      expect.objectContaining({
        MetricStat: {
          Metric: {
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Namespace: 'AWS/SQS',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId('failedLogoutDeliveries'), 'QueueName'] } }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
      }),
    ],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  const titles = dashboardWidgets(template).map((widget) => widget.properties.title);
  expect(titles).toEqual(
    expect.arrayContaining([
      'Logout deliveries queued, and attempts by outcome',
      'Logout delivery attempts, by audience and outcome',
      'Oldest pending logout delivery (seconds)',
      'Failed logout deliveries kept for the operator (npm run logout-deliveries -- list)',
    ]),
  );
  const body = JSON.stringify(dashboardWidgets(template));
  expect(body).toContain('ApproximateAgeOfOldestMessage');
  expect(body).toContain('MetricName=\\"LogoutDeliveryAttempted\\"');
});

test('the CLI finds both queues through the stack outputs', () => {
  const outputs = template.toJSON().Outputs;
  expect(outputs[queueUrlOutputKey('logoutDeliveries')].Value).toEqual({ Ref: queueId('logoutDeliveries') });
  expect(outputs[queueUrlOutputKey('failedLogoutDeliveries')].Value).toEqual({ Ref: queueId('failedLogoutDeliveries') });
});
