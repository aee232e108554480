import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLES, type TableName } from '../lambdas/tables';

/** Direct access to the local tables, for arranging and asserting what the handlers stored. */
export class LocalStore {
  private readonly client: DynamoDBDocumentClient;

  /** `tableNames`: by each table's environment variable, as the functions get them. */
  constructor(
    endpoint: string,
    private readonly tableNames: Readonly<Record<string, string>>,
  ) {
    this.client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  }

  name(table: TableName): string {
    return this.tableNames[TABLES[table].envVar];
  }

  async put(table: TableName, item: Record<string, unknown>): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.name(table), Item: item }));
  }

  /** Many items at once, 25 per BatchWriteItem, for volume tests. */
  async putMany(table: TableName, items: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < items.length; start += 25) {
      const batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      let pending: Record<string, unknown>[] | undefined = batch;
      while (pending?.length) {
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.name(table)]: pending } }));
        pending = result.UnprocessedItems?.[this.name(table)] as Record<string, unknown>[] | undefined;
      }
    }
  }

  async get(table: TableName, id: string): Promise<Record<string, unknown> | undefined> {
    return (await this.client.send(new GetCommand({ TableName: this.name(table), Key: { id }, ConsistentRead: true }))).Item;
  }

  async remove(table: TableName, id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.name(table), Key: { id } }));
  }

  /** Test-only: the whole (small) table, to prove that nothing was written. */
  async all(table: TableName): Promise<Record<string, unknown>[]> {
    return (await this.client.send(new ScanCommand({ TableName: this.name(table), ConsistentRead: true }))).Items ?? [];
  }
}
