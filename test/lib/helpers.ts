import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { GuichetProps } from '../../lib/guichet-config';
import { GuichetStack } from '../../lib/guichet-stack';

export const EXAMPLE_PROPS: GuichetProps = { oidcIssuer: 'https://idp.example.com', oidcClientId: 'guichet' };

/** An app that skips NodejsFunction bundling: the templates are the same, synth takes seconds. */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export interface DashboardWidget {
  readonly type: string;
  readonly width: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: unknown[][];
    readonly query?: string;
    readonly annotations?: unknown;
  };
}

/**
 * The widgets of the template's only dashboard. Each `Ref` in the body reads as the logical id (or pseudo
 * parameter) it names, any other token as TOKEN.
 */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const [resource] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = (resource.Properties.DashboardBody['Fn::Join'][1] as unknown[])
    .map((part) => (typeof part === 'string' ? part : ((part as { Ref?: string }).Ref ?? 'TOKEN')))
    .join('');
  return JSON.parse(body).widgets;
}

export function synthGuichet(props: GuichetProps = EXAMPLE_PROPS): { stack: GuichetStack; template: Template } {
  const stack = new GuichetStack(testApp(), 'Guichet', props);
  return { stack, template: Template.fromStack(stack) };
}

/** A stack to host one construct under test. */
export function hostStack(): Stack {
  return new Stack(testApp(), 'Host');
}

/** Logical id of an L2 construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

export interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The statements of every inline policy attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

export function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** Whether a statement's resources mention the resource with this logical id. */
export function mentions(statement: Statement, logicalId: string): boolean {
  return JSON.stringify(statement.Resource).includes(`"${logicalId}"`);
}
