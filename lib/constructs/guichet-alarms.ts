import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

export interface ThresholdAlarmOptions {
  /** Its statistic and period are the alarm's: one period at or above the threshold raises it. */
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
}

/**
 * guichet's alarms; features add theirs with `addThresholdAlarm`. They carry no action: operators subscribe
 * a topic to them (`alarm.addAlarmAction`, or outside the stack through the alarm names output).
 */
export class GuichetAlarms extends Construct {
  private readonly byId: Record<string, cloudwatch.Alarm> = {};

  /** By the id given to `addThresholdAlarm`. */
  get alarms(): Readonly<Record<string, cloudwatch.Alarm>> {
    return this.byId;
  }

  /**
   * Raised when one period of the metric reaches the threshold. No data means no traffic, not trouble, so it
   * does not breach. The name is output as `<id>AlarmName`, at stack level so that key stays readable.
   */
  addThresholdAlarm(id: string, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    this.byId[id] = alarm;
    new CfnOutput(Stack.of(this), `${id}AlarmName`, { value: alarm.alarmName, description: options.description });
    return alarm;
  }
}
