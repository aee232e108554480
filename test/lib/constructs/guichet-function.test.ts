import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_TIMEOUT_SECONDS, ROUTES } from '../../../lambdas/routes';
import { SECRETS } from '../../../lambdas/secrets';
import { TABLES } from '../../../lambdas/tables';
import { GuichetFunction } from '../../../lib/constructs/guichet-function';
import { actionsOf, hostStack, logicalId, mentions, roleStatements, type Statement } from '../helpers';

const INDEXED = TABLES.sessions;

let template: Template;
let reader: GuichetFunction;
let writer: GuichetFunction;
let querier: GuichetFunction;
let table: dynamodb.Table;
let secret: secretsmanager.Secret;

beforeAll(() => {
  const stack = hostStack();
  table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  secret = new secretsmanager.Secret(stack, 'Secret');
  const make = (id: string, timeoutSeconds?: number) =>
    new GuichetFunction(stack, id, {
      entry: ROUTES[0].entry,
      environment: { SHARED: 'yes' },
      logRetention: logs.RetentionDays.ONE_WEEK,
      timeoutSeconds,
    });
  reader = make('Reader');
  reader.useTable(table, INDEXED, { items: ['GetItem'] });
  reader.useSecret(secret, SECRETS.oidcClientSecret);
  writer = make('Writer', 3);
  writer.useTable(table, INDEXED, { items: ['PutItem', 'DeleteItem'] });
  querier = make('Querier');
  querier.useTable(table, INDEXED, { items: ['DeleteItem'], queries: ['byIdpSession'] });
  template = Template.fromStack(stack);
});

const functionProps = (fn: GuichetFunction) => template.toJSON().Resources[logicalId(fn.function)].Properties;
const tableStatements = (fn: GuichetFunction): Statement[] =>
  roleStatements(template, logicalId(fn.role)).filter((statement) => mentions(statement, logicalId(table)));
const tableArn = () => ({ 'Fn::GetAtt': [logicalId(table), 'Arn'] });
const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn(), `/index/${name}`]] });

test('runs the newest Node.js on arm64 with tracing, 512 MB and the default timeout', () => {
  expect(functionProps(reader)).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    MemorySize: 512,
    Timeout: DEFAULT_TIMEOUT_SECONDS,
    TracingConfig: { Mode: 'Active' },
    LoggingConfig: { LogGroup: { Ref: logicalId(reader.logGroup) } },
  });
  expect(functionProps(writer).Timeout).toBe(3);
});

test('logs to its own log group with the given retention', () => {
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  template.resourceCountIs('AWS::Logs::LogGroup', 3);
});

test('has its own role with no managed policy, allowed to write only to its own log group', () => {
  template.resourceCountIs('AWS::IAM::Role', 3);
  template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  const logStatements = roleStatements(template, logicalId(writer.role)).filter((s) =>
    actionsOf(s).some((action) => action.startsWith('logs:')),
  );
  expect(logStatements).toEqual([
    expect.objectContaining({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logicalId(writer.logGroup), 'Arn'] },
    }),
  ]);
});

test('item operations: exactly the declared ones, on the table only', () => {
  expect(tableStatements(reader)).toEqual([expect.objectContaining({ Action: 'dynamodb:GetItem', Resource: tableArn() })]);
  expect(tableStatements(writer)).toEqual([
    expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: tableArn() }),
  ]);
});

test('queries: Query on each declared index by its own ARN, never on the table or another index', () => {
  expect(tableStatements(querier)).toEqual([
    expect.objectContaining({ Action: 'dynamodb:DeleteItem', Resource: tableArn() }),
    expect.objectContaining({ Action: 'dynamodb:Query', Resource: indexArn('byIdpSession') }),
  ]);
});

test('passes table names and secret ARNs in the variables their definitions name', () => {
  expect(functionProps(reader).Environment.Variables).toEqual({
    SHARED: 'yes',
    [INDEXED.envVar]: { Ref: logicalId(table) },
    [SECRETS.oidcClientSecret.arnEnvVar]: { Ref: logicalId(secret) },
  });
});

test('reads a secret only where it was granted', () => {
  const secretActions = (fn: GuichetFunction) =>
    roleStatements(template, logicalId(fn.role))
      .filter((statement) => mentions(statement, logicalId(secret)))
      .flatMap(actionsOf);
  expect(secretActions(reader)).toEqual(['secretsmanager:GetSecretValue']);
  expect(secretActions(writer)).toEqual([]);
});
