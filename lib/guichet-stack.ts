import { createHash } from 'node:crypto';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { QUEUE_NAMES } from '../lambdas/queues';
import { ROUTES } from '../lambdas/routes';
import { SECRETS, type SecretName } from '../lambdas/secrets';
import { LAMBDA_SETTINGS } from '../lambdas/settings';
import { MetricName } from '../lambdas/shared/metric-names';
import { keySchedule } from '../lambdas/shared/signing-key-schedule';
import { TABLE_NAMES, type TableName } from '../lambdas/tables';
import {
  addinWidgets,
  backchannelLogoutWidgets,
  businessMetric,
  dependencyWidgets,
  downstreamLogoutWidgets,
  exchangeCodeWidgets,
  failedDeliveriesDepth,
  machineToMachineWidgets,
  userTokenWidgets,
} from './constructs/business-widgets';
import { DownstreamLogout } from './constructs/downstream-logout';
import { ExampleProductApi } from './constructs/example-product-api';
import { GuichetAlarms } from './constructs/guichet-alarms';
import { GuichetApi } from './constructs/guichet-api';
import { GuichetDashboard } from './constructs/guichet-dashboard';
import { GuichetFunction } from './constructs/guichet-function';
import { GuichetTables } from './constructs/guichet-tables';
import { IdpCacheRefresh } from './constructs/idp-cache-refresh';
import { addFunctionAlarms, addServerErrorRateAlarm, addTableThrottlesAlarm } from './constructs/operations-alarms';
import { apiWidgets, functionWidgets, initDurationWidget, routeWidgets, tableWidget } from './constructs/operations-widgets';
import { SigningKeysRotation } from './constructs/signing-keys-rotation';
import { type GuichetProps, validateProps } from './guichet-config';
import { sharedLambdaEnvironment } from './lambda-environment';
import { pascalCase, queueUrlOutputKey, secretArnOutputKey, tableNameOutputKey } from './naming';

export interface GuichetStackProps extends StackProps, GuichetProps {}

/** Id of the alarm on client-authentication failures; its name is output as `<id>AlarmName`. */
export const CLIENT_AUTHENTICATION_ALARM_ID = 'ClientAuthenticationFailures';
export const LOGOUT_REJECTION_ALARM_ID = 'LogoutTokenRejections';
export const SIGNING_KEYS_ROTATION_ALARM_ID = 'SigningKeysRotationErrors';
export const IDP_CACHE_REFRESH_ALARM_ID = 'IdpCacheRefreshErrors';
export const DEPENDENCY_FAILURE_ALARM_ID = 'DependencyFailures';
export const FAILED_LOGOUT_DELIVERIES_ALARM_ID = 'FailedLogoutDeliveries';

/** The whole broker: one Lambda per route of the route table, with exactly the tables and secrets it names. */
export class GuichetStack extends Stack {
  readonly api: GuichetApi;
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly secrets: Readonly<Record<SecretName, secretsmanager.Secret>>;
  /** By route id. */
  readonly functions: Readonly<Record<string, GuichetFunction>>;
  readonly dashboard: GuichetDashboard;
  /** Generates the signing keys on deploy and every 30 days. */
  readonly signingKeysRotation: SigningKeysRotation;
  /** Keeps the IdP's discovery document and JWKS in the idpCache table, on a schedule and at deploy. */
  readonly idpCacheRefresh: IdpCacheRefresh;
  /** Tells product backends of the sessions that end: the delivery queue, its dead-letter queue and their functions. */
  readonly downstreamLogout: DownstreamLogout;
  /**
   * Accepts guichet's own access tokens (issuer: the public URL; audience: `accessTokenAudience`). No route
   * of the route table uses it: bind it to other routes of `api.httpApi` to protect them without code.
   */
  readonly guichetTokenAuthorizer: HttpJwtAuthorizer;
  readonly alarms: GuichetAlarms;
  /** Set when the `exampleProductApi` prop asks for it. */
  readonly exampleProductApi?: ExampleProductApi;
  private readonly accessTokenAudience: string;
  private readonly tokenAuthorizers = new Map<string, HttpJwtAuthorizer>();

  constructor(scope: Construct, id: string, props: GuichetStackProps) {
    super(scope, id, props);
    const settings = validateProps(props);
    const logRetention = settings.logRetentionDays as logs.RetentionDays;

    this.tables = new GuichetTables(this, 'Tables').tables;
    // Values are set by the operator (client secret) or by their rotation Lambda (signing keys).
    this.secrets = Object.fromEntries(
      Object.entries(SECRETS).map(([name, { description }]) => [name, new secretsmanager.Secret(this, pascalCase(name), { description })]),
    ) as Record<SecretName, secretsmanager.Secret>;
    this.api = new GuichetApi(this, 'Api', {
      logRetention,
      corsOrigins: settings.corsOrigins,
      customDomain:
        settings.customDomainName && settings.certificateArn
          ? { domainName: settings.customDomainName, certificateArn: settings.certificateArn }
          : undefined,
      defaultThrottle: { rateLimit: settings.defaultThrottleRate, burstLimit: settings.defaultThrottleBurst },
    });

    const environment = sharedLambdaEnvironment(settings, this.api.publicUrl);
    this.downstreamLogout = new DownstreamLogout(this, 'DownstreamLogout', {
      tables: this.tables,
      secrets: this.secrets,
      environment,
      logRetention,
    });
    const resources = { tables: this.tables, secrets: this.secrets, queues: this.downstreamLogout.queues };
    this.functions = Object.fromEntries(
      ROUTES.map((route) => {
        const fn = new GuichetFunction(this, route.id, {
          entry: route.entry,
          environment,
          logRetention,
          timeoutSeconds: route.timeoutSeconds,
          reservedConcurrency: route.reservedConcurrency && settings[route.reservedConcurrency],
        });
        fn.useGrants(route, resources);
        this.api.addRoute(route, fn.function, settings.routeThrottles?.[route.id] ?? route.throttle);
        return [route.id, fn];
      }),
    );

    this.signingKeysRotation = new SigningKeysRotation(this, 'SigningKeysRotation', {
      secret: this.secrets.signingKeys,
      algorithm: settings.signingAlgorithm,
      schedule: keySchedule(settings),
      logRetention,
    });
    // The API serves no request before the first signing key set exists.
    this.api.stage.node.addDependency(this.signingKeysRotation.keySet);
    this.idpCacheRefresh = new IdpCacheRefresh(this, 'IdpCacheRefresh', {
      table: this.tables.idpCache,
      environment,
      issuer: settings.oidcIssuer,
      logRetention,
    });
    // Nor before the IdP's documents are cached: no cold login waits for the IdP.
    this.api.stage.node.addDependency(this.idpCacheRefresh.cacheFilled);

    this.accessTokenAudience = settings.accessTokenAudience ?? LAMBDA_SETTINGS.accessTokenAudience.derive(this.api.publicUrl);
    this.guichetTokenAuthorizer = this.guichetTokenAuthorizerFor(this.accessTokenAudience);
    if (settings.exampleProductApi) {
      this.exampleProductApi = new ExampleProductApi(this, 'ExampleProductApi', {
        api: this.api,
        authorizer: this.guichetTokenAuthorizerFor(settings.exampleProductApi.audience),
        scope: settings.exampleProductApi.scope,
        logRetention,
      });
    }
    if (settings.signingAlgorithm === 'ES256') {
      Annotations.of(this).addWarningV2(
        'guichet:signingAlgorithmNotRsa',
        'signingAlgorithm ES256: API Gateway JWT authorizers verify RSA signatures only, so guichetTokenAuthorizer ' +
          'will refuse every token; do not bind it to a route.',
      );
    }

    this.alarms = new GuichetAlarms(this, 'Alarms', { alarmEmail: settings.alarmEmail });
    const clientAuthenticationAlarm = this.addClientAuthenticationAlarm(settings.authFailureAlarmThreshold);
    const logoutRejectionAlarm = this.alarms.addThresholdAlarm(LOGOUT_REJECTION_ALARM_ID, {
      metric: businessMetric(MetricName.LogoutTokenRejected),
      threshold: settings.logoutRejectionAlarmThreshold,
      description: 'A burst of rejected back-channel logout tokens: an attack, or a key or clock problem at the IdP',
    });

    const dependencyFailureAlarm = this.alarms.addThresholdAlarm(DEPENDENCY_FAILURE_ALARM_ID, {
      metric: businessMetric(MetricName.DependencyFailed),
      threshold: settings.dependencyFailureAlarmThreshold,
      description: 'Requests failed because the IdP, DynamoDB or Secrets Manager was unreachable, slow, throttling or failing',
    });

    const { logoutDeliveries, failedLogoutDeliveries } = this.downstreamLogout.queues;
    const failedLogoutDeliveriesAlarm = this.alarms.addThresholdAlarm(FAILED_LOGOUT_DELIVERIES_ALARM_ID, {
      metric: failedDeliveriesDepth(failedLogoutDeliveries),
      threshold: 1,
      description:
        'A downstream back-channel logout failed (a 4xx, or no success within LOGOUT_DELIVERY_MAX_AGE_SECONDS): a product ' +
        'backend was not told that a session ended. List and redrive with npm run logout-deliveries',
    });

    this.dashboard = new GuichetDashboard(this, 'Dashboard');
    this.dashboard.addSection('Native apps', exchangeCodeWidgets());
    this.dashboard.addSection('Office add-ins', addinWidgets());
    this.dashboard.addSection('Machine-to-machine', machineToMachineWidgets({ clientAuthenticationAlarm }));
    this.dashboard.addSection('User tokens for product APIs', userTokenWidgets());
    this.dashboard.addSection('Back-channel logout', backchannelLogoutWidgets({ rejectionAlarm: logoutRejectionAlarm }));
    this.dashboard.addSection(
      'Logout downstream (product backends)',
      downstreamLogoutWidgets({
        deliveries: logoutDeliveries,
        failedDeliveries: failedLogoutDeliveries,
        failedAlarm: failedLogoutDeliveriesAlarm,
      }),
    );
    this.dashboard.addSection('Dependencies and limits', dependencyWidgets({ failureAlarm: dependencyFailureAlarm }));
    this.addOperations(settings.serverErrorRateAlarmPercent);

    new CfnOutput(this, 'ApiUrl', { value: this.api.publicUrl, description: 'Public base URL (GUICHET_PUBLIC_URL)' });
    for (const name of TABLE_NAMES) {
      new CfnOutput(this, tableNameOutputKey(name), { value: this.tables[name].tableName });
    }
    for (const [name, secret] of Object.entries(this.secrets)) {
      new CfnOutput(this, secretArnOutputKey(name as SecretName), { value: secret.secretArn });
    }
    for (const name of QUEUE_NAMES) {
      new CfnOutput(this, queueUrlOutputKey(name), { value: this.downstreamLogout.queues[name].queueUrl });
    }
  }

  /**
   * A JWT authorizer that accepts guichet's access tokens for one audience: user tokens for a product API of
   * `apiAudiences`, or with `accessTokenAudience` the client-credentials and add-in tokens. Bind it to a route of
   * `api.httpApi` with the scopes the route requires. The issuer is guichet's public URL; API Gateway finds the
   * keys through <issuer>/.well-known/openid-configuration, a route of the table. One authorizer per audience.
   */
  guichetTokenAuthorizerFor(audience: string): HttpJwtAuthorizer {
    let authorizer = this.tokenAuthorizers.get(audience);
    if (!authorizer) {
      // Named after the audience, so that adding an audience never renames another's authorizer.
      const name =
        audience === this.accessTokenAudience
          ? 'GuichetTokenAuthorizer'
          : `GuichetTokenAuthorizer-${createHash('sha256').update(audience).digest('hex').slice(0, 12)}`;
      authorizer = new HttpJwtAuthorizer(name, this.api.publicUrl, {
        jwtAudience: [audience],
        identitySource: ['$request.header.Authorization'],
      });
      this.tokenAuthorizers.set(audience, authorizer);
    }
    return authorizer;
  }

  /** Alarms and dashboard sections of the API, every Lambda and every table. */
  private addOperations(serverErrorRatePercent: number): void {
    const stage = this.api.stage;
    const rotation = this.signingKeysRotation.function;
    const idpCacheRefresh = this.idpCacheRefresh.function;
    const { delivery, sweeper } = this.downstreamLogout;
    const serverErrorRateAlarm = addServerErrorRateAlarm(this.alarms, stage, serverErrorRatePercent);
    for (const [id, fn] of Object.entries(this.functions)) addFunctionAlarms(this.alarms, id, fn.function);
    addFunctionAlarms(
      this.alarms,
      'SigningKeysRotation',
      rotation.function,
      'The signing-keys rotation failed: until it succeeds, no new key is published or used',
    );
    addFunctionAlarms(
      this.alarms,
      'IdpCacheRefresh',
      idpCacheRefresh.function,
      "The IdP cache refresh failed for 10 minutes (the IdP unreachable, or its documents unusable): logins fetch the IdP's documents themselves once the copy expires, 15 minutes after the last success",
      // It runs every 2 minutes: one failed run is a blip the next one mends; two periods of failures are not.
      2,
    );
    addFunctionAlarms(
      this.alarms,
      'LogoutDelivery',
      delivery.function,
      "The logout delivery Lambda failed: its batch is received again after the queue's visibility timeout",
    );
    addFunctionAlarms(
      this.alarms,
      'LogoutOutboxSweeper',
      sweeper.function,
      'The logout outbox sweeper failed: ended sessions wait to have their logout deliveries queued',
    );
    for (const name of TABLE_NAMES) addTableThrottlesAlarm(this.alarms, pascalCase(name), this.tables[name]);

    this.dashboard.addSection('API', apiWidgets(stage, serverErrorRateAlarm));
    this.dashboard.addSection(
      'Routes',
      ROUTES.flatMap((route) => routeWidgets(route, stage, this.functions[route.id].function)),
    );
    this.dashboard.addSection('Signing-keys rotation', functionWidgets('Signing-keys rotation', rotation.function));
    this.dashboard.addSection('IdP cache refresh', functionWidgets('IdP cache refresh', idpCacheRefresh.function));
    this.dashboard.addSection('Logout delivery', functionWidgets('Logout delivery', delivery.function));
    this.dashboard.addSection('Logout outbox sweeper', functionWidgets('Logout outbox sweeper', sweeper.function));
    const logGroups = [...Object.values(this.functions), rotation, idpCacheRefresh, delivery, sweeper].map((fn) => fn.logGroup);
    this.dashboard.addSection('Lambda cold starts', [initDurationWidget(logGroups)]);
    this.dashboard.addSection(
      'DynamoDB tables',
      TABLE_NAMES.map((name) => tableWidget(name, this.tables[name])),
    );
  }

  /** A burst of failed client authentications: a leaked or guessed client id, or a misconfigured client. */
  private addClientAuthenticationAlarm(threshold: number): cloudwatch.Alarm {
    return this.alarms.addThresholdAlarm(CLIENT_AUTHENTICATION_ALARM_ID, {
      metric: businessMetric(MetricName.ClientAuthenticationFailed),
      threshold,
      description: `At least ${threshold} failed client authentications at the token endpoint in 5 minutes`,
    });
  }
}
