import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, updateIf } from '../shared/dynamo';

/**
 * The keys fetched from applications' `jwks_uri`, one item per application, shared by the token function's
 * containers so that each does not fetch them itself. Written by the token function alone.
 */
export interface ApplicationKeysItem {
  /** The client id. */
  readonly id: string;
  /** The URI the keys were fetched from: a copy of another URI (the operator changed it) is not used. */
  readonly jwksUri?: string;
  /** The signing keys found there, a JWK Set as JSON text. */
  readonly jwks?: string;
  readonly fetchedAt?: number;
  /** The last time any container fetched or set out to fetch this application's keys, and from where: refetches wait. */
  readonly lastFetchAt?: number;
  readonly lastFetchUri?: string;
  readonly expiresAt: number;
}

const TABLE = grantedTable('applicationKeys');

/** The item as stored, unchecked. */
export async function readApplicationKeys(clientId: string): Promise<Partial<ApplicationKeysItem> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id: clientId } }))).Item;
}

/**
 * Claims the right to fetch an application's keys from `uri`, in one conditional write: false when some container
 * fetched them from there, or set out to, after `notAfter`. An item made by a claim alone expires with `expiresAt`.
 */
export function claimKeysFetch(clientId: string, uri: string, now: number, notAfter: number, expiresAt: number): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id: clientId },
    UpdateExpression: 'SET lastFetchAt = :now, lastFetchUri = :uri, expiresAt = if_not_exists(expiresAt, :expiresAt)',
    ConditionExpression: 'attribute_not_exists(lastFetchAt) OR lastFetchAt <= :notAfter OR lastFetchUri <> :uri',
    ExpressionAttributeValues: { ':now': now, ':uri': uri, ':notAfter': notAfter, ':expiresAt': expiresAt },
  });
}

/** Keeps the keys just fetched for every container. */
export async function saveApplicationKeys(item: Required<ApplicationKeysItem>): Promise<void> {
  const { id, ...attributes } = item;
  const entries = Object.entries(attributes);
  await updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: `SET ${entries.map(([name]) => `${name} = :${name}`).join(', ')}`,
    ExpressionAttributeValues: Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
  });
}
