import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { type GuichetStack, tableNameOutputKey } from '../../lib/guichet-stack';
import { ROUTES } from '../../lambdas/routes';
import { SECRETS, type SecretName } from '../../lambdas/secrets';
import { TABLES, TABLE_NAMES, type TableName } from '../../lambdas/tables';
import { EXAMPLE_PROPS, actionsOf, logicalId, mentions, roleStatements, synthGuichet } from './helpers';

const SHARED_VARIABLES = [
  'GUICHET_PUBLIC_URL',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_OPTIONS',
];

let stack: GuichetStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthGuichet());
});

const statementsOf = (routeId: string) => roleStatements(template, logicalId(stack.functions[routeId].role));
const functionOf = (routeId: string) => template.toJSON().Resources[logicalId(stack.functions[routeId].function)];
const ROUTE_CASES = ROUTES.map((route) => [route.id, route] as const);

test('has one Lambda per route, on nodejs24.x and arm64', () => {
  template.resourceCountIs('AWS::Lambda::Function', ROUTES.length);
  expect(Object.keys(stack.functions).sort()).toEqual(ROUTES.map((route) => route.id).sort());
  template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] });
});

test.each(ROUTE_CASES)('%s: exactly one API route, integrated with its Lambda', (id, route) => {
  const routes = template.findResources('AWS::ApiGatewayV2::Route', {
    Properties: { RouteKey: `${route.method} ${route.path}` },
  });
  expect(Object.keys(routes)).toHaveLength(1);
  const target = Object.values(routes)[0].Properties.Target['Fn::Join'][1][1].Ref;
  expect(template.toJSON().Resources[target].Properties.IntegrationUri).toEqual({
    'Fn::GetAtt': [logicalId(stack.functions[id].function), 'Arn'],
  });
});

test('has as many API routes as routes', () => {
  template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
});

test.each(ROUTE_CASES)('%s: gets the shared variables plus exactly its tables and secrets', (id, route) => {
  const variables = functionOf(id).Properties.Environment.Variables;
  const tableVariables = Object.keys(route.tables).map((name) => TABLES[name as TableName].envVar);
  const secretVariables = route.secrets.map((name) => SECRETS[name].arnEnvVar);
  expect(Object.keys(variables).sort()).toEqual([...SHARED_VARIABLES, ...tableVariables, ...secretVariables].sort());
  for (const name of Object.keys(route.tables) as TableName[]) {
    expect(variables[TABLES[name].envVar]).toEqual({ Ref: logicalId(stack.tables[name]) });
  }
  for (const name of route.secrets) {
    expect(variables[SECRETS[name].arnEnvVar]).toEqual({ Ref: logicalId(stack.secrets[name]) });
  }
  expect(variables.GUICHET_PUBLIC_URL).toEqual({ 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] });
  expect(variables.OIDC_ISSUER).toBe(EXAMPLE_PROPS.oidcIssuer);
});

test.each(ROUTE_CASES)('%s: may use only the tables its route names, at its access level', (id, route) => {
  for (const name of TABLE_NAMES) {
    const actions = statementsOf(id)
      .filter((statement) => mentions(statement, logicalId(stack.tables[name])))
      .flatMap(actionsOf);
    const access = route.tables[name];
    const reads = access === 'read' || access === 'readWrite';
    const writes = access === 'write' || access === 'readWrite';
    expect(actions.includes('dynamodb:GetItem')).toBe(reads);
    expect(actions.includes('dynamodb:PutItem')).toBe(writes);
    if (!access) expect(actions).toEqual([]);
  }
});

test.each(ROUTE_CASES)('%s: may read only the secrets its route names', (id, route) => {
  for (const name of Object.keys(SECRETS) as SecretName[]) {
    const reads = statementsOf(id).some(
      (statement) =>
        mentions(statement, logicalId(stack.secrets[name])) &&
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads).toBe(route.secrets.includes(name));
  }
});

test('the session route reads sessions and nothing of the login flows', () => {
  const statements = statementsOf('AuthSession');
  const on = (name: TableName) =>
    statements.filter((statement) => mentions(statement, logicalId(stack.tables[name]))).flatMap(actionsOf);
  expect(on('sessions')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  expect(on('loginFlows')).toEqual([]);
});

test('no role has a managed policy, may Scan, or uses a wildcard other than for X-Ray', () => {
  template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
  const actions = statements.flatMap(actionsOf);
  expect(actions.filter((action) => action === 'dynamodb:Scan' || action.includes('*'))).toEqual([]);
  const wildcardActions = statements
    .filter((statement) => JSON.stringify(statement.Resource).includes('*'))
    .flatMap(actionsOf);
  expect([...new Set(wildcardActions)]).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
});

test('creates one secret per definition, with its description', () => {
  template.resourceCountIs('AWS::SecretsManager::Secret', Object.keys(SECRETS).length);
  for (const definition of Object.values(SECRETS)) {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: definition.description });
  }
});

test('outputs the public URL, every table name and every secret ARN', () => {
  const outputs = template.toJSON().Outputs;
  expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] });
  for (const name of TABLE_NAMES) {
    expect(outputs[tableNameOutputKey(name)].Value).toEqual({ Ref: logicalId(stack.tables[name]) });
  }
  expect(outputs.OidcClientSecretArn.Value).toEqual({ Ref: logicalId(stack.secrets.oidcClientSecret) });
  expect(outputs.SigningKeysArn.Value).toEqual({ Ref: logicalId(stack.secrets.signingKeys) });
});

test('has no environment, so it synthesizes offline for any account', () => {
  expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
  expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
});

test('synthesizes without warnings', () => {
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});

describe('with a custom domain and optional props', () => {
  test('passes the custom domain as public URL and the props as variables', () => {
    const custom = synthGuichet({
      ...EXAMPLE_PROPS,
      customDomain: {
        domainName: 'auth.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
      },
      returnToOrigins: ['https://app.example.com'],
      sessionTtlSeconds: 3600,
    });
    custom.template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GUICHET_PUBLIC_URL: 'https://auth.example.com',
          RETURN_TO_ORIGINS: 'https://app.example.com',
          SESSION_TTL_SECONDS: '3600',
        }),
      },
    });
    expect(custom.template.toJSON().Outputs.ApiUrl.Value).toBe('https://auth.example.com');
  });

  test('refuses invalid props before creating anything', () => {
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, oidcIssuer: 'http://idp.example.com' })).toThrow(/oidcIssuer/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, nativeAppRedirectSchemes: ['https'] })).toThrow(/custom scheme/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, returnToOrigins: ['https://a.example.com/x'] })).toThrow(
      /bare origin/,
    );
  });
});
