/**
 * The SQS queues, defined once like the tables: the CDK stack creates them, local mode runs the same queues in
 * its SQS stand-in, and a function granted a queue receives its URL in `urlEnvVar`.
 */
export interface QueueDefinition {
  readonly urlEnvVar: string;
}

/** The SQS actions guichet's code performs; the batch operations are authorized by these same actions. */
export type QueueAction = 'SendMessage' | 'ReceiveMessage' | 'DeleteMessage' | 'ChangeMessageVisibility' | 'GetQueueAttributes';

export const QUEUES = {
  /** One message per downstream back-channel logout to deliver: a session that ended, and one audience to tell. */
  logoutDeliveries: { urlEnvVar: 'LOGOUT_DELIVERY_QUEUE_URL' },
  /** The deliveries that failed (a 4xx, or retried too long): kept for the operator, who may redrive them. */
  failedLogoutDeliveries: { urlEnvVar: 'FAILED_LOGOUT_DELIVERY_QUEUE_URL' },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof QUEUES;

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
