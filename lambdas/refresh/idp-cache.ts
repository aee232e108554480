import type { ScheduledEvent } from 'aws-lambda';
import { saveIdpCache } from '../repositories/idp-cache';
import { appConfig } from '../shared/config';
import { answerCustomResource, type CustomResourceEvent } from '../shared/custom-resource';
import { idpCacheItem, metadataProblem } from '../shared/idp-documents';
import { logger } from '../shared/observability';
import { discoverIdp, fetchIdpKeys } from '../shared/oidc';
import { nowSeconds } from '../shared/time';

/**
 * The stack's `Custom::IdpCache` resource: CloudFormation asks for a first copy during the deploy, before the API
 * stage exists, so that no cold login waits for the IdP; its `Issuer` property makes a change of IdP refresh it.
 */
export type IdpCacheResourceEvent = CustomResourceEvent<{ readonly Issuer: string }>;

const { oidcIssuer: issuer } = appConfig();

/** EventBridge's schedule, and CloudFormation at deploy: both refresh the IdP cache. */
export async function handler(event: ScheduledEvent | IdpCacheResourceEvent): Promise<void> {
  if (!('RequestType' in event)) return refreshIdpCache();
  return answerCustomResource(event, {
    physicalResourceId: `idp-cache:${issuer}`,
    done: "the identity provider's discovery document and keys are cached",
    work: refreshIdpCache,
  });
}

/**
 * Fetches the IdP's discovery document and JWKS and replaces the cached copy, after the checks its readers make:
 * a document they would refuse is not written, and the copy they have keeps serving until it expires. A failure
 * fails the invocation, which the refresher's error alarm counts.
 */
async function refreshIdpCache(): Promise<void> {
  const fetchedAt = nowSeconds();
  const metadata = (await discoverIdp()).serverMetadata();
  const problem = metadataProblem(metadata, issuer);
  if (problem) throw new Error(`the identity provider's discovery document cannot be used: ${problem}`);
  const jwks = await fetchIdpKeys(metadata);
  await saveIdpCache(idpCacheItem(issuer, metadata, jwks, fetchedAt));
  logger.info("identity provider's documents cached", { issuer, keys: jwks.keys.map((key) => key.kid) });
}
