import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GuichetAlarms } from '../../../lib/constructs/guichet-alarms';
import { hostStack, logicalId } from '../helpers';

let template: Template;
let alarms: GuichetAlarms;

beforeAll(() => {
  const stack = hostStack();
  alarms = new GuichetAlarms(stack, 'Alarms');
  const metric = (metricName: string) =>
    new cloudwatch.Metric({ namespace: 'Test', metricName, statistic: cloudwatch.Stats.SUM });
  alarms.addThresholdAlarm('First', { metric: metric('A'), threshold: 3, description: 'first' });
  alarms.addThresholdAlarm('Second', { metric: metric('B'), threshold: 9, description: 'second' });
  template = Template.fromStack(stack);
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

test('has no action: operators subscribe to it', () => {
  template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
});

test('keeps each alarm by id and outputs its name as <id>AlarmName', () => {
  expect(Object.keys(alarms.alarms)).toEqual(['First', 'Second']);
  const outputs = template.toJSON().Outputs;
  expect(outputs.FirstAlarmName.Value).toEqual({ Ref: logicalId(alarms.alarms.First) });
  expect(outputs.SecondAlarmName.Value).toEqual({ Ref: logicalId(alarms.alarms.Second) });
});
