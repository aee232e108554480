import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { QUEUES, type QueueName } from '../../lambdas/queues';
import { ROUTES } from '../../lambdas/routes';
import { SECRETS, type SecretName } from '../../lambdas/secrets';
import { STACK_SETTINGS } from '../../lambdas/settings';
import { MetricName } from '../../lambdas/shared/metric-names';
import { TABLE_NAMES, TABLES, type TableName } from '../../lambdas/tables';
import { SERVER_ERROR_RATE_ALARM_ID } from '../../lib/constructs/operations-alarms';
import type { GuichetProps } from '../../lib/guichet-config';
import {
  CLIENT_AUTHENTICATION_ALARM_ID,
  DEPENDENCY_FAILURE_ALARM_ID,
  GuichetStack,
  IDP_CACHE_REFRESH_ALARM_ID,
  LOGOUT_REJECTION_ALARM_ID,
  SIGNING_KEYS_ROTATION_ALARM_ID,
} from '../../lib/guichet-stack';
import { pascalCase, routeKey, tableNameOutputKey } from '../../lib/naming';
import {
  actionsOf,
  dashboardWidgets,
  EXAMPLE_PROPS,
  logicalId,
  mentions,
  roleStatements,
  type Statement,
  synthGuichet,
  testApp,
} from './helpers';

const SHARED_VARIABLES = ['GUICHET_PUBLIC_URL', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];

let stack: GuichetStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthGuichet());
});

const statementsOf = (routeId: string) => roleStatements(template, logicalId(stack.functions[routeId].role));
const functionOf = (routeId: string) => template.toJSON().Resources[logicalId(stack.functions[routeId].function)];
const ROUTE_CASES = ROUTES.map((route) => [route.id, route] as const);

test('has one Lambda per route plus the rotation, the IdP cache refresh and the two of downstream logout, on nodejs24.x and arm64', () => {
  template.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 4);
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
  const queueVariables = Object.keys(route.queues ?? {}).map((name) => QUEUES[name as QueueName].urlEnvVar);
  expect(Object.keys(variables).sort()).toEqual([...SHARED_VARIABLES, ...tableVariables, ...secretVariables, ...queueVariables].sort());
  for (const name of Object.keys(route.tables) as TableName[]) {
    expect(variables[TABLES[name].envVar]).toEqual({ Ref: logicalId(stack.tables[name]) });
  }
  for (const name of route.secrets) {
    expect(variables[SECRETS[name].arnEnvVar]).toEqual({ Ref: logicalId(stack.secrets[name]) });
  }
  expect(variables.GUICHET_PUBLIC_URL).toEqual({ 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] });
  expect(variables.OIDC_ISSUER).toBe(EXAMPLE_PROPS.oidcIssuer);
});

test.each(ROUTE_CASES)('%s: may perform exactly the operations its route declares, table by table', (id, route) => {
  for (const name of TABLE_NAMES) {
    const onTable = statementsOf(id).filter((statement) => mentions(statement, logicalId(stack.tables[name])));
    const grant = route.tables[name];
    const itemActions = onTable.filter((statement) => !JSON.stringify(statement.Resource).includes('/index/')).flatMap(actionsOf);
    const queriedIndexes = onTable
      .filter((statement) => actionsOf(statement).includes('dynamodb:Query'))
      .flatMap((statement) => [...JSON.stringify(statement.Resource).matchAll(/\/index\/(\w+)/g)].map((match) => match[1]));
    expect(itemActions.sort()).toEqual((grant?.items ?? []).map((action) => `dynamodb:${action}`).sort());
    expect(queriedIndexes.sort()).toEqual([...(grant?.queries ?? [])].sort());
  }
});

test.each(ROUTE_CASES)('%s: may read only the secrets its route names', (id, route) => {
  for (const name of Object.keys(SECRETS) as SecretName[]) {
    const reads = statementsOf(id).some(
      (statement) => mentions(statement, logicalId(stack.secrets[name])) && actionsOf(statement).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads).toBe(route.secrets.includes(name));
  }
});

test('the session route reads sessions and nothing of the login flows', () => {
  const statements = statementsOf('AuthSession');
  const on = (name: TableName) => statements.filter((statement) => mentions(statement, logicalId(stack.tables[name]))).flatMap(actionsOf);
  expect(on('sessions')).toEqual(['dynamodb:GetItem']);
  expect(on('loginFlows')).toEqual([]);
});

test('no role has a managed policy, may Scan, or uses a wildcard other than for X-Ray', () => {
  template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
  const actions = statements.flatMap(actionsOf);
  expect(actions.filter((action) => action === 'dynamodb:Scan' || action.includes('*'))).toEqual([]);
  const wildcardActions = statements.filter((statement) => JSON.stringify(statement.Resource).includes('*')).flatMap(actionsOf);
  expect([...new Set(wildcardActions)]).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
});

test('creates one secret per definition, with its description', () => {
  template.resourceCountIs('AWS::SecretsManager::Secret', Object.keys(SECRETS).length);
  for (const definition of Object.values(SECRETS)) {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: definition.description });
  }
});

test('reserves concurrency for the add-in poll alone, 100 by default, resized by pollReservedConcurrency', () => {
  const reserved = (resources: Record<string, Record<string, { ReservedConcurrentExecutions?: number }>>) =>
    Object.entries(resources)
      .filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined)
      .map(([id, fn]) => [id, fn.Properties.ReservedConcurrentExecutions]);
  expect(reserved(template.findResources('AWS::Lambda::Function'))).toEqual([[logicalId(stack.functions.AddinSessionsPoll.function), 100]]);
  const resized = synthGuichet({ ...EXAMPLE_PROPS, pollReservedConcurrency: 250 });
  expect(reserved(resized.template.findResources('AWS::Lambda::Function'))).toEqual([
    [logicalId(resized.stack.functions.AddinSessionsPoll.function), 250],
  ]);
});

test('serves no request before the first signing key set exists: the API stage depends on it', () => {
  const stage = template.toJSON().Resources[logicalId(stack.api.stage)];
  expect(stage.DependsOn).toContain(logicalId(stack.signingKeysRotation.keySet));
});

test("serves no request before the IdP's documents are cached: the API stage depends on the first refresh", () => {
  const stage = template.toJSON().Resources[logicalId(stack.api.stage)];
  expect(stage.DependsOn).toContain(logicalId(stack.idpCacheRefresh.cacheFilled));
  template.hasResourceProperties('Custom::IdpCache', { Issuer: EXAMPLE_PROPS.oidcIssuer });
});

test('the IdP cache is written by the refresher alone, and read by the login and callback functions alone', () => {
  const table = logicalId(stack.tables.idpCache);
  const roles = new Map(Object.entries(stack.functions).map(([id, fn]) => [logicalId(fn.role), id])).set(
    logicalId(stack.idpCacheRefresh.function.role),
    'refresh',
  );
  const allowed = (action: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.PolicyDocument.Statement as Statement[]).some(
          (statement) => mentions(statement, table) && actionsOf(statement).includes(action),
        ),
      )
      .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((role) => roles.get(role.Ref) ?? role.Ref))
      .sort();
  expect(allowed('dynamodb:PutItem')).toEqual(['refresh']);
  expect(allowed('dynamodb:GetItem')).toEqual(['AuthCallback', 'AuthLogin']);
  expect(['dynamodb:UpdateItem', 'dynamodb:DeleteItem'].flatMap(allowed)).toEqual([]);
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
      customDomainName: 'auth.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
      returnToOrigins: ['https://app.example.com'],
      sessionTtlSeconds: 3600,
      tokenFailureLimit: 5,
      tokenFailureWindowSeconds: 60,
      signingKeysCacheSeconds: 120,
    });
    const resources = custom.template.toJSON().Resources;
    for (const fn of Object.values(custom.stack.functions)) {
      expect(resources[logicalId(fn.function)].Properties.Environment.Variables).toMatchObject({
        GUICHET_PUBLIC_URL: 'https://auth.example.com',
        RETURN_TO_ORIGINS: 'https://app.example.com',
        SESSION_TTL_SECONDS: '3600',
        TOKEN_FAILURE_LIMIT: '5',
        TOKEN_FAILURE_WINDOW_SECONDS: '60',
        SIGNING_KEYS_CACHE_SECONDS: '120',
      });
    }
    expect(custom.template.toJSON().Outputs.ApiUrl.Value).toBe('https://auth.example.com');
  });

  test('refuses invalid props before creating anything', () => {
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, oidcIssuer: 'http://idp.example.com' })).toThrow(/oidcIssuer/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, nativeAppRedirectSchemes: ['https'] })).toThrow(/custom scheme/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, returnToOrigins: ['https://a.example.com/x'] })).toThrow(/bare origin/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, alarmEmail: 'ops' })).toThrow(/alarmEmail/);
    expect(() => synthGuichet({ ...EXAMPLE_PROPS, routeThrottles: { Nope: { rateLimit: 1, burstLimit: 1 } } })).toThrow(
      /"Nope" is no route id/,
    );
  });
});

describe('signing keys', () => {
  const rotationRole = () => logicalId(stack.signingKeysRotation.function.role);
  const policyStatements = () =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
        statement,
        roles: (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref),
      })),
    );
  /** Route id (or "rotation") of every role allowed this action on the secret. */
  const rolesAllowed = (action: string, name: SecretName) => {
    const names = new Map<string, string>(Object.entries(stack.functions).map(([id, fn]) => [logicalId(fn.role), id]))
      .set(rotationRole(), 'rotation')
      .set(logicalId(stack.downstreamLogout.delivery.role), 'logoutDelivery');
    const roles = policyStatements()
      .filter(({ statement }) => mentions(statement, logicalId(stack.secrets[name])) && actionsOf(statement).includes(action))
      .flatMap(({ roles }) => roles);
    return [...new Set(roles.map((role) => names.get(role) ?? role))].sort();
  };

  test('the secret is readable by exactly the token endpoints, JWKS, add-in exchange, rotation and logout delivery Lambdas', () => {
    expect(rolesAllowed('secretsmanager:GetSecretValue', 'signingKeys')).toEqual(
      ['AddinSessionsExchange', 'AuthToken', 'Jwks', 'OAuthToken', 'rotation', 'logoutDelivery'].sort(),
    );
    const namingRoutes = ROUTES.filter((route) => route.secrets.includes('signingKeys')).map((route) => route.id);
    expect(rolesAllowed('secretsmanager:GetSecretValue', 'signingKeys')).toEqual([...namingRoutes, 'rotation', 'logoutDelivery'].sort());
  });

  test('every other secret is readable by exactly the routes naming it', () => {
    for (const name of ['oidcClientSecret', 'addinCsrfKey'] as const) {
      const namingRoutes = ROUTES.filter((route) => route.secrets.includes(name)).map((route) => route.id);
      expect(rolesAllowed('secretsmanager:GetSecretValue', name)).toEqual(namingRoutes.sort());
    }
  });

  test('only the rotation Lambda may write a secret, and only the signing keys', () => {
    const writers = policyStatements().filter(({ statement }) =>
      actionsOf(statement).some((action) => /^secretsmanager:(Put|Update|Create|Delete|RotateSecret)/.test(action)),
    );
    expect(writers.flatMap(({ roles }) => roles)).toEqual([rotationRole()]);
    expect(writers.map(({ statement }) => statement.Resource)).toEqual([{ Ref: logicalId(stack.secrets.signingKeys) }]);
  });

  test('are rotated by the rotation Lambda every 30 days, and at once on deploy', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: logicalId(stack.secrets.signingKeys) },
      RotationLambdaARN: { 'Fn::GetAtt': [logicalId(stack.signingKeysRotation.function.function), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  test('the rotation Lambda generates RS256 keys unless told ES256', () => {
    const algorithmOf = (synth: { stack: GuichetStack; template: Template }) =>
      synth.template.toJSON().Resources[logicalId(synth.stack.signingKeysRotation.function.function)].Properties.Environment.Variables
        .SIGNING_ALGORITHM;
    expect(algorithmOf({ stack, template })).toBe('RS256');
    expect(algorithmOf(synthGuichet({ ...EXAMPLE_PROPS, signingAlgorithm: 'ES256' }))).toBe('ES256');
  });

  test('ES256 warns that the JWT authorizer cannot verify the tokens', () => {
    const es256 = synthGuichet({ ...EXAMPLE_PROPS, signingAlgorithm: 'ES256' });
    Annotations.fromStack(es256.stack).hasWarning('/Guichet', Match.stringLikeRegexp('RSA signatures only'));
  });
});

describe('guichetTokenAuthorizer', () => {
  /** A stack whose operator protects one extra route with the authorizer. */
  function withProtectedRoute(props: GuichetProps) {
    const guichet = new GuichetStack(testApp(), 'Guichet', props);
    guichet.api.httpApi.addRoutes({
      path: '/protected',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpUrlIntegration('Protected', 'https://backend.example.com'),
      authorizer: guichet.guichetTokenAuthorizer,
    });
    return { guichet, template: Template.fromStack(guichet) };
  }

  test('is bound to no route of the route table', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.allResourcesProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' });
  });

  test('bound to a route: a JWT authorizer on the Authorization header, for guichet-issued tokens', () => {
    const { guichet, template: protectedTemplate } = withProtectedRoute(EXAMPLE_PROPS);
    const endpoint = { 'Fn::GetAtt': [logicalId(guichet.api.httpApi), 'ApiEndpoint'] };
    protectedTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    protectedTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: logicalId(guichet.api.httpApi) },
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: endpoint,
        Audience: [{ 'Fn::Join': ['', [endpoint, '/external-api']] }],
      },
    });
    const authorizerId = Object.keys(protectedTemplate.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    protectedTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /protected',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
  });

  test('with a custom domain and audience, trusts that issuer and audience', () => {
    const { template: protectedTemplate } = withProtectedRoute({
      ...EXAMPLE_PROPS,
      customDomainName: 'auth.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
      accessTokenAudience: 'https://api.example.com',
    });
    protectedTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://auth.example.com', Audience: ['https://api.example.com'] },
    });
  });

  test("one authorizer per audience: user tokens of a product API are not accepted where guichet's own are", () => {
    const guichet = new GuichetStack(testApp(), 'Guichet', {
      ...EXAMPLE_PROPS,
      apiAudiences: { 'https://api.product.example': ['profile:read'] },
    });
    const product = guichet.guichetTokenAuthorizerFor('https://api.product.example');
    expect(guichet.guichetTokenAuthorizerFor('https://api.product.example')).toBe(product);
    expect(product).not.toBe(guichet.guichetTokenAuthorizer);
    for (const [path, authorizer] of [
      ['/own', guichet.guichetTokenAuthorizer],
      ['/product', product],
    ] as const) {
      guichet.api.httpApi.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.GET],
        integration: new HttpUrlIntegration(path, 'https://backend.example.com'),
        authorizer,
      });
    }
    const audiences = Object.values(Template.fromStack(guichet).findResources('AWS::ApiGatewayV2::Authorizer')).map(
      (resource) => resource.Properties.JwtConfiguration.Audience,
    );
    expect(audiences).toHaveLength(2);
    expect(audiences).toContainEqual(['https://api.product.example']);
  });

  test('the route table serves the discovery document API Gateway fetches from <issuer>', () => {
    expect(ROUTES.some((route) => route.method === 'GET' && route.path === '/.well-known/openid-configuration')).toBe(true);
  });
});

describe('alarms and dashboard', () => {
  test('alarm on a burst of client-authentication failures: Sum over 5 minutes >= 50, missing data fine', () => {
    const alarm = stack.alarms.alarms[CLIENT_AUTHENTICATION_ALARM_ID];
    expect(template.toJSON().Resources[logicalId(alarm)].Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 50,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expect.objectContaining({
          MetricStat: {
            Metric: {
              Namespace: 'Guichet',
              MetricName: MetricName.ClientAuthenticationFailed,
              Dimensions: [{ Name: 'service', Value: 'guichet' }],
            },
            Period: 300,
            Stat: 'Sum',
          },
        }),
      ],
    });
    expect(template.toJSON().Outputs[`${CLIENT_AUTHENTICATION_ALARM_ID}AlarmName`].Value).toEqual({
      Ref: logicalId(alarm),
    });
  });

  test('the alarm threshold is configurable', () => {
    const custom = synthGuichet({ ...EXAMPLE_PROPS, authFailureAlarmThreshold: 7 });
    custom.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 7 });
  });

  test('the dashboard has a Machine-to-machine section, with tokens per application found by SEARCH', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('## Machine-to-machine');
    expect(body).toContain('SEARCH(');
    expect(body).toContain(MetricName.DelegationRefused);
  });

  test.each([
    [LOGOUT_REJECTION_ALARM_ID, MetricName.LogoutTokenRejected, 20, { logoutRejectionAlarmThreshold: 3 }],
    [DEPENDENCY_FAILURE_ALARM_ID, MetricName.DependencyFailed, 10, { dependencyFailureAlarmThreshold: 4 }],
  ] as const)(
    '%s: on the service-wide total of %s, whatever the reason, %i in 5 minutes unless configured',
    (alarmId, metricName, threshold, configuration) => {
      expect(template.toJSON().Resources[logicalId(stack.alarms.alarms[alarmId])].Properties).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [
          expect.objectContaining({
            MetricStat: expect.objectContaining({
              Metric: { Namespace: 'Guichet', MetricName: metricName, Dimensions: [{ Name: 'service', Value: 'guichet' }] },
            }),
          }),
        ],
      });
      const configured = synthGuichet({ ...EXAMPLE_PROPS, ...configuration });
      expect(configured.template.toJSON().Resources[logicalId(configured.stack.alarms.alarms[alarmId])].Properties.Threshold).toBe(
        Object.values(configuration)[0],
      );
    },
  );

  test('alarm on any error of the signing-keys rotation', () => {
    const alarm = stack.alarms.alarms[SIGNING_KEYS_ROTATION_ALARM_ID];
    expect(template.toJSON().Resources[logicalId(alarm)].Properties).toMatchObject({
      Threshold: 1,
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.signingKeysRotation.function.function) } }],
    });
  });

  test('the dashboard has a User tokens section: minted per audience (SEARCH) and per flow, refused by reason', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('## User tokens for product APIs');
    expect(body).toContain(`SEARCH('{Guichet,audience,service} MetricName=`);
    expect(body).toContain(MetricName.UserTokenRefused);
    expect(body).toContain('invalid_target');
  });

  test('the dashboard has a Back-channel logout section', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('## Back-channel logout');
    expect(body).toContain(MetricName.LogoutTokenAccepted);
  });
});

describe('throttling', () => {
  const settingsOf = (synth: { template: Template }) =>
    Object.values(synth.template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
  const limits = (throttle: { rateLimit: number; burstLimit: number }) => ({
    ThrottlingRateLimit: throttle.rateLimit,
    ThrottlingBurstLimit: throttle.burstLimit,
  });

  test('routes with a throttle in the route table get it, the others the default', () => {
    const stage = settingsOf({ template });
    const defaultThrottle = {
      rateLimit: STACK_SETTINGS.defaultThrottleRate.default,
      burstLimit: STACK_SETTINGS.defaultThrottleBurst.default,
    };
    expect(stage.DefaultRouteSettings).toEqual({ DetailedMetricsEnabled: true, ...limits(defaultThrottle) });
    const strict = ROUTES.filter((route) => route.throttle);
    expect(strict.map((route) => route.id)).toEqual(
      expect.arrayContaining(['OAuthToken', 'AuthSessionExchange', 'AddinSessionsInit', 'AddinSessionsExchange']),
    );
    expect(stage.RouteSettings).toEqual(
      Object.fromEntries(strict.map((route) => [routeKey(route), { DetailedMetricsEnabled: true, ...limits(route.throttle!) }])),
    );
  });

  test('the operator default replaces the default throttle, and route overrides replace the route table', () => {
    const override = { rateLimit: 7, burstLimit: 14 };
    const stage = settingsOf(
      synthGuichet({
        ...EXAMPLE_PROPS,
        defaultThrottleRate: 100,
        defaultThrottleBurst: 150,
        routeThrottles: { OAuthToken: override, Jwks: override },
      }),
    );
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 150 });
    expect(stage.RouteSettings['POST /oauth/token']).toMatchObject(limits(override));
    expect(stage.RouteSettings['GET /.well-known/jwks.json']).toMatchObject(limits(override));
    expect(stage.RouteSettings['POST /auth/session-exchange']).toMatchObject({ ThrottlingRateLimit: 50 });
  });
});

describe('operations alarms', () => {
  const alarmIds = () => Object.keys(stack.alarms.alarms);

  test('5xx rate of the API at or above 5 % by default, configurable', () => {
    const alarm = stack.alarms.alarms[SERVER_ERROR_RATE_ALARM_ID];
    expect(template.toJSON().Resources[logicalId(alarm)].Properties).toMatchObject({
      Threshold: 5,
      Metrics: expect.arrayContaining([expect.objectContaining({ Expression: '100 * FILL(errors, 0) / requests' })]),
    });
    const custom = synthGuichet({ ...EXAMPLE_PROPS, serverErrorRateAlarmPercent: 1.5 });
    const customAlarm = custom.stack.alarms.alarms[SERVER_ERROR_RATE_ALARM_ID];
    expect(custom.template.toJSON().Resources[logicalId(customAlarm)].Properties.Threshold).toBe(1.5);
  });

  test.each(ROUTE_CASES)('%s: its Lambda errors and throttles each raise an alarm', (id) => {
    for (const [kind, metricName] of [
      ['Errors', 'Errors'],
      ['Throttles', 'Throttles'],
    ]) {
      const alarm = stack.alarms.alarms[`${id}${kind}`];
      expect(template.toJSON().Resources[logicalId(alarm)].Properties).toMatchObject({
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.functions[id].function) } }],
      });
    }
  });

  test('the rotation Lambda throttles raise an alarm too', () => {
    expect(alarmIds()).toEqual(expect.arrayContaining(['SigningKeysRotationErrors', 'SigningKeysRotationThrottles']));
  });

  test('the IdP cache refresh raises an alarm when it fails through two periods (a blip is mended by the next run), and on any throttle', () => {
    expect(alarmIds()).toEqual(expect.arrayContaining([IDP_CACHE_REFRESH_ALARM_ID, 'IdpCacheRefreshThrottles']));
    expect(template.toJSON().Resources[logicalId(stack.alarms.alarms[IDP_CACHE_REFRESH_ALARM_ID])].Properties).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.idpCacheRefresh.function.function) } }],
    });
  });

  test.each(TABLE_NAMES)('%s: throttled requests raise an alarm', (name) => {
    const alarm = stack.alarms.alarms[`${pascalCase(name)}TableThrottles`];
    expect(JSON.stringify(template.toJSON().Resources[logicalId(alarm)].Properties.Metrics)).toContain(
      JSON.stringify({ Name: 'TableName', Value: { Ref: logicalId(stack.tables[name]) } }),
    );
  });

  test('no alarm has an action without alarmEmail', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  test('with alarmEmail, every alarm notifies the topic that e-mails it', () => {
    const notified = synthGuichet({ ...EXAMPLE_PROPS, alarmEmail: 'ops@example.com' });
    const topic = { Ref: logicalId(notified.stack.alarms.topic!) };
    const alarms = notified.template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(Object.keys(notified.stack.alarms.alarms).length);
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmActions).toEqual([topic]);
    notified.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('operations dashboard', () => {
  let widgets: ReturnType<typeof dashboardWidgets>;
  beforeAll(() => {
    widgets = dashboardWidgets(template);
  });
  const titles = () => widgets.map((widget) => widget.properties.title);

  test('business sections first, then the API, routes, rotation, IdP cache refresh, cold starts and tables', () => {
    const sections = widgets.filter((widget) => widget.type === 'text').map((widget) => widget.properties.markdown);
    expect(sections).toEqual([
      '## Logins and sessions',
      '## Native apps',
      '## Office add-ins',
      '## Machine-to-machine',
      '## User tokens for product APIs',
      '## Back-channel logout',
      '## Logout downstream (product backends)',
      '## Dependencies and limits',
      '## API',
      '## Routes',
      '## Signing-keys rotation',
      '## IdP cache refresh',
      '## Logout delivery',
      '## Logout outbox sweeper',
      '## Lambda cold starts',
      '## DynamoDB tables',
    ]);
  });

  test.each(ROUTE_CASES)('%s: a row of requests, latency, errors and concurrency', (id, route) => {
    const key = routeKey(route);
    const row = ['requests', 'latency', 'errors, throttles', 'concurrency'].map((what) => `${key}: ${what}`);
    expect(titles()).toEqual(expect.arrayContaining(row));
    const requests = JSON.stringify(widgets.find((widget) => widget.properties.title === `${key}: requests`));
    expect(requests).toContain(`"Route","${key}"`);
    const errors = JSON.stringify(widgets.find((widget) => widget.properties.title === `${key}: errors, throttles`));
    expect(errors).toContain(`"FunctionName","${logicalId(stack.functions[id].function)}"`);
  });

  test('the rotation and IdP cache refresh Lambdas have their rows', () => {
    expect(titles()).toEqual(expect.arrayContaining(['Signing-keys rotation: errors, throttles', 'IdP cache refresh: errors, throttles']));
  });

  test('cold starts are read from the log group of every Lambda', () => {
    const query = widgets.find((widget) => widget.type === 'log')?.properties.query ?? '';
    for (const fn of [...Object.values(stack.functions), stack.signingKeysRotation.function, stack.idpCacheRefresh.function]) {
      expect(query).toContain(`SOURCE '${logicalId(fn.logGroup)}'`);
    }
  });

  test.each(TABLE_NAMES)('%s: capacity and throttled requests', (name) => {
    const widget = JSON.stringify(widgets.find((candidate) => candidate.properties.title === `Table ${name}`));
    expect(widget).toContain(`"TableName","${logicalId(stack.tables[name])}"`);
    expect(widget).toContain('ThrottledRequests');
  });
});

describe('the example product API', () => {
  const PRODUCT = 'https://api.product.example';
  const withExample = () =>
    synthGuichet({
      ...EXAMPLE_PROPS,
      apiAudiences: { [PRODUCT]: ['profile:read', 'notes:write'] },
      exampleProductApi: { audience: PRODUCT, scope: 'profile:read' },
    });

  test('is not there unless asked for', () => {
    expect(stack.exampleProductApi).toBeUndefined();
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('one route behind the JWT authorizer of its audience, requiring its scope', () => {
    const { stack: guichet, template: exampleTemplate } = withExample();
    exampleTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    exampleTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: { 'Fn::GetAtt': [logicalId(guichet.api.httpApi), 'ApiEndpoint'] }, Audience: [PRODUCT] },
    });
    const [authorizerId] = Object.keys(exampleTemplate.findResources('AWS::ApiGatewayV2::Authorizer'));
    exampleTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /example-product/profile',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: ['profile:read'],
    });
  });

  test("its Lambda holds no grant but its logs and traces, and no setting of guichet's", () => {
    const { stack: guichet, template: exampleTemplate } = withExample();
    const example = guichet.exampleProductApi!.function;
    const actions = roleStatements(exampleTemplate, logicalId(example.role)).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => !/^(logs|xray):/.test(String(action)))).toEqual([]);
    const variables = exampleTemplate.toJSON().Resources[logicalId(example.function)].Properties.Environment?.Variables ?? {};
    expect(Object.keys(variables).filter((name) => !name.startsWith('AWS_') && name !== 'NODE_OPTIONS')).toEqual([]);
  });
});
