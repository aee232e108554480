import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambdas/shared/metric-names';
import { SIGNING_KEYS_ROTATION_ENTRY, SigningKeysRotation } from '../../../lib/constructs/signing-keys-rotation';
import { hostStack, logicalId, roleStatements } from '../helpers';

let template: Template;
let rotation: SigningKeysRotation;
let secret: secretsmanager.Secret;
let other: secretsmanager.Secret;

beforeAll(() => {
  const stack = hostStack();
  secret = new secretsmanager.Secret(stack, 'Keys');
  other = new secretsmanager.Secret(stack, 'Other');
  rotation = new SigningKeysRotation(stack, 'Rotation', {
    secret,
    algorithm: 'ES256',
    schedule: { keysCacheSeconds: 120, longestTokenLifetimeSeconds: 7200 },
    logRetention: logs.RetentionDays.ONE_WEEK,
  });
  template = Template.fromStack(stack);
});

const resources = () => template.toJSON().Resources;
const functionId = () => logicalId(rotation.function.function);

test('runs the rotation handler like every guichet Lambda, told only the algorithm', () => {
  expect(SIGNING_KEYS_ROTATION_ENTRY).toBe('lambdas/rotation/signing-keys.ts');
  expect(resources()[functionId()].Properties).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Timeout: 30,
    TracingConfig: { Mode: 'Active' },
    Environment: {
      Variables: {
        SIGNING_ALGORITHM: 'ES256',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    },
  });
  expect(Object.keys(resources()[functionId()].Properties.Environment.Variables)).toHaveLength(3);
});

test('its role may do exactly what the handler does on that secret, and nothing else but logs and X-Ray', () => {
  expect(roleStatements(template, logicalId(rotation.function.role))).toEqual([
    {
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [logicalId(rotation.function.logGroup), 'Arn'] },
    },
    { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
    {
      // What lambdas/rotation/signing-keys.ts calls.
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Effect: 'Allow',
      Resource: { Ref: logicalId(secret) },
    },
  ]);
  expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(logicalId(other));
  expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('GetRandomPassword');
});

test('Secrets Manager, acting for this account, is the only one allowed to invoke it', () => {
  const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
  expect(permissions.map((permission) => permission.Properties)).toEqual([
    {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId(), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    },
  ]);
});

test('makes the first key set during the deploy, and records its schedule: a custom resource answered by the rotation function', () => {
  const resources = template.findResources('Custom::SigningKeySet');
  expect(Object.values(resources).map((resource) => resource.Properties)).toEqual([
    {
      ServiceToken: { 'Fn::GetAtt': [functionId(), 'Arn'] },
      SecretId: { Ref: logicalId(secret) },
      KeysCacheSeconds: 120,
      LongestTokenLifetimeSeconds: 7200,
    },
  ]);
  const policyId = Object.keys(template.findResources('AWS::IAM::Policy'))[0];
  expect(Object.values(resources)[0].DependsOn).toEqual(expect.arrayContaining([functionId(), policyId]));
});

test('rotates the secret every 30 days and once on deploy, after the permissions are in place', () => {
  const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
  const [schedule] = Object.values(schedules);
  expect(Object.keys(schedules)).toHaveLength(1);
  expect(schedule.Properties).toEqual({
    SecretId: { Ref: logicalId(secret) },
    RotationLambdaARN: { 'Fn::GetAtt': [functionId(), 'Arn'] },
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
    RotateImmediatelyOnUpdate: true,
  });
  const permissionId = Object.keys(template.findResources('AWS::Lambda::Permission'))[0];
  const policyId = Object.keys(template.findResources('AWS::IAM::Policy'))[0];
  expect(schedule.DependsOn).toEqual(expect.arrayContaining([permissionId, policyId, functionId(), logicalId(rotation.keySet)]));
});
