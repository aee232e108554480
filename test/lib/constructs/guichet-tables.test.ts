import { Match, Template } from 'aws-cdk-lib/assertions';
import { PARTITION_KEY, TABLE_NAMES, TABLES } from '../../../lambdas/tables';
import { GuichetTables } from '../../../lib/constructs/guichet-tables';
import { hostStack, logicalId } from '../helpers';

let template: Template;
let tables: GuichetTables;

beforeAll(() => {
  const stack = hostStack();
  tables = new GuichetTables(stack, 'Tables');
  template = Template.fromStack(stack);
});

test('creates exactly one table per definition', () => {
  template.resourceCountIs('AWS::DynamoDB::Table', TABLE_NAMES.length);
  expect(Object.keys(tables.tables).sort()).toEqual([...TABLE_NAMES].sort());
});

describe.each(TABLE_NAMES)('table %s', (name) => {
  const definition = TABLES[name];
  const resource = () => template.toJSON().Resources[logicalId(tables.tables[name])];

  test('is keyed by id, on demand, with point-in-time recovery, encrypted, and retained', () => {
    const { Properties, DeletionPolicy, UpdateReplacePolicy } = resource();
    expect(Properties.KeySchema).toEqual([{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }]);
    expect(Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect([DeletionPolicy, UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('expires items through its TTL attribute when it defines one', () => {
    const ttl = 'ttlAttribute' in definition ? definition.ttlAttribute : undefined;
    expect(resource().Properties.TimeToLiveSpecification).toEqual(ttl ? { AttributeName: ttl, Enabled: true } : undefined);
  });

  test('has its keys-only indexes and no other', () => {
    const indexes = 'indexes' in definition ? definition.indexes : [];
    const expected = indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }));
    expect(resource().Properties.GlobalSecondaryIndexes).toEqual(expected.length > 0 ? expected : undefined);
  });
});

test('some table has a TTL and some has indexes (the cases above are not vacuous)', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: Match.objectLike({}) });
  template.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: Match.anyValue() });
});
