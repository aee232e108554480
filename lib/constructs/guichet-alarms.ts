import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface ThresholdAlarmOptions {
  /** Its statistic and period are the alarm's. */
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
  /** Consecutive periods at or above the threshold that raise it. @default 1 */
  readonly periods?: number;
}

export interface GuichetAlarmsProps {
  /** Subscribed to a topic every alarm notifies; unset, the alarms carry no action. */
  readonly alarmEmail?: string;
}

/**
 * guichet's alarms; features add theirs with `addThresholdAlarm`. With `alarmEmail`, each one notifies the
 * topic; operators may also subscribe to the topic, or to the alarms through their names output.
 */
export class GuichetAlarms extends Construct {
  /** Notified by every alarm, when `alarmEmail` is set. */
  readonly topic?: sns.Topic;
  private readonly byId: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: GuichetAlarmsProps = {}) {
    super(scope, id);
    if (props.alarmEmail) this.topic = this.createTopic(props.alarmEmail);
  }

  /** By the id given to `addThresholdAlarm`. */
  get alarms(): Readonly<Record<string, cloudwatch.Alarm>> {
    return this.byId;
  }

  /**
   * Raised when the metric reaches the threshold in `periods` consecutive periods (one by default). No data means
   * no traffic, not trouble, so it does not breach. The name is output as `<id>AlarmName`, at stack level so that key stays readable.
   */
  addThresholdAlarm(id: string, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.periods ?? 1,
      datapointsToAlarm: options.periods ?? 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    if (this.topic) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.byId[id] = alarm;
    new CfnOutput(Stack.of(this), `${id}AlarmName`, { value: alarm.alarmName, description: options.description });
    return alarm;
  }

  /** Encrypted, HTTPS only, and publishable by this account's alarms alone. */
  private createTopic(email: string): sns.Topic {
    // A customer managed key: the AWS managed SNS key cannot let CloudWatch encrypt what it publishes.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the notifications of the guichet alarms',
      enableKeyRotation: true,
      // Encrypts messages in transit only: nothing left to decrypt once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const topic = new sns.Topic(this, 'Topic', { displayName: 'guichet alarms', masterKey: key, enforceSSL: true });
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const { account, partition, region } = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy, "*" is the key itself.
        resources: ['*'],
      }),
    );
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
      value: topic.topicArn,
      description: 'Notified by every guichet alarm; the e-mail subscription must be confirmed',
    });
    return topic;
  }
}
