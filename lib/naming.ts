import type { QueueName } from '../lambdas/queues';
import type { RouteDefinition } from '../lambdas/routes';
import type { SecretName } from '../lambdas/secrets';
import type { TableName } from '../lambdas/tables';

/** `loginFlows` → `LoginFlows`: construct ids and output names derived from the definition keys. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Output holding a table's name: the operator CLI finds a deployed stack's tables through these. */
export function tableNameOutputKey(name: TableName): string {
  return `${pascalCase(name)}TableName`;
}

/** Output holding a secret's ARN: the operator CLI finds the signing keys through it. */
export function secretArnOutputKey(name: SecretName): string {
  return `${pascalCase(name)}Arn`;
}

/** Output holding a queue's URL: the operator CLI finds the failed logout deliveries through it. */
export function queueUrlOutputKey(name: QueueName): string {
  return `${pascalCase(name)}QueueUrl`;
}

/** `GET /auth/login`: how API Gateway names a route, in its route settings and its route metrics. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
