import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure } from '../shared/dynamo';

/** The ids of the client assertions accepted, keyed by the SHA-256 of (client id, jti), kept until the assertion is dead. */
const TABLE = grantedTable('clientAssertionJtis');

/**
 * Records an assertion's jti in one conditional write: false if it is recorded and not yet dead (a replay). An
 * item past its `expiresAt` counts as gone, as DynamoDB's TTL deletion may lag.
 */
export async function recordAssertionJti(id: string, expiresAt: number, now: number): Promise<boolean> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: TABLE(),
        Item: { id, expiresAt },
        ConditionExpression: 'attribute_not_exists(id) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
