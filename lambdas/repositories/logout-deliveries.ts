import { ChangeMessageVisibilityCommand, DeleteMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { grantedQueue, sqsClient } from '../shared/sqs';

/**
 * One downstream back-channel logout to deliver, the body of one message of the delivery queue. The endpoint is
 * not in it: it is read from API_AUDIENCES when delivering, so that an operator's correction applies to a redrive.
 */
export interface LogoutDelivery {
  readonly audience: string;
  readonly sub: string;
  /** The session's public id, the `sid` of its user tokens and of the logout token. */
  readonly sid: string;
  /** When the session ended (epoch seconds): deliveries are retried for LOGOUT_DELIVERY_MAX_AGE_SECONDS from then. */
  readonly endedAt: number;
  /** When an operator last sent it back from the failed deliveries: the retries start again from then. */
  readonly redrivenAt?: number;
}

/** A delivery that ended as failed, as the failed-deliveries queue keeps it for the operator. */
export interface FailedLogoutDelivery extends LogoutDelivery {
  readonly failure: {
    readonly reason: string;
    /** The endpoint's answer, when it gave one. */
    readonly status?: number;
    readonly at: number;
    readonly attempts: number;
  };
}

const DELIVERIES = grantedQueue('logoutDeliveries');
const FAILED = grantedQueue('failedLogoutDeliveries');
/** SQS takes at most ten messages in one batch. */
const BATCH_SIZE = 10;

/** Queues the deliveries; true only when SQS accepted every one of them. */
export async function queueLogoutDeliveries(deliveries: readonly LogoutDelivery[]): Promise<boolean> {
  let accepted = true;
  for (let start = 0; start < deliveries.length; start += BATCH_SIZE) {
    const batch = deliveries.slice(start, start + BATCH_SIZE);
    const result = await sqsClient.send(
      new SendMessageBatchCommand({
        QueueUrl: DELIVERIES(),
        Entries: batch.map((delivery, index) => ({ Id: String(index), MessageBody: JSON.stringify(delivery) })),
      }),
    );
    if ((result.Failed ?? []).length > 0) accepted = false;
  }
  return accepted;
}

/** Done with a message of the delivery queue (delivered, or kept as failed): it is not received again. */
export async function deleteLogoutDelivery(receiptHandle: string): Promise<void> {
  await sqsClient.send(new DeleteMessageCommand({ QueueUrl: DELIVERIES(), ReceiptHandle: receiptHandle }));
}

/** The message is received again in `seconds`, for the next attempt. */
export async function retryLogoutDeliveryIn(receiptHandle: string, seconds: number): Promise<void> {
  await sqsClient.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: DELIVERIES(), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
  );
}

export async function keepFailedLogoutDelivery(failed: FailedLogoutDelivery): Promise<void> {
  await sqsClient.send(new SendMessageCommand({ QueueUrl: FAILED(), MessageBody: JSON.stringify(failed) }));
}
