import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { IntrinsicResolver } from '../intrinsics';
import { resourcesOfType, type StackTemplate } from '../stack-template';
import { AwsServiceError, type LocalAwsAccount, readBody } from './calls';

/**
 * The local Secrets Manager: the operations guichet and its rotation use, spoken in Secrets Manager's own wire
 * protocol (JSON 1.1, `X-Amz-Target: secretsmanager.<Operation>`), so that the real SDK client talks to it through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. No emulator exists on npm; this is the stand-in, kept to those operations:
 * GetSecretValue, DescribeSecret, PutSecretValue, UpdateSecretVersionStage and RotateSecret, with versions and
 * staging labels as Secrets Manager keeps them. Secrets live in memory, like the local tables.
 */
interface SecretVersion {
  value?: string;
  stages: string[];
  readonly createdAt: number;
}

interface LocalSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly versions: Map<string, SecretVersion>;
  rotationFunctionArn?: string;
}

/** Runs one step of a rotation: local mode invokes the rotation function as Secrets Manager does. */
export type RotationInvoker = (functionArn: string, event: { SecretId: string; ClientRequestToken: string; Step: string }) => Promise<void>;

const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

export class LocalSecretsManager {
  private readonly secrets = new Map<string, LocalSecret>();

  constructor(
    private readonly account: LocalAwsAccount,
    private readonly invokeRotation: RotationInvoker,
  ) {}

  /**
   * Creates the template's secrets, each with a generated value as `GenerateSecretString` makes one, defines
   * what `Ref` returns (the ARN), and remembers each rotation schedule's function.
   */
  createFromTemplate(template: StackTemplate, resolver: IntrinsicResolver): void {
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
      const properties = (resource.Properties ?? {}) as { Description?: string; SecretString?: string; Name?: string };
      const arn = this.createSecret(
        properties.Name ?? `${template.stackName}${logicalId}`,
        properties.SecretString ?? generatedSecretValue(),
        properties.Description,
      );
      resolver.define(logicalId, { ref: arn, attributes: { Id: arn } });
    }
  }

  /** A new secret with its first value, current; returns its ARN (the name, a dash and six random characters). */
  createSecret(name: string, value: string, description?: string): string {
    const arn = `arn:aws:secretsmanager:${this.account.region}:${this.account.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`;
    this.secrets.set(arn, {
      arn,
      name,
      description,
      versions: new Map([[randomUUID(), { value, stages: ['AWSCURRENT'], createdAt: Date.now() }]]),
    });
    return arn;
  }

  /** The rotation schedules of the template, once their function and secret are resolvable. */
  scheduleRotations(template: StackTemplate, resolver: IntrinsicResolver): void {
    for (const [logicalId, schedule] of resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule')) {
      const properties = resolver.resolve(schedule.Properties, logicalId) as { SecretId: string; RotationLambdaARN: string };
      this.secret(properties.SecretId).rotationFunctionArn = properties.RotationLambdaARN;
    }
  }

  /** The rotations CloudFormation starts at deploy: every schedule with `RotateImmediatelyOnUpdate`. */
  async rotateImmediately(template: StackTemplate, resolver: IntrinsicResolver): Promise<void> {
    for (const [logicalId, schedule] of resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule')) {
      const properties = resolver.resolve(schedule.Properties, logicalId) as { SecretId: string; RotateImmediatelyOnUpdate?: boolean };
      if (properties.RotateImmediatelyOnUpdate) await this.rotate(properties.SecretId);
    }
  }

  /** The operator's `put-secret-value`, e.g. the IdP client secret. */
  putValue(secretId: string, value: string): void {
    this.operation('PutSecretValue', { SecretId: secretId, SecretString: value });
  }

  listen(): Server {
    return createServer((request, response) => {
      readBody(request)
        .then(async (body) => {
          const operation = String(request.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
          const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
          const arn =
            input.SecretId === undefined
              ? `arn:aws:secretsmanager:${this.account.region}:${this.account.accountId}:secret:*`
              : this.secret(String(input.SecretId)).arn;
          await this.account.authorize(request, 'secretsmanager', operation, [arn], { response });
          const output =
            operation === 'RotateSecret'
              ? await this.rotate(String(input.SecretId), input.ClientRequestToken as string | undefined)
              : this.operation(operation, input);
          send(response, 200, output);
        })
        .catch((error: unknown) => {
          const failure = error instanceof AwsServiceError ? error : new AwsServiceError('InternalServiceError', String(error), 500);
          send(response, failure.status, { __type: failure.type, message: failure.message });
        });
    });
  }

  private operation(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const secret = this.secret(String(input.SecretId));
    switch (operation) {
      case 'GetSecretValue':
        return this.getValue(secret, input.VersionId as string | undefined, input.VersionStage as string | undefined);
      case 'DescribeSecret':
        return {
          ARN: secret.arn,
          Name: secret.name,
          Description: secret.description,
          RotationEnabled: secret.rotationFunctionArn !== undefined,
          RotationLambdaARN: secret.rotationFunctionArn,
          VersionIdsToStages: Object.fromEntries(
            [...secret.versions].filter(([, version]) => version.stages.length > 0).map(([id, version]) => [id, [...version.stages]]),
          ),
        };
      case 'PutSecretValue':
        return this.putVersion(
          secret,
          input.SecretString as string,
          input.ClientRequestToken as string | undefined,
          (input.VersionStages as string[] | undefined) ?? ['AWSCURRENT'],
        );
      case 'UpdateSecretVersionStage':
        this.moveStage(
          secret,
          String(input.VersionStage),
          input.MoveToVersionId as string | undefined,
          input.RemoveFromVersionId as string | undefined,
        );
        return { ARN: secret.arn, Name: secret.name };
      default:
        throw new AwsServiceError('InvalidRequestException', `local Secrets Manager does not implement ${operation}`);
    }
  }

  private secret(secretId: string): LocalSecret {
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((candidate) => candidate.name === secretId);
    if (!secret) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private getValue(secret: LocalSecret, versionId: string | undefined, stage: string | undefined): Record<string, unknown> {
    const wanted = stage ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const entry = [...secret.versions].find(
      ([id, version]) => (versionId === undefined || id === versionId) && (wanted === undefined || version.stages.includes(wanted)),
    );
    if (!entry || entry[1].value === undefined) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${wanted ?? versionId}`,
      );
    }
    const [id, version] = entry;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: id,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: version.createdAt / 1000,
    };
  }

  private putVersion(secret: LocalSecret, value: string, token: string = randomUUID(), stages: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'string') throw new AwsServiceError('InvalidParameterException', 'SecretString is required');
    const existing = secret.versions.get(token);
    if (existing?.value !== undefined && existing.value !== value) {
      throw new AwsServiceError('ResourceExistsException', 'A version with this ClientRequestToken already exists with a different value.');
    }
    secret.versions.set(token, { value, stages: existing?.stages ?? [], createdAt: Date.now() });
    for (const stage of stages) this.moveStage(secret, stage, token, undefined);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...stages] };
  }

  /** Moves a staging label; moving AWSCURRENT leaves AWSPREVIOUS on the version that had it. */
  private moveStage(secret: LocalSecret, stage: string, to: string | undefined, from: string | undefined): void {
    const holder = [...secret.versions].find(([, version]) => version.stages.includes(stage));
    if (from !== undefined && holder?.[0] !== from)
      throw new AwsServiceError('InvalidParameterException', `the version ${from} does not hold ${stage}`);
    if (to !== undefined && !secret.versions.has(to)) throw new AwsServiceError('ResourceNotFoundException', `no version ${to}`);
    if (holder && holder[0] !== to) {
      holder[1].stages = holder[1].stages.filter((label) => label !== stage);
      if (stage === 'AWSCURRENT') {
        for (const version of secret.versions.values()) version.stages = version.stages.filter((label) => label !== 'AWSPREVIOUS');
        holder[1].stages.push('AWSPREVIOUS');
      }
    }
    if (to !== undefined && !secret.versions.get(to)!.stages.includes(stage)) secret.versions.get(to)!.stages.push(stage);
  }

  /**
   * A rotation as Secrets Manager runs it: a new version labelled AWSPENDING, then the function's four steps in
   * order. Secrets Manager runs them after RotateSecret has answered; local mode answers once they are done.
   */
  private async rotate(secretId: string, token: string = randomUUID()): Promise<Record<string, unknown>> {
    const secret = this.secret(secretId);
    if (!secret.rotationFunctionArn) throw new AwsServiceError('InvalidRequestException', 'rotation is not configured for this secret');
    for (const version of secret.versions.values()) version.stages = version.stages.filter((label) => label !== 'AWSPENDING');
    secret.versions.set(token, { stages: ['AWSPENDING'], createdAt: Date.now() });
    try {
      for (const step of ROTATION_STEPS)
        await this.invokeRotation(secret.rotationFunctionArn, { SecretId: secret.arn, ClientRequestToken: token, Step: step });
    } finally {
      const pending = secret.versions.get(token);
      if (pending) pending.stages = pending.stages.filter((label) => label !== 'AWSPENDING');
      if (pending?.value === undefined) secret.versions.delete(token);
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }
}

/** What `GenerateSecretString: {}` makes: 32 characters drawn from letters, digits and punctuation. */
function generatedSecretValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~';
  return Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
