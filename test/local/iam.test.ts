import { rolePolicies } from '../../local/iam';
import { IntrinsicResolver } from '../../local/intrinsics';
import type { StackTemplate } from '../../local/stack-template';

const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:000000000000:table/sessions';
const resolver = new IntrinsicResolver({ region: 'eu-west-1', accountId: '000000000000', stackName: 'Guichet' });
resolver.define('Sessions', { ref: 'sessions', attributes: { Arn: TABLE_ARN } });

const template = {
  stackName: 'Guichet',
  assemblyDirectory: '/nowhere',
  outputs: {},
  bundleFolders: new Map(),
  resources: {
    Role: { Type: 'AWS::IAM::Role' },
    Other: { Type: 'AWS::IAM::Role' },
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['Sessions', 'Arn'] } },
            {
              Effect: 'Allow',
              Action: ['dynamodb:Query'],
              Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Sessions', 'Arn'] }, '/index/bySubject']] }],
            },
            {
              Effect: 'Allow',
              Action: 'secretsmanager:Get*',
              Resource: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:keys-??????',
            },
            {
              Effect: 'Deny',
              Action: 'secretsmanager:GetSecretValue',
              Resource: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:keys-forbid',
            },
          ],
        },
      },
    },
  },
} satisfies StackTemplate;

const policies = rolePolicies(template, resolver);
const role = policies.get('Role')!;

describe("a role's policy, evaluated locally as IAM does", () => {
  it('allows exactly the granted actions on the granted resources', () => {
    expect(role.allows('dynamodb:GetItem', TABLE_ARN)).toBe(true);
    expect(role.allows('dynamodb:PutItem', TABLE_ARN)).toBe(false);
    expect(role.allows('dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/other')).toBe(false);
  });

  it('tells a Query of a granted index from one of the table or of another index', () => {
    expect(role.allows('dynamodb:Query', `${TABLE_ARN}/index/bySubject`)).toBe(true);
    expect(role.allows('dynamodb:Query', TABLE_ARN)).toBe(false);
    expect(role.allows('dynamodb:Query', `${TABLE_ARN}/index/byIdpSession`)).toBe(false);
  });

  it('matches wildcards (* and ?), actions without regard to case, and lets a Deny win', () => {
    expect(role.allows('SecretsManager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:keys-AbCdEf')).toBe(true);
    expect(role.allows('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:keys-AbCdEfG')).toBe(false);
    expect(role.allows('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:keys-forbid')).toBe(false);
  });

  it('gives a role without policy nothing', () => {
    expect(policies.get('Other')!.allows('dynamodb:GetItem', TABLE_ARN)).toBe(false);
  });
});
