import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
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
});
