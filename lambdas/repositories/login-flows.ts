import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, tableName } from '../shared/dynamo';
import type { LoginFlow } from '../shared/metric-names';

/** A login in progress at the IdP, keyed by the SHA-256 of its `state`. */
export interface LoginFlowRecord {
  readonly id: string;
  readonly flow: LoginFlow;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
  /** Native logins: the app's PKCE challenge and its own state, echoed back with the exchange code. */
  readonly appCodeChallenge?: string;
  readonly appState?: string;
  readonly expiresAt: number;
}

const TABLE = tableName('loginFlows');

export async function saveLoginFlow(record: LoginFlowRecord): Promise<void> {
  await documentClient.send(
    new PutCommand({ TableName: TABLE, Item: record, ConditionExpression: 'attribute_not_exists(id)' }),
  );
}

/**
 * Removes the flow and returns it, in one conditional delete: of two callbacks with the same state,
 * exactly one gets the flow. Expiry is the caller's to check.
 */
export async function takeLoginFlow(id: string): Promise<LoginFlowRecord | undefined> {
  try {
    const result = await documentClient.send(
      new DeleteCommand({
        TableName: TABLE,
        Key: { id },
        ConditionExpression: 'attribute_exists(id)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes as LoginFlowRecord | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
