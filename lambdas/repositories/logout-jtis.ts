import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure, putNewItem } from '../shared/dynamo';

/** Logout-token ids already accepted, keyed by the SHA-256 of (issuer, jti), kept until the token is dead. */
const TABLE = grantedTable('logoutJtis');

/** Records a jti in one conditional write: false if it was seen before (a replay). */
export async function recordJti(id: string, expiresAt: number): Promise<boolean> {
  try {
    await putNewItem(TABLE, { id, expiresAt });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Forgets a jti whose logout could not be carried out, so that the IdP's retry is not taken for a replay. */
export async function releaseJti(id: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id } }));
}
