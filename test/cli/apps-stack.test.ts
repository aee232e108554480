import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { runApps } from '../../cli/run-apps';
import { runCli } from '../support/cli-run';

const cloudFormation = mockClient(CloudFormationClient);
const dynamoDb = mockClient(DynamoDBDocumentClient);

const STACK = 'guichet-prod';
const TABLE = 'guichet-prod-TablesApplications1234-ABCDEF';
const CLIENT_ID = 'app_AAAAAAAAAAAAAAAAAAAAAA';
const RECORD = {
  id: CLIENT_ID,
  name: 'Payroll',
  active: true,
  scopes: ['read'],
  domains: [],
  secretHash: 'stored-hash',
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_000,
};

function stackWithOutputs(outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE' as const,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

beforeAll(() => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  delete process.env.APPLICATIONS_TABLE;
});

beforeEach(() => {
  cloudFormation.reset();
  dynamoDb.reset();
});

afterAll(() => {
  cloudFormation.restore();
  dynamoDb.restore();
});

describe('apps --stack', () => {
  test('an unknown stack is "not found", and no table is touched', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
    const run = await runCli(runApps, ['list', '--stack', 'nope', '--region', 'eu-central-1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('apps: stack nope not found in eu-central-1\n');
    expect(dynamoDb.calls()).toHaveLength(0);
  });

  test('a stack without the table output is refused', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackWithOutputs({ ApiUrl: 'https://example.com' }));
    const run = await runCli(runApps, ['list', '--stack', STACK]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/stack guichet-prod has no output ApplicationsTableName/);
    expect(dynamoDb.calls()).toHaveLength(0);
  });

  test('works on the table the stack outputs name, in the region given, on real DynamoDB', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves(stackWithOutputs({ ApplicationsTableName: TABLE }));
    dynamoDb.on(GetCommand).resolves({ Item: RECORD });
    dynamoDb.on(ScanCommand).resolves({ Items: [RECORD] });

    const shown = await runCli(runApps, ['show', CLIENT_ID, '--stack', STACK, '--region', 'eu-central-1', '--json']);
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({ client_id: CLIENT_ID, name: 'Payroll', scopes: ['read'] });
    expect(shown.stdout).not.toContain('stored-hash');

    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: STACK });
    expect(await cloudFormation.call(0).thisValue.config.region()).toBe('eu-central-1');
    expect(dynamoDb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ TableName: TABLE, Key: { id: CLIENT_ID } });
    expect(process.env.AWS_REGION).toBe('eu-central-1');
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBeUndefined();

    const listed = await runCli(runApps, ['list', '--stack', STACK, '--json']);
    expect(listed.json<unknown[]>()).toHaveLength(1);
    expect(dynamoDb.commandCalls(ScanCommand)[0]?.args[0].input).toMatchObject({ TableName: TABLE });
  });

  test("rotate-secret, retire-secret and set-jwks write the stack's table in one conditional update each, hashes only", async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves(stackWithOutputs({ ApplicationsTableName: TABLE }));
    dynamoDb.on(GetCommand).resolves({ Item: { ...RECORD, secretCreatedAt: 1_700_000_000 } });
    dynamoDb.on(UpdateCommand).resolves({ Attributes: { ...RECORD, updatedAt: 1_800_000_000 } });

    const rotated = await runCli(runApps, ['rotate-secret', CLIENT_ID, '--grace', '2h', '--stack', STACK, '--json']);
    expect(rotated.code).toBe(0);
    const secret = rotated.json<{ client_secret: string }>().client_secret;
    const update = dynamoDb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update).toMatchObject({ TableName: TABLE, Key: { id: CLIENT_ID } });
    const written = JSON.stringify(update);
    expect(written).not.toContain(secret);
    const attributes = Object.values(update.ExpressionAttributeNames!);
    expect(attributes).toEqual(expect.arrayContaining(['secretHash', 'previousSecretHash', 'previousSecretExpiresAt']));
    expect(update.ExpressionAttributeValues).toEqual(expect.objectContaining({ ':v2': 'stored-hash' }));
    expect(update.ConditionExpression).toMatch(/^attribute_exists\(id\) AND #n\d+ = :v\d+$/);

    expect((await runCli(runApps, ['retire-secret', CLIENT_ID, '--stack', STACK])).code).toBe(0);
    expect(dynamoDb.commandCalls(UpdateCommand)[1].args[0].input.UpdateExpression).toMatch(/ REMOVE #n\d+, #n\d+, #n\d+$/);

    const keys = await runCli(runApps, ['set-jwks', CLIENT_ID, '--jwks-uri', 'https://keys.partner.example/jwks.json', '--stack', STACK]);
    expect(keys.code).toBe(0);
    const keysUpdate = dynamoDb.commandCalls(UpdateCommand)[2].args[0].input;
    expect(Object.values(keysUpdate.ExpressionAttributeValues!)).toContain('https://keys.partner.example/jwks.json');
  });

  test('a deployed stack takes https jwks_uris only: plain http on loopback is for the local guichet', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves(stackWithOutputs({ ApplicationsTableName: TABLE }));
    const run = await runCli(runApps, ['create', '--name', 'Local', '--jwks-uri', 'http://127.0.0.1:9999/jwks.json', '--stack', STACK]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid --jwks-uri "http:\/\/127\.0\.0\.1:9999\/jwks\.json": a jwks_uri is https/);
    expect(dynamoDb.commandCalls(PutCommand)).toHaveLength(0);

    const uri = 'https://keys.partner.example/jwks.json';
    const created = await runCli(runApps, ['create', '--name', 'Published keys', '--jwks-uri', uri, '--stack', STACK, '--json']);
    expect(created.code).toBe(0);
    const item = dynamoDb.commandCalls(PutCommand)[0].args[0].input.Item!;
    expect(item).toMatchObject({ name: 'Published keys', jwksUri: 'https://keys.partner.example/jwks.json' });
    expect(item).not.toHaveProperty('secretHash');
  });
});
