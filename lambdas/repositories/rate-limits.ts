import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure } from '../shared/dynamo';

/** Fixed-window counters: one item per (purpose, client address, window), expiring with its window. */
const TABLE = grantedTable('rateLimits');

/**
 * Takes one unit of a counter if it has one left, in one conditional update that increments and decides:
 * under any concurrency, no more than `limit` callers ever get one. False when the counter is spent.
 */
export async function takeUnit(id: string, limit: number, expiresAt: number): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id },
        UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': expiresAt },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives a unit back (a request that turned out not to be a guess). */
export async function returnUnit(id: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: { id },
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: 'attribute_exists(#count)',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':minusOne': -1 },
    }),
  ).catch((error: unknown) => {
    // The window ended and its counter was removed meanwhile: nothing to give back.
    if (!isConditionFailure(error)) throw error;
  });
}
