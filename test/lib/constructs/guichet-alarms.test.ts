import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GuichetAlarms, type GuichetAlarmsProps } from '../../../lib/constructs/guichet-alarms';
import { hostStack, logicalId } from '../helpers';

const metric = (metricName: string) => new cloudwatch.Metric({ namespace: 'Test', metricName, statistic: cloudwatch.Stats.SUM });

function synthAlarms(props?: GuichetAlarmsProps) {
  const stack = hostStack();
  const alarms = new GuichetAlarms(stack, 'Alarms', props);
  alarms.addThresholdAlarm('First', { metric: metric('A'), threshold: 3, description: 'first' });
  alarms.addThresholdAlarm('Second', { metric: metric('B'), threshold: 9, description: 'second' });
  return { alarms, template: Template.fromStack(stack) };
}

describe('without alarm e-mail', () => {
  let template: Template;
  let alarms: GuichetAlarms;
  beforeAll(() => {
    ({ template, alarms } = synthAlarms());
  });

  test('each alarm is raised by one period at or above its threshold, and not by missing data', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'A',
      Namespace: 'Test',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: 'first',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'B', Threshold: 9 });
  });

  test('has no topic and no action: operators subscribe to the alarms', () => {
    expect(alarms.topic).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  test('keeps each alarm by id and outputs its name as <id>AlarmName', () => {
    expect(Object.keys(alarms.alarms)).toEqual(['First', 'Second']);
    const outputs = template.toJSON().Outputs;
    expect(outputs.FirstAlarmName.Value).toEqual({ Ref: logicalId(alarms.alarms.First) });
    expect(outputs.SecondAlarmName.Value).toEqual({ Ref: logicalId(alarms.alarms.Second) });
  });
});

describe('with alarm e-mail', () => {
  let template: Template;
  let alarms: GuichetAlarms;
  beforeAll(() => {
    ({ template, alarms } = synthAlarms({ alarmEmail: 'ops@example.com' }));
  });
  const topicRef = () => ({ Ref: logicalId(alarms.topic!) });

  test('every alarm it adds notifies the topic', () => {
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef()] });
  });

  test('the topic sends e-mail to the address, and its ARN is output', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef(),
    });
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual(topicRef());
  });

  test('the topic is encrypted with a rotated key CloudWatch may use', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('the topic refuses publishing without TLS, and lets only the alarms of this account publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });
});
