import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable } from '../shared/dynamo';
import type { IdpCacheItem } from '../shared/idp-documents';

/** The IdP's documents, keyed by issuer: read by the login and callback functions, written by the refresher alone. */
const TABLE = grantedTable('idpCache');

/** The item as stored, unchecked: `cachedDocuments` decides whether it can be used. */
export async function readIdpCache(issuer: string): Promise<Readonly<Record<string, unknown>> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id: issuer } }))).Item;
}

export async function saveIdpCache(item: IdpCacheItem): Promise<void> {
  await documentClient.send(new PutCommand({ TableName: TABLE(), Item: item }));
}
