import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, putNewItem, grantedTable, updateIf } from '../shared/dynamo';
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
  readonly email?: string;
  readonly name?: string;
  /** Sent back to the IdP as `id_token_hint` at logout. */
  readonly idToken?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const TABLE = grantedTable('sessions');

export const saveSession = (record: SessionRecord): Promise<void> => putNewItem(TABLE, record);

/** Strongly consistent, so a session ended a moment ago is never read back as live. */
export async function findSession(id: string): Promise<SessionRecord | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return result.Item as SessionRecord | undefined;
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

/**
 * Beside the sessions, one item per IdP session (`sid`) and per user (`sub`) that guichet opened sessions for:
 * when it last opened one (`signedInAt`, epoch ms) and when the IdP logged it out (`endedAt`, the logout token's
 * `iat`, by the IdP's clock as ID tokens' `iat` are). Its id, `idp-sid#…` or `idp-sub#…`, is no session's (those
 * are bare hashes), and it has neither index key, so the indexes never list it.
 */
export function idpLoginId(kind: 'sid' | 'sub', hashedKey: string): string {
  return `idp-${kind}#${hashedKey}`;
}

/**
 * Notes a session just opened for this IdP session or user, in one conditional write, unless the IdP logged it out
 * first: at all (`issuedBefore` undefined, a `sid` is never reused), or at or after `issuedBefore` (the ID token's
 * `iat`: a user logs in again after a logout). False when it did.
 */
export function noteSignIn(id: string, signedInAt: number, expiresAt: number, issuedBefore?: number): Promise<boolean> {
  const values = { ':signedInAt': signedInAt, ':expiresAt': expiresAt };
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'SET signedInAt = :signedInAt, expiresAt = if_not_exists(expiresAt, :expiresAt)',
    ...(issuedBefore === undefined
      ? { ConditionExpression: 'attribute_not_exists(endedAt)', ExpressionAttributeValues: values }
      : {
          ConditionExpression: 'attribute_not_exists(endedAt) OR endedAt < :issued',
          ExpressionAttributeValues: { ...values, ':issued': issuedBefore },
        }),
  });
}

/** Notes the IdP's logout of this IdP session or user; returns when a session was last opened for it (epoch ms). */
export async function noteIdpLogout(id: string, endedAt: number, expiresAt: number): Promise<number | undefined> {
  const result = await documentClient.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: { id },
      UpdateExpression: 'SET endedAt = :endedAt, expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':endedAt': endedAt, ':expiresAt': expiresAt },
      ReturnValues: 'ALL_OLD',
    }),
  );
  const signedInAt: unknown = result.Attributes?.signedInAt;
  return typeof signedInAt === 'number' ? signedInAt : undefined;
}
