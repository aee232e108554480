import { grantedTable, updateIf } from '../shared/dynamo';

/** Fixed-window counters: one item per (purpose, client address, window), expiring with its window. */
const TABLE = grantedTable('rateLimits');

/**
 * Takes one unit of a counter if it has one left, in one conditional update that increments and decides:
 * under any concurrency, no more than `limit` callers ever get one. False when the counter is spent.
 */
export function takeUnit(id: string, limit: number, expiresAt: number): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
    ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': expiresAt },
  });
}

/** Gives a unit back (a request that turned out not to be a guess); nothing when the window's counter is gone. */
export async function returnUnit(id: string): Promise<void> {
  await updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'ADD #count :minusOne',
    ConditionExpression: 'attribute_exists(#count)',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':minusOne': -1 },
  });
}
