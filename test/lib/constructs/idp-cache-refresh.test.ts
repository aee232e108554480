import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IDP_CACHE_REFRESH_MINUTES } from '../../../lambdas/shared/idp-documents';
import { IDP_CACHE_REFRESH_ENTRY, IdpCacheRefresh } from '../../../lib/constructs/idp-cache-refresh';
import { hostStack, logicalId, roleStatements } from '../helpers';

const ISSUER = 'https://idp.example.com/realms/main';
let template: Template;
let refresh: IdpCacheRefresh;
let table: dynamodb.Table;
let other: dynamodb.Table;

beforeAll(() => {
  const stack = hostStack();
  const keyed = { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY };
  table = new dynamodb.Table(stack, 'IdpCache', keyed);
  other = new dynamodb.Table(stack, 'Other', keyed);
  refresh = new IdpCacheRefresh(stack, 'Refresh', {
    table,
    environment: { OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'guichet', GUICHET_PUBLIC_URL: 'https://auth.example.com' },
    issuer: ISSUER,
    logRetention: logs.RetentionDays.ONE_WEEK,
  });
  template = Template.fromStack(stack);
});

const functionId = () => logicalId(refresh.function.function);
const targetArn = () => ({ 'Fn::GetAtt': [functionId(), 'Arn'] });

test('runs the refresher like every guichet Lambda, with the shared variables and the cache table', () => {
  expect(IDP_CACHE_REFRESH_ENTRY).toBe('lambdas/refresh/idp-cache.ts');
  expect(template.toJSON().Resources[functionId()].Properties).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Timeout: 30,
    TracingConfig: { Mode: 'Active' },
    Environment: { Variables: { OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'guichet', IDP_CACHE_TABLE: { Ref: logicalId(table) } } },
  });
});

test('its role may write the cache and nothing else: no read, no other table', () => {
  expect(roleStatements(template, logicalId(refresh.function.role))).toEqual([
    expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
    expect.objectContaining({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }),
    { Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(table), 'Arn'] } },
  ]);
  expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(logicalId(other));
});

test(`runs every ${IDP_CACHE_REFRESH_MINUTES} minutes, from an EventBridge rule that alone may invoke it`, () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  expect(rules.map((rule) => rule.Properties)).toEqual([
    expect.objectContaining({
      ScheduleExpression: 'rate(2 minutes)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: targetArn() })],
    }),
  ]);
  const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((permission) => permission.Properties);
  expect(permissions).toEqual([
    {
      Action: 'lambda:InvokeFunction',
      FunctionName: targetArn(),
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(refresh.schedule), 'Arn'] },
    },
  ]);
});

test('fills the cache during the deploy: a custom resource answered by the refresher, once its grants exist', () => {
  const resources = template.findResources('Custom::IdpCache');
  expect(Object.values(resources).map((resource) => resource.Properties)).toEqual([{ ServiceToken: targetArn(), Issuer: ISSUER }]);
  const policyId = Object.keys(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(refresh.function.role) }] } }),
  )[0];
  expect(Object.values(resources)[0].DependsOn).toEqual(expect.arrayContaining([functionId(), policyId]));
});
