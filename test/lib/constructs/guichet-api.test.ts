import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { GuichetApi } from '../../../lib/constructs/guichet-api';
import type { RouteDefinition } from '../../../lambdas/routes';
import { hostStack, logicalId } from '../helpers';

const ROUTE: RouteDefinition = { id: 'Ping', method: 'POST', path: '/ping', entry: 'unused', tables: {}, secrets: [] };
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';

function synthApi(customDomain?: { domainName: string; certificateArn: string }) {
  const stack = hostStack();
  const api = new GuichetApi(stack, 'Api', { logRetention: logs.RetentionDays.ONE_WEEK, customDomain });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  api.addRoute(ROUTE, handler);
  return { stack, api, handler, template: Template.fromStack(stack) };
}

describe('without a custom domain', () => {
  let synth: ReturnType<typeof synthApi>;
  beforeAll(() => {
    synth = synthApi();
  });

  test('has no CORS and serves the default stage with detailed metrics', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { DetailedMetricsEnabled: true },
    });
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

  test('publishes the execute-api endpoint as public URL', () => {
    expect(synth.stack.resolve(synth.api.publicUrl)).toEqual({
      'Fn::GetAtt': [logicalId(synth.api.httpApi), 'ApiEndpoint'],
    });
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
});
