import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure, putNewItem, updateIf } from '../shared/dynamo';
import type { LoginFlow } from '../shared/metric-names';
import { TABLES } from '../tables';

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
  /** The audiences with a back-channel logout endpoint that were issued a token of this session: told when it ends. */
  readonly logoutAudiences?: ReadonlySet<string>;
}

/**
 * What is left of a session that ended with logout deliveries to make, until they are queued: the person's `sub`
 * and the audiences to tell, in the outbox (the sparse `byLogoutOutbox` index), and nothing that opens anything.
 */
export interface EndedSessionRecord {
  readonly id: string;
  readonly sub: string;
  readonly endedAt: number;
  readonly logoutAudiences: ReadonlySet<string>;
}

const TABLE = grantedTable('sessions');

export const saveSession = (record: SessionRecord): Promise<void> => putNewItem(TABLE, record);

/**
 * Strongly consistent, so a session ended a moment ago is never read back as live. An ended session whose logout
 * deliveries wait in the outbox is no session: it is undefined here, as a deleted one. A row written before guichet
 * checked `email_verified` carries an address nobody verified: it is read without it.
 */
export async function findSession(id: string): Promise<SessionRecord | undefined> {
  const item = await getItem(id);
  if (item === undefined || 'endedAt' in item) return undefined;
  const record = item as unknown as SessionRecord;
  if (record.email === undefined || record.emailVerified === true) return record;
  const { email: _unverified, ...withoutEmail } = record;
  return withoutEmail;
}

/** An ended session whose logout deliveries are in the outbox, if it still is. */
export async function findEndedSession(id: string): Promise<EndedSessionRecord | undefined> {
  const item = await getItem(id);
  return item !== undefined && 'endedAt' in item ? (item as unknown as EndedSessionRecord) : undefined;
}

async function getItem(id: string): Promise<Record<string, unknown> | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return result.Item;
}

/**
 * Records that a token for `audience` was issued from the session, in one conditional write: false when the session
 * is gone or has ended, so that no token is issued that its end would not be told to.
 */
export function recordLogoutAudience(id: string, audience: string): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'ADD logoutAudiences :audience',
    ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(endedAt)',
    ExpressionAttributeValues: { ':audience': new Set([audience]) },
  });
}

export interface SessionEnd {
  /** Only a session of this user (the `subjectKey` of back-channel logout by `sid` and `sub`). */
  readonly subjectKey?: string;
  readonly endedAt: number;
  /** How long the ended session may wait in the outbox: past that its deliveries could not be made anyway. */
  readonly keepUntil: number;
  /** The outbox index key it is filed under. */
  readonly outboxKey: string;
}

/**
 * Ends a session and returns it as it was, or undefined when there was none to end (gone, already ended, or another
 * user's). A session that never had a token for an audience to tell is deleted, in one conditional delete. One
 * that had is ended, with its deliveries, in one conditional update that no crash can split (DynamoDB writes one
 * item atomically; dynalite has no transactions, and none is needed): it leaves both indexes of live sessions, loses
 * what could open anything (its id token, the person's e-mail and name), and enters the outbox. A token minted for a
 * new audience in between fails its own condition, which keeps the audience list the update returns exact.
 */
export async function endSessionItem(id: string, end: SessionEnd): Promise<SessionRecord | undefined> {
  const ofSubject = end.subjectKey === undefined ? '' : ' AND subjectKey = :subjectKey';
  const subjectValues = end.subjectKey === undefined ? {} : { ':subjectKey': end.subjectKey };
  try {
    const deleted = await documentClient.send(
      new DeleteCommand({
        TableName: TABLE(),
        Key: { id },
        ConditionExpression: `attribute_exists(id) AND attribute_not_exists(logoutAudiences) AND attribute_not_exists(endedAt)${ofSubject}`,
        ...(end.subjectKey === undefined ? {} : { ExpressionAttributeValues: subjectValues }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return deleted.Attributes as SessionRecord | undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  try {
    const ended = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id },
        UpdateExpression:
          'SET endedAt = :endedAt, logoutOutbox = :outbox, expiresAt = :keepUntil REMOVE subjectKey, idpSessionKey, idToken, email, emailVerified, #name',
        ConditionExpression: `attribute_exists(id) AND attribute_not_exists(endedAt)${ofSubject}`,
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':endedAt': end.endedAt, ':outbox': end.outboxKey, ':keepUntil': end.keepUntil, ...subjectValues },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return ended.Attributes as SessionRecord | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Takes an ended session out of the outbox once its deliveries are queued: nothing of it is needed any more. */
export async function clearLogoutOutbox(id: string): Promise<void> {
  try {
    await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id }, ConditionExpression: 'attribute_exists(endedAt)' }));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

type SessionIndex = 'bySubject' | 'byIdpSession' | 'byLogoutOutbox';

/**
 * Ids of the sessions of one user (`bySubject`), of one IdP session (`byIdpSession`), or in one shard of the logout
 * outbox (`byLogoutOutbox`), through the index.
 */
export async function sessionIdsBy(index: SessionIndex, key: string): Promise<string[]> {
  const attribute = TABLES.sessions.indexes.find((definition) => definition.name === index)!.partitionKey;
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

/** Deletes a session that was never handed to anyone (a login refused as it was being opened). */
export async function deleteSession(id: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id } }));
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
