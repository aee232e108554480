import { logger } from './observability';

/** A CloudFormation custom resource request (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html). */
export interface CustomResourceEvent<Properties> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Properties;
}

export interface CustomResourceAnswer {
  /** The resource's id when CloudFormation gave none yet (Create). */
  readonly physicalResourceId: string;
  /** What a SUCCESS reports. */
  readonly done: string;
  /** What Create and Update do; Delete leaves what it made to the deletion of the resources it filled. */
  work(): Promise<void>;
}

/**
 * Does the resource's work, then reports to CloudFormation through the pre-signed response URL, as every custom
 * resource must, failure included: a function that fails without answering leaves the deploy waiting an hour.
 */
export async function answerCustomResource<Properties>(
  event: CustomResourceEvent<Properties>,
  answer: CustomResourceAnswer,
): Promise<void> {
  let failure: string | undefined;
  try {
    if (event.RequestType !== 'Delete') await answer.work();
  } catch (error) {
    logger.error('custom resource failed', { resource: event.LogicalResourceId, error: error as Error });
    failure = (error as Error).message;
  }
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    // A pre-signed S3 URL: the signature covers an empty content type.
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: failure === undefined ? 'SUCCESS' : 'FAILED',
      Reason: failure ?? answer.done,
      PhysicalResourceId: event.PhysicalResourceId ?? answer.physicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation's response URL answered ${response.status}`);
}
