import type { IntrinsicResolver } from './intrinsics';
import { resourcesOfType, type StackTemplate } from './stack-template';

/**
 * The identity policies of the template's roles, evaluated as IAM evaluates them for a call within the account:
 * allowed when a statement allows the action on the resource and none denies it. Local mode checks every
 * DynamoDB and Secrets Manager call of a function against its role, so a grant the template lacks fails here as
 * it would on AWS, with AccessDenied.
 */
interface Statement {
  readonly effect: 'Allow' | 'Deny';
  /** As written in the policy, and as the patterns they stand for. */
  readonly actionNames: readonly string[];
  readonly resourceNames: readonly string[];
  readonly actions: readonly RegExp[];
  readonly resources: readonly RegExp[];
}

/** One action on one resource, as a policy grants it and as a call uses it. */
export interface Grant {
  readonly action: string;
  readonly resource: string;
}

export class RolePolicy {
  constructor(private readonly statements: readonly Statement[]) {}

  /** Every action the policy allows on every resource, for the services named (e.g. `dynamodb:`). */
  grants(servicePrefixes: readonly string[]): Grant[] {
    return this.statements
      .filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.actionNames.flatMap((action) => statement.resourceNames.map((resource) => ({ action, resource }))))
      .filter((grant) => servicePrefixes.some((prefix) => grant.action.startsWith(prefix)));
  }

  allows(action: string, resource: string): boolean {
    const matching = this.statements.filter(
      (statement) =>
        statement.actions.some((pattern) => pattern.test(action)) && statement.resources.some((pattern) => pattern.test(resource)),
    );
    return matching.some((statement) => statement.effect === 'Allow') && !matching.some((statement) => statement.effect === 'Deny');
  }
}

/** The policy of every role of the template, by the role's logical id. */
export function rolePolicies(template: StackTemplate, resolver: IntrinsicResolver): Map<string, RolePolicy> {
  const statements = new Map<string, Statement[]>();
  for (const [logicalId] of resourcesOfType(template, 'AWS::IAM::Role')) statements.set(logicalId, []);
  for (const [logicalId, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    const properties = policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] }; Roles?: { Ref: string }[] };
    const parsed = properties.PolicyDocument.Statement.map((statement) => parseStatement(statement, resolver, logicalId));
    for (const role of properties.Roles ?? []) statements.get(role.Ref)?.push(...parsed);
  }
  return new Map([...statements].map(([role, list]) => [role, new RolePolicy(list)]));
}

function parseStatement(statement: Record<string, unknown>, resolver: IntrinsicResolver, policy: string): Statement {
  if ('NotAction' in statement || 'NotResource' in statement || 'Condition' in statement) {
    throw new Error(`policy ${policy}: local mode does not evaluate NotAction, NotResource or Condition`);
  }
  const list = (value: unknown) => ([] as unknown[]).concat(value).map((item) => resolver.resolveString(item, `policy ${policy}`));
  const actionNames = list(statement.Action);
  const resourceNames = list(statement.Resource);
  return {
    effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
    actionNames,
    resourceNames,
    actions: actionNames.map((action) => wildcard(action, 'i')),
    resources: resourceNames.map((resource) => wildcard(resource, '')),
  };
}

/** An IAM pattern: `*` any run of characters, `?` one character; actions ignore case. */
function wildcard(pattern: string, flags: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}
