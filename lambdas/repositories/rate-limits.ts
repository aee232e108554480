import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable } from '../shared/dynamo';

/** Fixed-window counters: one item per (purpose, client address, window), expiring with its window. */
const TABLE = grantedTable('rateLimits');

export async function readCounter(id: string): Promise<number> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return (result.Item?.count as number | undefined) ?? 0;
}

/** Adds one atomically (concurrent increments never lose a count) and returns the new value. */
export async function incrementCounter(id: string, expiresAt: number): Promise<number> {
  const result = await documentClient.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: { id },
      UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return result.Attributes?.count as number;
}
