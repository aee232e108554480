import { IntrinsicResolver } from '../../local/intrinsics';
import type { Invocation } from '../../local/lambda/local-function';
import { type LocalSchedules, startSchedules } from '../../local/schedules';
import type { CfnResource, StackTemplate } from '../../local/stack-template';

const ACCOUNT = { region: 'eu-west-1', accountId: '000000000000' };
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:Guichet-Refresh';
const RULE_ARN = 'arn:aws:events:eu-west-1:000000000000:rule/Guichet-Schedule';

/** A template with one rule targeting one function, as the CDK writes them (intrinsics included). */
/** `permission` adjusts the rule's invoke permission; null leaves it out. */
function templateWith(rule: Record<string, unknown>, permission: Record<string, unknown> | null = {}): StackTemplate {
  const resources: Record<string, CfnResource> = {
    Refresh: { Type: 'AWS::Lambda::Function', Properties: {} },
    Schedule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(2 minutes)',
        State: 'ENABLED',
        Targets: [{ Arn: { 'Fn::GetAtt': ['Refresh', 'Arn'] }, Id: 'Target0' }],
        ...rule,
      },
    },
  };
  if (permission) {
    resources.Permission = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['Refresh', 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': ['Schedule', 'Arn'] },
        ...permission,
      },
    };
  }
  return { stackName: 'Guichet', assemblyDirectory: '/nowhere', resources, outputs: {}, bundleFolders: new Map() };
}

const resolver = new IntrinsicResolver({ ...ACCOUNT, stackName: 'Guichet' });
resolver.define('Refresh', { ref: 'Guichet-Refresh', attributes: { Arn: FUNCTION_ARN } });
resolver.define('Schedule', { ref: 'Guichet-Schedule', attributes: { Arn: RULE_ARN } });

let invoke: jest.Mock<Promise<Invocation>, [string, unknown]>;
let schedules: LocalSchedules | undefined;

beforeEach(() => {
  jest.useFakeTimers();
  invoke = jest.fn(async (_functionArn: string, _event: unknown): Promise<Invocation> => ({ outcome: 'result', payload: undefined }));
});
afterEach(() => {
  schedules?.stop();
  schedules = undefined;
  jest.useRealTimers();
});

const start = (template: StackTemplate) => (schedules = startSchedules(template, resolver, ACCOUNT, invoke));

describe('scheduled EventBridge rules in local mode', () => {
  it('invokes the target at the rule’s rate with a scheduled event, until stopped', async () => {
    const { rules, stop } = start(templateWith({}));
    expect(rules.map(({ ruleId, expression, intervalMs, targetArns }) => ({ ruleId, expression, intervalMs, targetArns }))).toEqual([
      { ruleId: 'Schedule', expression: 'rate(2 minutes)', intervalMs: 120_000, targetArns: [FUNCTION_ARN] },
    ]);
    await jest.advanceTimersByTimeAsync(119_999);
    expect(invoke).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledWith(FUNCTION_ARN, {
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT.accountId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: ACCOUNT.region,
      resources: [RULE_ARN],
      detail: {},
    });
    await jest.advanceTimersByTimeAsync(120_000);
    expect(invoke).toHaveBeenCalledTimes(2);
    stop();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('keeps its schedule when a run fails', async () => {
    invoke.mockRejectedValueOnce(new Error('the function is stopped'));
    start(templateWith({ ScheduleExpression: 'rate(1 hour)' }));
    await jest.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it("passes a target's constant Input instead of the scheduled event", async () => {
    const { rules } = start(templateWith({ Targets: [{ Arn: { 'Fn::GetAtt': ['Refresh', 'Arn'] }, Input: '{"refresh":true}' }] }));
    await rules[0].run();
    expect(invoke).toHaveBeenCalledWith(FUNCTION_ARN, { refresh: true });
  });

  it('runs no disabled rule, and no rule without a schedule', () => {
    expect(start(templateWith({ State: 'DISABLED' })).rules).toEqual([]);
    expect(start(templateWith({ ScheduleExpression: undefined, EventPattern: { source: ['aws.ec2'] } })).rules).toEqual([]);
  });

  it.each([
    [
      'a cron expression',
      { ScheduleExpression: 'cron(0 12 * * ? *)' },
      undefined,
      'local mode runs rate() schedules only, not cron(0 12 * * ? *)',
    ],
    ['a rate of zero', { ScheduleExpression: 'rate(0 minutes)' }, undefined, 'rate() schedules only'],
    [
      'an input transformer',
      { Targets: [{ Arn: { 'Fn::GetAtt': ['Refresh', 'Arn'] }, InputTransformer: {} }] },
      undefined,
      'no InputPath or InputTransformer',
    ],
    ['a target EventBridge may not invoke', {}, null, `no Lambda permission lets EventBridge invoke ${FUNCTION_ARN} for it`],
    ['a permission for another rule', {}, { SourceArn: 'arn:aws:events:eu-west-1:000000000000:rule/Other' }, 'no Lambda permission'],
    ['a permission for another principal', {}, { Principal: 'secretsmanager.amazonaws.com' }, 'no Lambda permission'],
  ])('refuses to start with %s, as a value guessed here would differ from AWS', (_, rule, permission, message) => {
    expect(() => start(templateWith(rule, permission))).toThrow(message);
  });
});
