import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '../../lambdas/queues';
import { LOGOUT_DELIVERY_WORKER, LOGOUT_OUTBOX_SWEEPER, type WorkerDefinition } from '../../lambdas/routes';
import { type GrantableResources, GuichetFunction } from './guichet-function';

/** What SQS keeps a message at most: a failed delivery waits that long for the operator, a pending one as long. */
const RETENTION = Duration.days(14);
/**
 * Lambda's advice for a queue it consumes: six times the function's timeout, so that a batch it retries after a
 * throttle is not shown again meanwhile. A crashed batch is received again that long after it was received.
 */
export const DELIVERY_VISIBILITY_TIMEOUT = Duration.seconds(6 * LOGOUT_DELIVERY_WORKER.timeoutSeconds);
/**
 * Receives after which SQS itself moves a message to the failed deliveries: a backstop only, for a delivery function
 * that cannot run at all. The function fails deliveries itself, at LOGOUT_DELIVERY_MAX_AGE_SECONDS (with backoff
 * capped at 15 minutes, a day of retries is about 110 receives, a week about 700).
 */
export const DELIVERY_MAX_RECEIVE_COUNT = 1000;
export const DELIVERY_BATCH_SIZE = 10;
export const OUTBOX_SWEEP_RATE = Duration.minutes(1);

export interface DownstreamLogoutProps {
  readonly tables: GrantableResources['tables'];
  readonly secrets: GrantableResources['secrets'];
  /** The variables every guichet Lambda shares: the deliveries read API_AUDIENCES and their age limit from them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Logout carried to the product backends: the queue of deliveries (one message per ended session and audience to
 * tell) and its dead-letter queue of failed deliveries, both encrypted and TLS-only; the delivery function, fed by
 * an SQS event source mapping with partial batch responses; and the sweeper that queues what an ended session's
 * own function could not, every minute.
 */
export class DownstreamLogout extends Construct {
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly delivery: GuichetFunction;
  readonly deliveryMapping: lambda.EventSourceMapping;
  readonly sweeper: GuichetFunction;
  readonly sweepSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: DownstreamLogoutProps) {
    super(scope, id);
    const failed = new sqs.Queue(this, 'FailedDeliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    });
    const deliveries = new sqs.Queue(this, 'Deliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
      visibilityTimeout: DELIVERY_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: failed, maxReceiveCount: DELIVERY_MAX_RECEIVE_COUNT },
    });
    this.queues = { logoutDeliveries: deliveries, failedLogoutDeliveries: failed };
    const resources = { tables: props.tables, secrets: props.secrets, queues: this.queues };

    const worker = (id: string, definition: WorkerDefinition) => {
      const fn = new GuichetFunction(this, id, {
        entry: definition.entry,
        environment: props.environment,
        logRetention: props.logRetention,
        timeoutSeconds: definition.timeoutSeconds,
      });
      fn.useGrants(definition, resources);
      return fn;
    };

    this.delivery = worker('Delivery', LOGOUT_DELIVERY_WORKER);
    // Not SqsEventSource: it would also grant GetQueueUrl, which nothing calls; the role has what the poller uses.
    this.deliveryMapping = new lambda.EventSourceMapping(this, 'DeliveryMapping', {
      target: this.delivery.function,
      eventSourceArn: deliveries.queueArn,
      batchSize: DELIVERY_BATCH_SIZE,
      reportBatchItemFailures: true,
    });
    // The mapping checks its role's permissions when it is created.
    this.deliveryMapping.node.addDependency(this.delivery.role);

    this.sweeper = worker('OutboxSweeper', LOGOUT_OUTBOX_SWEEPER);
    this.sweepSchedule = new events.Rule(this, 'SweepSchedule', {
      description: 'Queues the downstream logout deliveries an ended session could not queue itself',
      schedule: events.Schedule.rate(OUTBOX_SWEEP_RATE),
      targets: [new targets.LambdaFunction(this.sweeper.function)],
    });
  }
}
