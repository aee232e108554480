import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { LocalAwsAccount } from '../aws/calls';
import type { RolePolicy } from '../iam';
import type { IntrinsicResolver } from '../intrinsics';
import { resourcesOfType, type StackTemplate } from '../stack-template';
import { type FunctionObserver, LocalFunction, type LocalFunctionDefinition } from './local-function';

/**
 * The template's `AWS::Lambda::Function` resources as local runtimes. Each gets, as on AWS, its bundle from the
 * cloud assembly (the file and export its `Handler` names), the `Environment.Variables` of the template with
 * intrinsics resolved, its timeout, memory and reserved concurrency, credentials of its own role (a session per
 * execution environment), and the variables the Lambda runtime itself sets. The local endpoints of DynamoDB, Secrets
 * Manager and SQS come through the SDK's per-service endpoint variables; nothing else is added.
 */
export interface LocalEndpoints {
  readonly dynamoDb: string;
  readonly secretsManager: string;
  readonly sqs: string;
}

interface FunctionProperties {
  readonly Handler: string;
  readonly Runtime: string;
  readonly Timeout?: number;
  readonly MemorySize?: number;
  readonly ReservedConcurrentExecutions?: number;
  readonly Role: unknown;
  readonly Code: { readonly S3Key?: unknown };
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

/** Lambda's own defaults when the template says nothing. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

/** Defines every function's name and ARN, so that environments and integrations can refer to them. */
export function defineFunctions(template: StackTemplate, resolver: IntrinsicResolver, account: LocalAwsAccount): void {
  for (const [logicalId] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const name = `${template.stackName}-${logicalId}`.slice(0, 64);
    resolver.define(logicalId, {
      ref: name,
      attributes: { Arn: `arn:aws:lambda:${account.region}:${account.accountId}:function:${name}` },
    });
  }
}

export async function createLocalFunctions(
  template: StackTemplate,
  resolver: IntrinsicResolver,
  account: LocalAwsAccount,
  policies: ReadonlyMap<string, RolePolicy>,
  endpoints: LocalEndpoints,
  observer: FunctionObserver,
  runtimeModules: string,
): Promise<Map<string, LocalFunction>> {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const properties = resource.Properties as unknown as FunctionProperties;
    const where = `function ${logicalId}`;
    const bundle = template.bundleFolders.get(resolver.resolveString(properties.Code.S3Key, where));
    if (!bundle) throw new Error(`${where}: its code is not an asset of the cloud assembly`);
    const [module, exportName] = splitHandler(properties.Handler, where);
    const file = ['.js', '.mjs', '.cjs'].map((extension) => path.join(bundle, `${module}${extension}`)).find(existsSync);
    if (!file) throw new Error(`${where}: ${bundle} has no ${module}.js or ${module}.mjs`);

    const roleId = (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policy = policies.get(roleId);
    if (!policy) throw new Error(`${where}: its role ${roleId} is not in the template`);
    const name = resolver.resolveString({ Ref: logicalId }, where);
    const memoryMb = properties.MemorySize ?? DEFAULT_MEMORY_MB;
    const templateVariables = Object.fromEntries(
      Object.entries(properties.Environment?.Variables ?? {}).map(([variable, value]) => [
        variable,
        resolver.resolveString(value, `${where} ${variable}`),
      ]),
    );
    const definition: LocalFunctionDefinition = {
      logicalId,
      name,
      arn: resolver.resolveString({ 'Fn::GetAtt': [logicalId, 'Arn'] }, where),
      roleId,
      file,
      exportName,
      timeoutSeconds: properties.Timeout ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMb,
      reservedConcurrency: properties.ReservedConcurrentExecutions,
      environment: {
        ...runtimeVariables(properties, name, memoryMb, bundle, account, runtimeModules),
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
        AWS_ENDPOINT_URL_SQS: endpoints.sqs,
        ...templateVariables,
      },
      // Each environment its own role session, as on Lambda: its calls are traced to the invocation it serves.
      session: () => account.environmentSession({ functionId: logicalId, policy }),
    };
    functions.set(definition.arn, new LocalFunction(definition, observer));
  }
  return functions;
}

/** `index.handler` → module `index`, export `handler`; a path may come before the module. */
function splitHandler(handler: string, where: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${where}: Handler "${handler}" is not <module>.<export>`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** What the Lambda runtime sets in every function's environment (those the code could read). */
function runtimeVariables(
  properties: FunctionProperties,
  name: string,
  memoryMb: number,
  bundle: string,
  account: LocalAwsAccount,
  runtimeModules: string,
): Record<string, string> {
  return {
    AWS_REGION: account.region,
    AWS_DEFAULT_REGION: account.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${properties.Runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    LAMBDA_TASK_ROOT: bundle,
    _HANDLER: properties.Handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    // The runtime's own modules (the AWS SDK), as /var/runtime/node_modules is on Lambda.
    NODE_PATH: runtimeModules,
  };
}

const RUNTIME_SDK_SCOPE = '@aws-sdk';

/**
 * The modules the Node.js Lambda runtime provides to every function, as /var/runtime/node_modules on NODE_PATH
 * provides them there: the AWS SDK for JavaScript v3 (`@aws-sdk/*`), here the repository's own copies, reached
 * through a link in a folder of its own so that nothing else of the repository's node_modules is visible to a
 * bundle. The SDK's own dependencies (`@smithy/*`) are not what Lambda documents on its path (they sit under the
 * SDK's folder there), nor here: a bundle that requires one directly fails locally as it could when deployed.
 */
export async function runtimeModulesFolder(cacheDirectory: string, repositoryRoot: string): Promise<string> {
  const folder = path.join(cacheDirectory, 'runtime', 'node_modules');
  await mkdir(folder, { recursive: true });
  for (const entry of await readdir(folder)) {
    if (entry !== RUNTIME_SDK_SCOPE) await rm(path.join(folder, entry), { recursive: true, force: true });
  }
  const link = path.join(folder, RUNTIME_SDK_SCOPE);
  if (existsSync(link)) return folder;
  // Another local guichet may be making the same link at this moment.
  await symlink(path.join(repositoryRoot, 'node_modules', RUNTIME_SDK_SCOPE), link).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return folder;
}
