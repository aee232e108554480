import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IDP_CACHE_REFRESH_MINUTES } from '../../lambdas/shared/idp-documents';
import { TABLES } from '../../lambdas/tables';
import { GuichetFunction } from './guichet-function';

export const IDP_CACHE_REFRESH_ENTRY = 'lambdas/refresh/idp-cache.ts';

export interface IdpCacheRefreshProps {
  readonly table: dynamodb.ITable;
  /** The variables every guichet Lambda shares: the refresher reads the IdP's issuer from them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly issuer: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Keeps the IdP's discovery document and JWKS in the `idpCache` table: a Lambda that fetches and writes them (the
 * only writer of that table), run every IDP_CACHE_REFRESH_MINUTES by an EventBridge rule, and once during the
 * deploy (`cacheFilled`, a custom resource it answers: whatever depends on it, the API stage above all, exists only
 * once the copy does).
 */
export class IdpCacheRefresh extends Construct {
  readonly function: GuichetFunction;
  readonly schedule: events.Rule;
  readonly cacheFilled: CustomResource;

  constructor(scope: Construct, id: string, props: IdpCacheRefreshProps) {
    super(scope, id);

    this.function = new GuichetFunction(this, 'Function', {
      entry: IDP_CACHE_REFRESH_ENTRY,
      environment: props.environment,
      logRetention: props.logRetention,
      // Two calls to the IdP of at most 5 s each, and one write.
      timeoutSeconds: 30,
    });
    this.function.useTable(props.table, TABLES.idpCache, { items: ['PutItem'] });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: "Refreshes guichet's copy of the IdP's discovery document and JWKS",
      schedule: events.Schedule.rate(Duration.minutes(IDP_CACHE_REFRESH_MINUTES)),
      targets: [new targets.LambdaFunction(this.function.function)],
    });

    this.cacheFilled = new CustomResource(this, 'CacheFilled', {
      serviceToken: this.function.function.functionArn,
      resourceType: 'Custom::IdpCache',
      properties: { Issuer: props.issuer },
    });
    // The first refresh needs the role's grants in place.
    this.cacheFilled.node.addDependency(this.function);
  }
}
