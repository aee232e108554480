import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { STACK_SETTINGS } from '../settings';
import { answerCustomResource, type CustomResourceEvent } from '../shared/custom-resource';
import { logger } from '../shared/observability';
import { settingsFromEnvironment } from '../shared/setting-values';
import type { SigningAlgorithm } from '../shared/signing-algorithms';
import {
  firstKeySet,
  keySetOrNothing,
  rotatedKeySet,
  rotationReadiness,
  sameSchedule,
  tooEarlyMessage,
  withKnownDates,
  withSchedule,
} from '../shared/signing-key-rotation';
import type { KeySchedule } from '../shared/signing-key-schedule';
import { currentSigningJwk, parseKeySet, publicJwk } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { traced } from '../shared/tracing';

/** A Secrets Manager rotation event (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html). */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/**
 * The stack's `Custom::SigningKeySet` resource: CloudFormation asks for a first key set during the deploy, before
 * the API stage exists, so that no request ever meets the secret's placeholder value. It also records in the set
 * the schedule the deployment rotates it by (CloudFormation hands numbers over as strings), and again whenever a
 * deploy changes it.
 */
export type KeySetResourceEvent = CustomResourceEvent<{
  readonly SecretId: string;
  readonly KeysCacheSeconds?: string | number;
  readonly LongestTokenLifetimeSeconds?: string | number;
}>;

const algorithmSetting = settingsFromEnvironment({ signingAlgorithm: STACK_SETTINGS.signingAlgorithm }, process.env);
if (algorithmSetting.problems.length > 0) throw new Error(algorithmSetting.problems.join('; '));
const algorithm = algorithmSetting.values.signingAlgorithm as SigningAlgorithm;

const secretsManager = traced(new SecretsManagerClient({}), 'SecretsManager');

/** Secrets Manager's rotation steps, and CloudFormation's request for the first key set. */
export async function handler(event: RotationEvent | KeySetResourceEvent): Promise<void> {
  if (!('RequestType' in event)) return rotate(event);
  const secretId = event.ResourceProperties.SecretId;
  return answerCustomResource(event, {
    physicalResourceId: `signing-key-set:${secretId}`,
    done: 'the signing-keys secret holds a key set',
    work: () => ensureKeySet(secretId, scheduleOfResource(event.ResourceProperties)),
  });
}

/**
 * Rotates the signing-keys secret: the next key becomes current, the current one stays published as previous,
 * and a new next key is published. A rotation that comes before the next key may sign (right after another one,
 * or the schedule's rotation on deploy) is postponed: it completes without changing a key, and is no failure.
 */
async function rotate(event: RotationEvent): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const description = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stages = description.VersionIdsToStages?.[token];
  if (!description.RotationEnabled) throw new Error('rotation is not enabled on this secret');
  if (!stages) throw new Error('the rotation token is not a version of this secret');
  if (stages.includes('AWSCURRENT') && step !== 'finishSecret') return;
  logger.info('signing keys rotation step', { step });

  switch (step) {
    case 'createSecret':
      return createSecret(secretId, token);
    case 'setSecret':
      // The keys live only in this secret: there is no other system to update.
      return;
    case 'testSecret':
      return testSecret(secretId, token);
    case 'finishSecret':
      return finishSecret(secretId, token, description.VersionIdsToStages ?? {});
    default:
      throw new Error(`unknown rotation step ${String(step)}`);
  }
}

async function createSecret(secretId: string, token: string): Promise<void> {
  const pending = await secretsManager
    .send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }))
    .catch((error: Error) => (error.name === 'ResourceNotFoundException' ? undefined : Promise.reject(error)));
  if (pending) return;
  const current = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const now = nowSeconds();
  const set = keySetOrNothing(current.SecretString);
  const known = set && withKnownDates(set, current.CreatedDate, now);
  const readiness = known && rotationReadiness(known, now);
  const postponed = readiness && !readiness.ready ? readiness : undefined;
  const next = !known ? await firstKeySet(algorithm, now) : postponed ? known : await rotatedKeySet(known, algorithm, now);
  await secretsManager.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: JSON.stringify(next),
      VersionStages: ['AWSPENDING'],
    }),
  );
  if (postponed) logger.info(`signing keys rotation postponed: ${tooEarlyMessage(postponed, now)}`, { readyAt: postponed.readyAt });
  else logger.info('signing keys rotated', { signing: currentSigningJwk(next).kid, next: next.keys.at(-1)?.kid });
}

/** The pending key set must parse and its signing key must sign what its public half verifies. */
async function testSecret(secretId: string, token: string): Promise<void> {
  const pending = await secretsManager.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }),
  );
  const key = currentSigningJwk(parseKeySet(pending.SecretString ?? ''));
  const signature = await new CompactSign(new TextEncoder().encode('guichet rotation test'))
    .setProtectedHeader({ alg: key.alg! })
    .sign(await importJWK(key, key.alg));
  await compactVerify(signature, await importJWK(publicJwk(key), key.alg));
}

async function finishSecret(secretId: string, token: string, versions: Record<string, string[]>): Promise<void> {
  const current = Object.entries(versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (current === token) return;
  await secretsManager.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token,
      RemoveFromVersionId: current,
    }),
  );
}

/**
 * Puts a first key set as the current version when the secret still holds its generated placeholder, and records the
 * deployment's schedule in the set when it is not the one recorded (the keys stay as they are).
 */
async function ensureKeySet(secretId: string, schedule: KeySchedule | undefined): Promise<void> {
  const current = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const now = nowSeconds();
  const set = keySetOrNothing(current.SecretString);
  if (set && (schedule === undefined || sameSchedule(set.schedule, schedule))) return;
  const next = set
    ? withSchedule(withKnownDates(set, current.CreatedDate, now), schedule!, now)
    : await firstKeySet(algorithm, now, schedule);
  await secretsManager.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(next), VersionStages: ['AWSCURRENT'] }),
  );
  logger.info(set ? 'signing keys schedule recorded' : 'first signing key set made', { signing: currentSigningJwk(next).kid, schedule });
}

function scheduleOfResource(properties: KeySetResourceEvent['ResourceProperties']): KeySchedule | undefined {
  const keysCacheSeconds = Number(properties.KeysCacheSeconds);
  const longestTokenLifetimeSeconds = Number(properties.LongestTokenLifetimeSeconds);
  if (!(keysCacheSeconds > 0) || !(longestTokenLifetimeSeconds > 0)) return undefined;
  return { keysCacheSeconds, longestTokenLifetimeSeconds };
}
