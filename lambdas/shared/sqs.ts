import { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, type QueueName } from '../queues';
import { traced } from './tracing';

/** One client per Lambda container; an SQS that does not answer in time fails the call, not the Lambda's timeout. */
export const sqsClient = traced(new SQSClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }), 'SQS');

/** The URL of a queue this Lambda was granted, read on first use, as `grantedTable` reads a table's name. */
export function grantedQueue(queue: QueueName): () => string {
  let url: string | undefined;
  return () => {
    if (url) return url;
    const { urlEnvVar } = QUEUES[queue];
    url = process.env[urlEnvVar];
    if (!url) throw new Error(`${urlEnvVar} is not set: this function is not granted the ${queue} queue`);
    return url;
  };
}
