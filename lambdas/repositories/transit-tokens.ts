import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure, putNewItem } from '../shared/dynamo';

/** The add-in's transit token, keyed by its SHA-256: it only ever travels through the login dialog. */
export interface TransitTokenRecord {
  readonly id: string;
  /** The add-in session it completes (the SHA-256 of the session id). */
  readonly addinSessionId: string;
  readonly state: 'pending' | 'consumed';
  readonly addinName?: string;
  readonly expiresAt: number;
}

const TABLE = grantedTable('transitTokens');

export const saveTransitToken = (record: TransitTokenRecord): Promise<void> => putNewItem(TABLE, record);

export async function findTransitToken(id: string): Promise<TransitTokenRecord | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return Item as TransitTokenRecord | undefined;
}

export type Consumption =
  | { readonly outcome: 'consumed'; readonly record: TransitTokenRecord }
  | { readonly outcome: 'replayed'; readonly record: TransitTokenRecord }
  | { readonly outcome: 'expired' | 'unknown' };

/**
 * Moves the token from pending to consumed in one conditional write that also enforces expiry: of any
 * number of concurrent exchanges, exactly one consumes it. A loser learns whether it was a replay.
 */
export async function consumeTransitToken(id: string, now: number): Promise<Consumption> {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id },
        UpdateExpression: 'SET #state = :consumed',
        ConditionExpression: '#state = :pending AND expiresAt > :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':consumed': 'consumed', ':pending': 'pending', ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { outcome: 'consumed', record: result.Attributes as TransitTokenRecord };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const record = await findTransitToken(id);
  if (!record) return { outcome: 'unknown' };
  return record.state === 'consumed' ? { outcome: 'replayed', record } : { outcome: 'expired' };
}
