import type { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EXAMPLE_PRODUCT_ROUTE } from '../../lambdas/examples/routes';
import type { GuichetApi } from './guichet-api';
import { GuichetFunction } from './guichet-function';

export interface ExampleProductApiProps {
  readonly api: GuichetApi;
  /** Accepts user tokens for the product's audience (`GuichetStack.guichetTokenAuthorizerFor`). */
  readonly authorizer: HttpJwtAuthorizer;
  /** The scope a token must carry. */
  readonly scope: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The whole loop of a product API that trusts guichet's users: a route of its own behind API Gateway's JWT
 * authorizer, for one audience and one scope, and a Lambda that holds no grant and no secret. Mounted on guichet's
 * HTTP API so that one deployment (and local mode) shows it; a product would put the same on its own API.
 */
export class ExampleProductApi extends Construct {
  readonly function: GuichetFunction;

  constructor(scope: Construct, id: string, props: ExampleProductApiProps) {
    super(scope, id);
    this.function = new GuichetFunction(this, 'Profile', {
      entry: EXAMPLE_PRODUCT_ROUTE.entry,
      environment: {},
      logRetention: props.logRetention,
    });
    props.api.addRoute(EXAMPLE_PRODUCT_ROUTE, this.function.function, undefined, {
      authorizer: props.authorizer,
      authorizationScopes: [props.scope],
    });
  }
}
