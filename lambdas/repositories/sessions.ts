import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, putNewItem, grantedTable } from '../shared/dynamo';
import type { LoginFlow } from '../shared/metric-names';

/** A guichet session, keyed by the SHA-256 of its token; the token itself is never stored. */
export interface SessionRecord {
  readonly id: string;
  readonly flow: LoginFlow;
  readonly issuer: string;
  readonly sub: string;
  /** Issuer-scoped keys of the `bySubject` and `byIdpSession` indexes (back-channel logout). */
  readonly subjectKey: string;
  readonly idpSessionKey?: string;
  readonly sid?: string;
  /** Only an address the IdP asserted as verified; `emailVerified` marks rows written since that rule. */
  readonly email?: string;
  readonly emailVerified?: true;
  readonly name?: string;
  /** Sent back to the IdP as `id_token_hint` at logout. */
  readonly idToken?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const TABLE = grantedTable('sessions');

export const saveSession = (record: SessionRecord): Promise<void> => putNewItem(TABLE, record);

/**
 * Strongly consistent, so a session ended a moment ago is never read back as live. A row written before guichet
 * checked `email_verified` carries an address nobody verified: it is read without it.
 */
export async function findSession(id: string): Promise<SessionRecord | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  const record = result.Item as SessionRecord | undefined;
  if (record?.email === undefined || record.emailVerified === true) return record;
  const { email: _unverified, ...withoutEmail } = record;
  return withoutEmail;
}

export async function deleteSession(id: string): Promise<SessionRecord | undefined> {
  const result = await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id }, ReturnValues: 'ALL_OLD' }));
  return result.Attributes as SessionRecord | undefined;
}

/** Ids of the sessions of one user (`bySubject`) or of one IdP session (`byIdpSession`), through the index. */
export async function sessionIdsBy(index: 'bySubject' | 'byIdpSession', key: string): Promise<string[]> {
  const attribute = index === 'bySubject' ? 'subjectKey' : 'idpSessionKey';
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: TABLE(),
        IndexName: index,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': attribute },
        ExpressionAttributeValues: { ':key': key },
        ExclusiveStartKey: startKey,
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => item.id as string));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

/** Deletes a session, only if it belongs to `subjectKey` when one is given; true if it was deleted. */
export async function deleteSessionOf(id: string, subjectKey?: string): Promise<boolean> {
  try {
    const result = await documentClient.send(
      new DeleteCommand({
        TableName: TABLE(),
        Key: { id },
        ...(subjectKey === undefined
          ? {}
          : { ConditionExpression: 'subjectKey = :subjectKey', ExpressionAttributeValues: { ':subjectKey': subjectKey } }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
