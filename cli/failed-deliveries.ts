import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { FailedLogoutDelivery, LogoutDelivery } from '../lambdas/repositories/logout-deliveries';
import { queueUrlOutputKey } from '../lib/naming';
import { serviceClientConfig, stackOutput, type Target } from './stack';

/**
 * The failed downstream logout deliveries, as the failed-deliveries queue (the dead-letter queue) keeps them. SQS
 * has no way to list a queue: its messages are received (hidden for a while) and made visible again at once, as
 * the SQS console's "poll for messages" does. A redrive sends a delivery back to the delivery queue with a new
 * age limit (LOGOUT_DELIVERY_MAX_AGE_SECONDS from the redrive), then removes it from the failed ones.
 */
export interface FailedDelivery {
  readonly messageId: string;
  /** Set when the message is a delivery guichet kept as failed; SQS's own redrive (the backstop) keeps the body as it was. */
  readonly delivery?: FailedLogoutDelivery | LogoutDelivery;
  readonly body: string;
}

/** Long enough to read the whole queue before any message shows again. */
const HIDDEN_WHILE_LISTING_SECONDS = 30;
/** More than an operator reads; a larger backlog is the alarm's business, and `redrive --all` can be run again. */
const MAX_LISTED = 1000;

export class FailedDeliveries {
  private constructor(
    private readonly client: SQSClient,
    private readonly failedQueueUrl: string,
    private readonly deliveriesQueueUrl: string,
  ) {}

  static async open(target: Target): Promise<FailedDeliveries> {
    const [failed, deliveries] = await Promise.all([
      stackOutput(target, queueUrlOutputKey('failedLogoutDeliveries')),
      stackOutput(target, queueUrlOutputKey('logoutDeliveries')),
    ]);
    return new FailedDeliveries(new SQSClient(serviceClientConfig(target, 'sqs')), failed, deliveries);
  }

  /** Every failed delivery, oldest first as SQS returns them, left in the queue. */
  async list(): Promise<FailedDelivery[]> {
    const messages = await this.receiveAll();
    await this.showAgain(messages);
    return messages.map(failedDelivery);
  }

  /** Sends back the deliveries named (or all): returns the ids redriven, and those not found. */
  async redrive(
    messageIds: readonly string[] | 'all',
    now = Math.floor(Date.now() / 1000),
  ): Promise<{ redriven: string[]; notFound: string[] }> {
    const messages = await this.receiveAll();
    const chosen = messages.filter((message) => messageIds === 'all' || messageIds.includes(message.MessageId!));
    await this.showAgain(messages.filter((message) => !chosen.includes(message)));
    const redriven: string[] = [];
    for (const message of chosen) {
      const { delivery } = failedDelivery(message);
      if (!delivery) continue;
      const { audience, sub, sid, endedAt } = delivery;
      const resent: LogoutDelivery = { audience, sub, sid, endedAt, redrivenAt: now };
      await this.client.send(new SendMessageCommand({ QueueUrl: this.deliveriesQueueUrl, MessageBody: JSON.stringify(resent) }));
      await this.client.send(new DeleteMessageCommand({ QueueUrl: this.failedQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      redriven.push(message.MessageId!);
    }
    const found = new Set(messages.map((message) => message.MessageId));
    return { redriven, notFound: messageIds === 'all' ? [] : messageIds.filter((id) => !found.has(id)) };
  }

  close(): void {
    this.client.destroy();
  }

  private async receiveAll(): Promise<Message[]> {
    const messages: Message[] = [];
    while (messages.length < MAX_LISTED) {
      const { Messages: batch = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.failedQueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HIDDEN_WHILE_LISTING_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      if (batch.length === 0) break;
      messages.push(...batch.filter((message) => !messages.some((seen) => seen.MessageId === message.MessageId)));
    }
    return messages;
  }

  private async showAgain(messages: readonly Message[]): Promise<void> {
    for (const message of messages) {
      await this.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.failedQueueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }),
      );
    }
  }
}

function failedDelivery(message: Message): FailedDelivery {
  const body = message.Body ?? '';
  let delivery: FailedDelivery['delivery'];
  try {
    const parsed = JSON.parse(body) as Partial<FailedLogoutDelivery>;
    if (typeof parsed.audience === 'string' && typeof parsed.sid === 'string' && typeof parsed.endedAt === 'number')
      delivery = parsed as FailedLogoutDelivery;
  } catch {
    delivery = undefined;
  }
  return { messageId: message.MessageId!, delivery, body };
}
