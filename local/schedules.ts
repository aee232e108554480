import { randomUUID } from 'node:crypto';
import type { IntrinsicResolver } from './intrinsics';
import type { Invocation } from './lambda/local-function';
import { resourcesOfType, type StackTemplate } from './stack-template';

/**
 * The template's scheduled EventBridge rules, run as EventBridge runs them: each enabled rule with a `rate(…)`
 * expression invokes its Lambda targets with a scheduled event (or the target's constant `Input`) at that rate,
 * the first time one period after the start, until stopped. As on AWS, a target runs only if an
 * `AWS::Lambda::Permission` lets events.amazonaws.com invoke it for that rule; anything local mode would have to
 * guess (a cron expression, an input path or transformer) fails the start instead.
 */
export interface LocalSchedule {
  readonly ruleId: string;
  readonly expression: string;
  readonly intervalMs: number;
  readonly targetArns: readonly string[];
  /** Invokes every target now, as the timer does at each period. */
  run(): Promise<Invocation[]>;
}

export interface LocalSchedules {
  readonly rules: readonly LocalSchedule[];
  stop(): void;
}

interface RuleProperties {
  readonly ScheduleExpression?: string;
  readonly State?: string;
  readonly Targets?: readonly {
    readonly Arn: string;
    readonly Input?: string;
    readonly InputPath?: string;
    readonly InputTransformer?: unknown;
  }[];
}

interface PermissionProperties {
  readonly Action: string;
  readonly FunctionName: string;
  readonly Principal: string;
  readonly SourceArn?: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function startSchedules(
  template: StackTemplate,
  resolver: IntrinsicResolver,
  account: { readonly region: string; readonly accountId: string },
  invoke: (functionArn: string, event: unknown) => Promise<Invocation>,
): LocalSchedules {
  const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').map(
    ([logicalId, permission]) => resolver.resolve(permission.Properties, logicalId) as PermissionProperties,
  );
  const rules = resourcesOfType(template, 'AWS::Events::Rule').flatMap(([ruleId, rule]): LocalSchedule[] => {
    const properties = resolver.resolve(rule.Properties, ruleId) as RuleProperties;
    if (properties.ScheduleExpression === undefined || properties.State === 'DISABLED') return [];
    const ruleArn = resolver.resolveString({ 'Fn::GetAtt': [ruleId, 'Arn'] }, ruleId);
    const targets = (properties.Targets ?? []).map((target) => {
      if (target.InputPath !== undefined || target.InputTransformer !== undefined)
        throw new Error(`rule ${ruleId}: local mode passes no InputPath or InputTransformer`);
      const allowed = permissions.some(
        (permission) =>
          permission.Principal === 'events.amazonaws.com' &&
          permission.Action === 'lambda:InvokeFunction' &&
          [target.Arn, target.Arn.split(':').at(-1)].includes(permission.FunctionName) &&
          permission.SourceArn === ruleArn,
      );
      if (!allowed) throw new Error(`rule ${ruleId}: no Lambda permission lets EventBridge invoke ${target.Arn} for it`);
      return target;
    });
    const scheduledEvent = () => ({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: account.accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: account.region,
      resources: [ruleArn],
      detail: {},
    });
    return [
      {
        ruleId,
        expression: properties.ScheduleExpression,
        intervalMs: intervalOf(properties.ScheduleExpression, ruleId),
        targetArns: targets.map((target) => target.Arn),
        run: () =>
          Promise.all(
            targets.map((target) => invoke(target.Arn, target.Input === undefined ? scheduledEvent() : JSON.parse(target.Input))),
          ),
      },
    ];
  });
  // A failed run is the function's to log, as on AWS; the next period runs it again.
  const timers = rules.map((rule) => setInterval(() => void rule.run().catch(() => undefined), rule.intervalMs).unref());
  return { rules, stop: () => timers.forEach(clearInterval) };
}

function intervalOf(expression: string, ruleId: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!rate || Number(rate[1]) === 0) throw new Error(`rule ${ruleId}: local mode runs rate() schedules only, not ${expression}`);
  return Number(rate[1]) * UNIT_MS[rate[2]];
}
