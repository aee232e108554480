import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueAction, type QueueDefinition, type QueueName } from '../../lambdas/queues';
import { DEFAULT_TIMEOUT_SECONDS, type FunctionGrants, type TableGrant } from '../../lambdas/routes';
import { SECRETS, type SecretDefinition, type SecretName } from '../../lambdas/secrets';
import { TABLES, type TableDefinition, type TableName } from '../../lambdas/tables';
import { bundleHash, entryCommands, LAMBDA_BUNDLING, LAMBDA_MEMORY_MB } from '../bundling';

/** The stack's tables, secrets and queues, by the names the route table and the workers grant them by. */
export interface GrantableResources {
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly secrets: Readonly<Record<SecretName, secretsmanager.ISecret>>;
  readonly queues: Readonly<Record<QueueName, sqs.IQueue>>;
}

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

export interface GuichetFunctionProps {
  /** Handler module relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** Variables shared by every function; `useTable` and `useSecret` add the per-function ones. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  /** @default DEFAULT_TIMEOUT_SECONDS */
  readonly timeoutSeconds?: number;
  /** @default LAMBDA_MEMORY_MB */
  readonly memorySize?: number;
  /** @default none: the account's unreserved concurrency */
  readonly reservedConcurrency?: number;
}

/**
 * A guichet Lambda: latest Node.js on arm64, bundled and minified as LAMBDA_BUNDLING says (the AWS SDK is the
 * runtime's), X-Ray tracing, its own log group, and a role that holds only what `useTable` and `useSecret` grant.
 */
export class GuichetFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GuichetFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No AWSLambdaBasicExecutionRole: it would let the function write to every log group of the account.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    const runtime = lambda.Runtime.NODEJS_24_X;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPOSITORY_ROOT, props.entry),
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? LAMBDA_MEMORY_MB,
      timeout: Duration.seconds(props.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...props.environment },
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: path.join(REPOSITORY_ROOT, 'package-lock.json'),
      bundling: {
        assetHash: bundleHash(props.entry),
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        target: LAMBDA_BUNDLING.target,
        format: nodejs.OutputFormat.CJS,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) => entryCommands(outputDir),
        },
      },
    });
  }

  /** Every grant of a route or worker definition: its tables, secrets and queues, operation by operation. */
  useGrants(grants: FunctionGrants, resources: GrantableResources): void {
    for (const [name, grant] of Object.entries(grants.tables) as [TableName, TableGrant | undefined][]) {
      if (grant) this.useTable(resources.tables[name], TABLES[name], grant);
    }
    for (const name of grants.secrets) this.useSecret(resources.secrets[name], SECRETS[name]);
    for (const [name, actions] of Object.entries(grants.queues ?? {}) as [QueueName, readonly QueueAction[] | undefined][]) {
      if (actions?.length) this.useQueue(resources.queues[name], QUEUES[name], actions);
    }
  }

  /**
   * Gives the function the table's name and exactly the operations its route declares: item operations on the
   * table, `Query` on each index it names (listed one by one, so an index added later is not readable by default).
   */
  useTable(table: dynamodb.ITable, definition: TableDefinition, grant: TableGrant): void {
    this.function.addEnvironment(definition.envVar, table.tableName);
    if (grant.items?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: grant.items.map((action) => `dynamodb:${action}`), resources: [table.tableArn] }),
      );
    }
    if (grant.queries?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: grant.queries.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
  }

  /**
   * Gives the function the queue's URL and the SQS actions its code performs on it, and no other (not GetQueueUrl,
   * which `grantSendMessages` and `grantConsumeMessages` add; the URL comes in the environment).
   */
  useQueue(queue: sqs.IQueue, definition: QueueDefinition, actions: readonly QueueAction[]): void {
    this.function.addEnvironment(definition.urlEnvVar, queue.queueUrl);
    const statement = new iam.PolicyStatement({ actions: actions.map((action) => `sqs:${action}`), resources: [queue.queueArn] });
    this.role.addToPrincipalPolicy(statement);
  }

  /** Gives the function the secret's ARN and the one action its code performs on it: reading the value. */
  useSecret(secret: secretsmanager.ISecret, definition: SecretDefinition): void {
    this.function.addEnvironment(definition.arnEnvVar, secret.secretArn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  }
}
