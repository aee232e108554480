import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, tableName } from '../shared/dynamo';

/** A native app's one-time exchange code, keyed by the SHA-256 of the code. */
export interface ExchangeCodeRecord {
  readonly id: string;
  /** The session it hands over (the SHA-256 of the session token). */
  readonly sessionId: string;
  /** The session token, sealed under a key derived from the code itself. */
  readonly sealedSessionToken: string;
  /** The app's PKCE S256 challenge: only the holder of the verifier may redeem the code. */
  readonly codeChallenge: string;
  readonly expiresAt: number;
}

const TABLE = tableName('exchangeCodes');

export async function saveExchangeCode(record: ExchangeCodeRecord): Promise<void> {
  await documentClient.send(
    new PutCommand({ TableName: TABLE, Item: record, ConditionExpression: 'attribute_not_exists(id)' }),
  );
}

/** Removes the code and returns it, in one conditional delete: exactly one caller ever gets it. */
export async function takeExchangeCode(id: string): Promise<ExchangeCodeRecord | undefined> {
  try {
    const result = await documentClient.send(
      new DeleteCommand({ TableName: TABLE, Key: { id }, ConditionExpression: 'attribute_exists(id)', ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes as ExchangeCodeRecord | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
