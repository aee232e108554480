import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startLocalGuichet, type LocalGuichet } from '../../local/start';
import { lambdaContext } from './api-event';
import { LocalStore } from './local-store';

export interface Integration {
  readonly guichet: LocalGuichet;
  readonly store: LocalStore;
}

/**
 * The real dependencies of a handler, on loopback: dynalite with every table and the development IdP,
 * with the handler environment set as the stack would set it. Import handlers only after this resolved.
 */
export async function startIntegration(env: Record<string, string> = {}): Promise<Integration> {
  const guichet = await startTestGuichet(env);
  return { guichet, store: new LocalStore(guichet.dynamoDbEndpoint) };
}

/** The whole local service on free ports, for end-to-end tests; `env` adds to the test's environment. */
export function startTestGuichet(env: Record<string, string> = {}): Promise<LocalGuichet> {
  return startLocalGuichet({ ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0', ...env });
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export async function invoke(handler: Handler, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;
}

export function jsonBody(result: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  return JSON.parse(result.body ?? '') as Record<string, unknown>;
}
