import { DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalAwsAccount } from './aws/calls';
import type { RolePolicy } from './iam';
import type { IntrinsicResolver } from './intrinsics';
import type { LocalFunction } from './lambda/local-function';
import { resourcesOfType, type StackTemplate } from './stack-template';

/**
 * The template's SQS event source mappings, run as Lambda's SQS poller runs them: pollers long-poll the queue with
 * the function's own role (so its grants are what the poller needs), gather a batch of up to `BatchSize` messages
 * within `MaximumBatchingWindowInSeconds`, and invoke the function through LocalFunction.invoke with the SQS event
 * Lambda builds. On success the batch's messages are deleted, but, with `ReportBatchItemFailures`, those the
 * function reports (a malformed report fails the whole batch, as on Lambda); on an error or a timeout none is: they
 * are received again once their visibility timeout is over. Anything the poller would do that local mode cannot
 * (another event source, filters) fails the start.
 */
export interface LocalEventSourceMapping {
  readonly mappingId: string;
  readonly queueArn: string;
  readonly functionId: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
}

export interface LocalEventSourceMappings {
  readonly mappings: readonly LocalEventSourceMapping[];
  stop(): Promise<void>;
}

interface MappingProperties {
  readonly EventSourceArn?: string;
  readonly FunctionName: string;
  readonly BatchSize?: number;
  readonly MaximumBatchingWindowInSeconds?: number;
  readonly FunctionResponseTypes?: readonly string[];
  readonly Enabled?: boolean;
  readonly FilterCriteria?: unknown;
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number };
}

/** Lambda's SQS poller starts with five concurrent batches. */
const POLLERS = 5;
const DEFAULT_BATCH_SIZE = 10;
const LONG_POLL_SECONDS = 20;
const RETRY_AFTER_POLL_FAILURE_MS = 1000;

export interface EventSourceContext {
  readonly account: LocalAwsAccount;
  readonly policies: ReadonlyMap<string, RolePolicy>;
  readonly functions: readonly LocalFunction[];
  readonly sqsEndpoint: string;
}

export async function startEventSourceMappings(
  template: StackTemplate,
  resolver: IntrinsicResolver,
  context: EventSourceContext,
): Promise<LocalEventSourceMappings> {
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];
  const clients: SQSClient[] = [];
  const mappings: LocalEventSourceMapping[] = [];
  for (const [mappingId, resource] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
    const properties = resolver.resolve(resource.Properties, mappingId) as MappingProperties;
    if (properties.Enabled === false) continue;
    if (!properties.EventSourceArn?.startsWith('arn:aws:sqs:'))
      throw new Error(`event source mapping ${mappingId}: local mode polls SQS queues only`);
    if (properties.FilterCriteria !== undefined) throw new Error(`event source mapping ${mappingId}: local mode applies no FilterCriteria`);
    const target = context.functions.find(({ definition }) => [definition.name, definition.arn].includes(properties.FunctionName));
    if (!target) throw new Error(`event source mapping ${mappingId}: no local function ${properties.FunctionName}`);
    const mapping: LocalEventSourceMapping = {
      mappingId,
      queueArn: properties.EventSourceArn,
      functionId: target.definition.logicalId,
      batchSize: properties.BatchSize ?? DEFAULT_BATCH_SIZE,
      batchingWindowSeconds: properties.MaximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures: properties.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    };
    const queueUrl = queueUrlOf(mapping.queueArn, context.sqsEndpoint);
    const client = new SQSClient({
      region: context.account.region,
      endpoint: context.sqsEndpoint,
      credentials: poller(context, target),
    });
    clients.push(client);
    // As Lambda checks the queue when the mapping is created, with the function's role.
    await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }));
    mappings.push(mapping);
    const pollers = Math.min(POLLERS, properties.ScalingConfig?.MaximumConcurrency ?? POLLERS);
    for (let index = 0; index < pollers; index += 1) loops.push(poll(mapping, queueUrl, client, target, stopping.signal));
  }
  return {
    mappings,
    stop: async () => {
      stopping.abort();
      await Promise.all(loops);
      for (const client of clients) client.destroy();
    },
  };
}

function poller(context: EventSourceContext, target: LocalFunction) {
  const policy = context.policies.get(target.definition.roleId);
  if (!policy) throw new Error(`function ${target.definition.logicalId}: its role is not in the template`);
  const credentials = context.account.credentialsFor({ functionId: target.definition.logicalId, policy });
  return {
    accessKeyId: credentials.AWS_ACCESS_KEY_ID,
    secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
    sessionToken: credentials.AWS_SESSION_TOKEN,
  };
}

/** A queue's URL from its ARN, as SQS names them: the account, then the name. */
function queueUrlOf(arn: string, endpoint: string): string {
  const [, , , , accountId, name] = arn.split(':');
  return `${endpoint}/${accountId}/${name}`;
}

async function poll(
  mapping: LocalEventSourceMapping,
  queueUrl: string,
  client: SQSClient,
  target: LocalFunction,
  stop: AbortSignal,
): Promise<void> {
  while (!stop.aborted) {
    try {
      const batch = await receiveBatch(mapping, queueUrl, client, stop);
      if (batch.length === 0) continue;
      const invocation = await target.invoke(sqsEvent(mapping, batch));
      const done = invocation.outcome === 'result' ? succeeded(mapping, batch, invocation.payload) : [];
      for (let start = 0; start < done.length; start += 10) {
        const entries = done
          .slice(start, start + 10)
          .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! }));
        await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    } catch (error) {
      if (stop.aborted) return;
      process.stderr.write(`[guichet local] event source mapping ${mapping.mappingId}: ${(error as Error).message}\n`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_POLL_FAILURE_MS));
    }
  }
}

/** One long poll, then more messages until the batch is full or its batching window is over. */
async function receiveBatch(mapping: LocalEventSourceMapping, queueUrl: string, client: SQSClient, stop: AbortSignal): Promise<Message[]> {
  const receive = async (max: number, waitSeconds: number) =>
    (
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(max, 10),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: stop },
      )
    ).Messages ?? [];
  const batch = await receive(mapping.batchSize, LONG_POLL_SECONDS);
  if (batch.length === 0) return batch;
  const windowEnds = Date.now() + mapping.batchingWindowSeconds * 1000;
  while (batch.length < mapping.batchSize && Date.now() < windowEnds) {
    batch.push(...(await receive(mapping.batchSize - batch.length, Math.max(1, Math.ceil((windowEnds - Date.now()) / 1000)))));
  }
  return batch;
}

/** The messages of a successful invocation to delete: all, or all but the reported failures. */
function succeeded(mapping: LocalEventSourceMapping, batch: readonly Message[], payload: unknown): Message[] {
  if (!mapping.reportBatchItemFailures) return [...batch];
  const failures = (payload as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return [...batch];
  const ids = new Set(batch.map((message) => message.MessageId));
  const reported = Array.isArray(failures)
    ? failures.map((failure) => (failure as { itemIdentifier?: unknown })?.itemIdentifier)
    : [undefined];
  // Lambda treats a report it cannot read (an empty or unknown identifier) as the failure of the whole batch.
  if (reported.some((id) => typeof id !== 'string' || !ids.has(id))) return [];
  return batch.filter((message) => !reported.includes(message.MessageId));
}

/** The event Lambda hands a function for a batch of SQS messages. */
function sqsEvent(mapping: LocalEventSourceMapping, batch: readonly Message[]) {
  const [, , , region] = mapping.queueArn.split(':');
  return {
    Records: batch.map((message) => ({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: message.Attributes ?? {},
      messageAttributes: {},
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: mapping.queueArn,
      awsRegion: region,
    })),
  };
}
