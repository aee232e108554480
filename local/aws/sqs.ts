import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { IntrinsicResolver } from '../intrinsics';
import { resourcesOfType, type StackTemplate } from '../stack-template';
import { AwsServiceError, type LocalAwsAccount, readBody } from './calls';

/**
 * The local SQS: the template's queues, spoken in SQS's own wire protocol (AWS JSON 1.0, `X-Amz-Target:
 * AmazonSQS.<Operation>`, the protocol of @aws-sdk/client-sqs since 2023), so that the real SDK client talks to it
 * through `AWS_ENDPOINT_URL_SQS`. No SQS engine runs on Node alone; this is the stand-in, kept to what guichet,
 * Lambda's SQS poller and the operator CLI call: SendMessage(Batch), ReceiveMessage (long polling, the receive
 * count and system attributes), DeleteMessage(Batch), ChangeMessageVisibility(Batch) and GetQueueAttributes. It
 * keeps what those rely on: visibility timeouts, queue and message delays, the redrive policy (a message received
 * `maxReceiveCount` times goes to the dead-letter queue on its next receive), the retention period, and the
 * MD5 of each body that the SDK checks. Queue policies (resource policies) are not evaluated: the only one the
 * stack sets refuses plain HTTP, which every local endpoint is; each caller's identity policy is, as on the other
 * local APIs. Messages live in memory, like the local tables.
 */
export interface LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  readonly messages: LocalMessage[];
}

export interface LocalMessage {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

interface QueueProperties {
  readonly QueueName?: string;
  readonly VisibilityTimeout?: number;
  readonly MessageRetentionPeriod?: number;
  readonly DelaySeconds?: number;
  readonly RedrivePolicy?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  readonly FifoQueue?: boolean;
}

/** SQS's own defaults when the template says nothing. */
const DEFAULTS = { VisibilityTimeout: 30, MessageRetentionPeriod: 345_600, DelaySeconds: 0 };
const MAX_VISIBILITY_SECONDS = 43_200;
const LONG_POLL_CHECK_MS = 50;
const ERROR_TYPE_PREFIX = 'com.amazonaws.sqs#';
/** The batch operations IAM authorizes as their single counterpart. */
const IAM_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

type Input = Record<string, unknown>;

export class LocalSqs {
  private readonly queues = new Map<string, LocalQueue>();
  private endpoint = '';

  constructor(private readonly account: LocalAwsAccount) {}

  /** Starts answering; queues are created once the endpoint (their URLs' origin) is known. */
  listen(): Server {
    return createServer((request, response) => {
      readBody(request)
        .then(async (body) => {
          const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
          const input = JSON.parse(body.toString('utf8') || '{}') as Input;
          const queue = this.queueByUrl(input.QueueUrl);
          await this.account.authorize(request, 'sqs', operation, [queue.arn], {
            iamAction: IAM_ACTIONS[operation] ?? operation,
            response,
          });
          send(response, 200, await this.operation(operation, queue, input, response));
        })
        .catch((error: unknown) => {
          const failure = error instanceof AwsServiceError ? error : new AwsServiceError('InternalError', String(error), 500);
          send(response, failure.status, { __type: `${ERROR_TYPE_PREFIX}${failure.type}`, message: failure.message });
        });
    });
  }

  /** Creates the template's queues under this endpoint and defines what `Ref` (the URL) and `Fn::GetAtt` return. */
  createFromTemplate(template: StackTemplate, resolver: IntrinsicResolver, endpoint: string): void {
    this.endpoint = endpoint;
    const declared = resourcesOfType(template, 'AWS::SQS::Queue');
    // A queue's redrive policy names its dead-letter queue's ARN: queues without one first.
    const ordered = [...declared].sort(
      ([, a], [, b]) => Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
    );
    for (const [logicalId, resource] of ordered) {
      const properties = resolver.resolve(resource.Properties ?? {}, logicalId) as QueueProperties;
      if (properties.FifoQueue) throw new Error(`queue ${logicalId}: local mode runs standard queues only`);
      const name = properties.QueueName ?? `${template.stackName}-${logicalId}`.slice(0, 80);
      const queue = this.createQueue(name, properties);
      resolver.define(logicalId, { ref: queue.url, attributes: { Arn: queue.arn, QueueName: queue.name, QueueUrl: queue.url } });
    }
  }

  /** A queue of these properties (the template's names), its URL under `endpoint`, where this stand-in listens. */
  createQueue(name: string, properties: QueueProperties = {}, endpoint = this.endpoint): LocalQueue {
    const queue: LocalQueue = {
      name,
      arn: `arn:aws:sqs:${this.account.region}:${this.account.accountId}:${name}`,
      url: `${endpoint}/${this.account.accountId}/${name}`,
      visibilityTimeoutSeconds: properties.VisibilityTimeout ?? DEFAULTS.VisibilityTimeout,
      retentionSeconds: properties.MessageRetentionPeriod ?? DEFAULTS.MessageRetentionPeriod,
      delaySeconds: properties.DelaySeconds ?? DEFAULTS.DelaySeconds,
      redrive: properties.RedrivePolicy,
      messages: [],
    };
    if (queue.redrive && !this.queueByArn(queue.redrive.deadLetterTargetArn)) {
      throw new Error(`queue ${name}: its dead-letter queue ${queue.redrive.deadLetterTargetArn} is not a queue of the template`);
    }
    this.queues.set(queue.url, queue);
    return queue;
  }

  /** A queue by its ARN, for tests and the event source mappings. */
  queueByArn(arn: string): LocalQueue | undefined {
    return [...this.queues.values()].find((queue) => queue.arn === arn);
  }

  private queueByUrl(url: unknown): LocalQueue {
    const queue = typeof url === 'string' ? this.queues.get(url) : undefined;
    if (!queue) throw new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  private async operation(operation: string, queue: LocalQueue, input: Input, response: ServerResponse): Promise<Record<string, unknown>> {
    this.expire(queue);
    switch (operation) {
      case 'SendMessage':
        refuseMessageAttributes(input);
        return this.sendMessage(queue, input.MessageBody, input.DelaySeconds);
      case 'SendMessageBatch':
        return batch(input, (entry) => {
          refuseMessageAttributes(entry);
          return this.sendMessage(queue, entry.MessageBody, entry.DelaySeconds);
        });
      case 'ReceiveMessage':
        return this.receive(queue, input, response);
      case 'DeleteMessage':
        this.deleteMessage(queue, input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch':
        return batch(input, (entry) => {
          this.deleteMessage(queue, entry.ReceiptHandle);
          return {};
        });
      case 'ChangeMessageVisibility':
        this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      case 'ChangeMessageVisibilityBatch':
        return batch(input, (entry) => {
          this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
          return {};
        });
      case 'GetQueueAttributes':
        return { Attributes: this.attributes(queue, (input.AttributeNames as string[] | undefined) ?? []) };
      default:
        throw new AwsServiceError('InvalidAction', `local SQS does not implement ${operation}`);
    }
  }

  private sendMessage(queue: LocalQueue, body: unknown, delay: unknown): Record<string, unknown> {
    if (typeof body !== 'string' || body.length === 0)
      throw new AwsServiceError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (Buffer.byteLength(body) > 262_144) throw new AwsServiceError('InvalidParameterValue', 'The message is longer than 262144 bytes.');
    const delaySeconds = delay === undefined ? queue.delaySeconds : seconds(delay, 900, 'DelaySeconds');
    this.store(queue, { id: randomUUID(), body, sentAt: Date.now(), visibleAt: Date.now() + delaySeconds * 1000, receiveCount: 0 });
    const message = queue.messages.at(-1)!;
    return { MessageId: message.id, MD5OfMessageBody: md5(body) };
  }

  private store(queue: LocalQueue, message: LocalMessage): void {
    queue.messages.push(message);
  }

  /** A long poll ends early when its caller goes away (the response closes before it is sent). */
  private async receive(queue: LocalQueue, input: Input, response: ServerResponse): Promise<Record<string, unknown>> {
    const max = input.MaxNumberOfMessages === undefined ? 1 : seconds(input.MaxNumberOfMessages, 10, 'MaxNumberOfMessages');
    if (max < 1) throw new AwsServiceError('InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10.');
    const visibility =
      input.VisibilityTimeout === undefined
        ? queue.visibilityTimeoutSeconds
        : seconds(input.VisibilityTimeout, MAX_VISIBILITY_SECONDS, 'VisibilityTimeout');
    const waitMs = (input.WaitTimeSeconds === undefined ? 0 : seconds(input.WaitTimeSeconds, 20, 'WaitTimeSeconds')) * 1000;
    const wanted = new Set([
      ...((input.AttributeNames as string[] | undefined) ?? []),
      ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
    ]);
    const deadline = Date.now() + waitMs;
    let closed = false;
    response.once('close', () => (closed = true));
    for (;;) {
      const taken = this.take(queue, max, visibility);
      if (taken.length > 0 || Date.now() >= deadline || closed) {
        return taken.length === 0 ? {} : { Messages: taken.map((message) => received(message, wanted)) };
      }
      await new Promise((resolve) => setTimeout(resolve, LONG_POLL_CHECK_MS));
    }
  }

  /** The visible messages, oldest first, made invisible; those received too often go to the dead-letter queue. */
  private take(queue: LocalQueue, max: number, visibilitySeconds: number): LocalMessage[] {
    this.expire(queue);
    const now = Date.now();
    const taken: LocalMessage[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        // As SQS moves it: the same message, its count and its first enqueue time kept.
        this.store(this.queueByArn(queue.redrive.deadLetterTargetArn)!, { ...message, visibleAt: now, receiptHandle: undefined });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = `${message.id}#${randomBytes(24).toString('base64url')}`;
      taken.push(message);
    }
    return taken;
  }

  /** A receipt handle names one receive of one message; deleting a message already gone succeeds, as on SQS. */
  private deleteMessage(queue: LocalQueue, receiptHandle: unknown): void {
    const messageId = messageIdOf(receiptHandle);
    const index = queue.messages.findIndex((message) => message.id === messageId);
    if (index >= 0) queue.messages.splice(index, 1);
  }

  private changeVisibility(queue: LocalQueue, receiptHandle: unknown, timeout: unknown): void {
    const visibility = seconds(timeout, MAX_VISIBILITY_SECONDS, 'VisibilityTimeout');
    const messageId = messageIdOf(receiptHandle);
    const message = queue.messages.find((candidate) => candidate.id === messageId);
    if (!message || message.receiptHandle !== receiptHandle)
      throw new AwsServiceError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(receiptHandle)}" is not a valid receipt handle.`,
      );
    if (message.visibleAt <= Date.now()) throw new AwsServiceError('MessageNotInflight', 'The message referred to is not in flight.');
    message.visibleAt = Date.now() + visibility * 1000;
  }

  private attributes(queue: LocalQueue, names: readonly string[]): Record<string, string> {
    const now = Date.now();
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.messages.filter((message) => message.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(
        queue.messages.filter((message) => message.visibleAt > now && message.receiveCount > 0).length,
      ),
      ApproximateNumberOfMessagesDelayed: String(
        queue.messages.filter((message) => message.visibleAt > now && message.receiveCount === 0).length,
      ),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(queue.retentionSeconds),
      DelaySeconds: String(queue.delaySeconds),
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
      ...(queue.redrive ? { RedrivePolicy: JSON.stringify(queue.redrive) } : {}),
    };
    return names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
  }

  /** Messages older than the retention period are gone, as SQS deletes them. */
  private expire(queue: LocalQueue): void {
    const oldest = Date.now() - queue.retentionSeconds * 1000;
    for (let index = queue.messages.length - 1; index >= 0; index -= 1) {
      if (queue.messages[index].sentAt < oldest) queue.messages.splice(index, 1);
    }
  }
}

function received(message: LocalMessage, wanted: ReadonlySet<string>): Record<string, unknown> {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    SenderId: 'AIDALOCAL',
  };
  const chosen = wanted.has('All') ? attributes : Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted.has(name)));
  return {
    MessageId: message.id,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: md5(message.body),
    Body: message.body,
    ...(Object.keys(chosen).length > 0 ? { Attributes: chosen } : {}),
  };
}

/** A batch call: each entry done on its own, its failure reported in `Failed` as SQS reports it. */
function batch(input: Input, each: (entry: Input) => Record<string, unknown>): Record<string, unknown> {
  const entries = (input.Entries as Input[] | undefined) ?? [];
  if (entries.length === 0) throw new AwsServiceError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10) throw new AwsServiceError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  const successful: Record<string, unknown>[] = [];
  const failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      successful.push({ Id: entry.Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.type, Message: error.message });
    }
  }
  return { Successful: successful, Failed: failed };
}

function refuseMessageAttributes(input: Input): void {
  if (input.MessageAttributes !== undefined || input.MessageSystemAttributes !== undefined) {
    throw new AwsServiceError('InvalidParameterValue', 'local SQS does not implement message attributes');
  }
}

function seconds(value: unknown, max: number, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new AwsServiceError(
      'InvalidParameterValue',
      `Value ${String(value)} for parameter ${name} is invalid. Reason: must be between 0 and ${max}.`,
    );
  }
  return value as number;
}

function messageIdOf(receiptHandle: unknown): string {
  if (typeof receiptHandle !== 'string' || !receiptHandle.includes('#')) {
    throw new AwsServiceError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${String(receiptHandle)}" is not a valid receipt handle.`,
    );
  }
  return receiptHandle.slice(0, receiptHandle.indexOf('#'));
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(body));
}
