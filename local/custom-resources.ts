import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IntrinsicResolver } from './intrinsics';
import type { Invocation } from './lambda/local-function';
import { type CfnResource, dependenciesOf, type StackTemplate } from './stack-template';

/**
 * The template's custom resources, created as CloudFormation creates them: the function named by `ServiceToken`
 * is invoked with a `Create` request and answers through a pre-signed response URL, here an endpoint of local
 * mode. A FAILED answer, or none before the function's time is up, fails the start as it would fail the deploy.
 */
interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
}

const RESPONSE_TIMEOUT_MS = 60_000;

export async function createCustomResources(
  template: StackTemplate,
  resolver: IntrinsicResolver,
  invoke: (functionArn: string, event: unknown) => Promise<Invocation>,
): Promise<void> {
  const custom = Object.entries(template.resources).filter(
    ([, resource]) => resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource',
  );
  if (custom.length === 0) return;
  const waiting = new Map<string, (response: CustomResourceResponse) => void>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      waiting.get(request.url?.slice(1) ?? '')?.(JSON.parse(body) as CustomResourceResponse);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const responseBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const [logicalId, resource] of inDependencyOrder(custom)) {
      const { ServiceToken: serviceToken, ...properties } = resolver.resolve(resource.Properties, logicalId) as {
        ServiceToken: string;
      } & Record<string, unknown>;
      const requestId = randomUUID();
      const answered = new Promise<CustomResourceResponse>((resolve, reject) => {
        waiting.set(requestId, resolve);
        setTimeout(
          () => reject(new Error(`custom resource ${logicalId}: no response within ${RESPONSE_TIMEOUT_MS / 1000} s`)),
          RESPONSE_TIMEOUT_MS,
        ).unref();
      });
      const invocation = await invoke(serviceToken, {
        RequestType: 'Create',
        ServiceToken: serviceToken,
        ResponseURL: `${responseBase}/${requestId}`,
        StackId: `arn:aws:cloudformation:local:000000000000:stack/${template.stackName}/local`,
        RequestId: requestId,
        LogicalResourceId: logicalId,
        ResourceType: resource.Type,
        ResourceProperties: { ServiceToken: serviceToken, ...properties },
      });
      if (invocation.outcome !== 'result')
        throw new Error(
          `custom resource ${logicalId}: its function failed (${invocation.outcome}${'errorMessage' in invocation ? `: ${invocation.errorMessage}` : ''})`,
        );
      const response = await answered;
      if (response.Status !== 'SUCCESS') throw new Error(`custom resource ${logicalId} failed: ${response.Reason ?? 'no reason given'}`);
      const attributes = Object.fromEntries(Object.entries(response.Data ?? {}).map(([name, value]) => [name, String(value)]));
      resolver.define(logicalId, { ref: response.PhysicalResourceId ?? requestId, attributes });
    }
  } finally {
    server.close();
  }
}

function inDependencyOrder<T extends [string, CfnResource]>(resources: T[]): T[] {
  const ids = new Set(resources.map(([id]) => id));
  const ordered: T[] = [];
  const placed = new Set<string>();
  while (ordered.length < resources.length) {
    const next = resources.find(
      ([id, resource]) => !placed.has(id) && dependenciesOf(resource).every((dependency) => !ids.has(dependency) || placed.has(dependency)),
    );
    if (!next) throw new Error('the custom resources depend on each other in a cycle');
    ordered.push(next);
    placed.add(next[0]);
  }
  return ordered;
}
