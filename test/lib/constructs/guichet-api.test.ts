import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { RouteDefinition, RouteThrottle } from '../../../lambdas/routes';
import { GuichetApi } from '../../../lib/constructs/guichet-api';
import { hostStack, logicalId } from '../helpers';

const ROUTE: RouteDefinition = { id: 'Ping', method: 'POST', path: '/ping', entry: 'unused', tables: {}, secrets: [] };
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';
const DEFAULT_THROTTLE: RouteThrottle = { rateLimit: 300, burstLimit: 600 };

function synthApi(customDomain?: { domainName: string; certificateArn: string }, throttle?: RouteThrottle, corsOrigins?: string[]) {
  const stack = hostStack();
  const api = new GuichetApi(stack, 'Api', {
    logRetention: logs.RetentionDays.ONE_WEEK,
    customDomain,
    defaultThrottle: DEFAULT_THROTTLE,
    corsOrigins,
  });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  api.addRoute(ROUTE, handler, throttle);
  return { stack, api, handler, template: Template.fromStack(stack) };
}

const stageOf = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];

describe('with CORS origins', () => {
  test('answers their preflights with credentials, GET and POST, the contract headers and an hour of caching, and exposes Retry-After', () => {
    const { template } = synthApi(undefined, undefined, ['https://app.example.com', 'https://addin.example.com']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com', 'https://addin.example.com'],
        AllowCredentials: true,
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['content-type', 'x-csrftoken', 'x-guichet-completion', 'authorization', 'x-requested-with'],
        ExposeHeaders: ['Retry-After'],
        MaxAge: 3600,
      },
    });
  });
});

describe('without a custom domain', () => {
  let synth: ReturnType<typeof synthApi>;
  beforeAll(() => {
    synth = synthApi();
  });

  test('has no CORS by default (same-origin only) and serves the default stage with detailed metrics and the default throttling', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { DetailedMetricsEnabled: true, ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 },
    });
  });

  test('a route added without throttle of its own gets no route settings', () => {
    expect(stageOf(synth.template).Properties.RouteSettings).toBeUndefined();
  });

  test('writes JSON access logs to its own log group, without query strings or headers', () => {
    const stage = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage.Properties.AccessLogSettings;
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(synth.api.accessLogs), 'Arn'] });
    const format = JSON.parse(settings.Format);
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(['requestId', 'ip', 'method', 'routeKey', 'status', 'latency', 'integrationErrorMessage']),
    );
    expect(settings.Format).not.toMatch(/querystring|header|\$context\.path|authorizer|\$input|\$request/i);
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('routes METHOD path to the handler', () => {
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    const integrationId = Object.keys(synth.template.findResources('AWS::ApiGatewayV2::Integration'))[0];
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /ping',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(synth.handler), 'Arn'] },
    });
    expect(Object.keys(synth.api.routes)).toEqual(['Ping']);
  });

  test('keeps the execute-api endpoint open: it is the public URL', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
  });

  test('publishes the execute-api endpoint as public URL', () => {
    expect(synth.stack.resolve(synth.api.publicUrl)).toEqual({
      'Fn::GetAtt': [logicalId(synth.api.httpApi), 'ApiEndpoint'],
    });
  });
});

describe('with a route throttle', () => {
  test('sets the route settings under its route key, keeping detailed metrics, once the route exists', () => {
    const { api, template } = synthApi(undefined, { rateLimit: 5, burstLimit: 10 });
    const stage = stageOf(template);
    expect(stage.Properties.RouteSettings).toEqual({
      'POST /ping': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, DetailedMetricsEnabled: true },
    });
    expect(stage.DependsOn).toContain(logicalId(api.routes.Ping));
  });
});

describe('with a custom domain', () => {
  test('maps the domain to the default stage and publishes it as public URL', () => {
    const { api, template } = synthApi({ domainName: 'auth.example.com', certificateArn: CERTIFICATE_ARN });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'auth.example.com',
      DomainNameConfigurations: [{ CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL' }],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: '$default' });
    expect(api.publicUrl).toBe('https://auth.example.com');
  });

  test('closes the execute-api endpoint, so that nothing bypasses what guards the domain (WAF, CloudFront)', () => {
    const { template } = synthApi({ domainName: 'auth.example.com', certificateArn: CERTIFICATE_ARN });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });
});
