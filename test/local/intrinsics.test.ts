import { IntrinsicResolver } from '../../local/intrinsics';

const resolver = new IntrinsicResolver({ region: 'eu-west-1', accountId: '000000000000', stackName: 'Guichet' });
resolver.define('Table', {
  ref: 'guichet-sessions',
  attributes: { Arn: 'arn:aws:dynamodb:eu-west-1:000000000000:table/guichet-sessions' },
});
resolver.define('Api', { ref: 'local', attributes: { ApiEndpoint: 'http://127.0.0.1:8787' } });

describe('CloudFormation intrinsics, resolved locally', () => {
  it.each([
    [{ Ref: 'Table' }, 'guichet-sessions'],
    [{ 'Fn::GetAtt': ['Api', 'ApiEndpoint'] }, 'http://127.0.0.1:8787'],
    [{ 'Fn::GetAtt': 'Table.Arn' }, 'arn:aws:dynamodb:eu-west-1:000000000000:table/guichet-sessions'],
    [
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/bySubject']] },
      'arn:aws:dynamodb:eu-west-1:000000000000:table/guichet-sessions/index/bySubject',
    ],
    [{ 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' }, 'cdk-assets-000000000000-eu-west-1'],
    [
      { 'Fn::Sub': ['${Name}/${Table.Arn}/${!Literal}', { Name: { Ref: 'AWS::StackName' } }] },
      'Guichet/arn:aws:dynamodb:eu-west-1:000000000000:table/guichet-sessions/${Literal}',
    ],
    [{ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    [{ Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
  ])('%j → %s', (value, expected) => {
    expect(resolver.resolve(value)).toBe(expected);
  });

  it('resolves inside objects and arrays, leaving plain values alone', () => {
    expect(resolver.resolve({ A: [{ Ref: 'Table' }, 3, true], B: { C: 'text' } })).toEqual({
      A: ['guichet-sessions', 3, true],
      B: { C: 'text' },
    });
  });

  it('refuses to guess: an unknown resource, attribute or function is an error naming where it was met', () => {
    expect(() => resolver.resolve({ Ref: 'Missing' }, 'function F')).toThrow('function F: Missing is not a resource local mode runs');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] }, 'output O')).toThrow(
      'output O: local mode has no StreamArn for Table',
    );
    expect(() => resolver.resolve({ 'Fn::ImportValue': 'x' }, 'x')).toThrow('local mode does not resolve Fn::ImportValue');
  });
});
