import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { PARTITION_KEY, TABLE_NAMES, TABLES, type TableDefinition, type TableName } from '../../lambdas/tables';
import { pascalCase } from '../naming';

/** One DynamoDB table per entry of TABLES, keyed by `id`, with the TTL and keys-only indexes it defines. */
export class GuichetTables extends Construct {
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tables = Object.fromEntries(TABLE_NAMES.map((name) => [name, this.createTable(pascalCase(name), TABLES[name])])) as Record<
      TableName,
      dynamodb.Table
    >;
  }

  private createTable(id: string, definition: TableDefinition): dynamodb.Table {
    const table = new dynamodb.Table(this, id, {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: definition.ttlAttribute,
      // Sessions and registered applications must survive a stack deletion or a bad replacement.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
    return table;
  }
}
