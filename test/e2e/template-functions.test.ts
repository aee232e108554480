import { resourcesOfType } from '../../local/stack-template';
import type { LocalGuichet } from '../../local/start';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';
import { httpEvent } from '../support/api-event';
import { startTestGuichet } from '../support/local-guichet';

/**
 * Every function of the synthesized template, loaded from its bundle in the cloud assembly with only the
 * environment its template gives it, and called once with a minimal event: none may fail its init. (The AuthLogin,
 * AddinSessionsInit and AddinSessionsPoll bundles once failed here: their code touched tables their routes did
 * not grant.)
 */
let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet(ADDIN_SETTINGS);
});
afterAll(() => guichet?.close());

/**
 * A minimal event for each function: its route's request for the API's functions (from a listed origin, which the
 * add-in init requires before it touches anything), an empty one otherwise.
 */
function minimalEvents(): [string, unknown][] {
  const routeKeys = new Map<string, string>();
  const integrations = new Map(resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Integration'));
  for (const [, route] of resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Route')) {
    const { RouteKey, Target } = route.Properties as { RouteKey: string; Target: { 'Fn::Join': [string, [string, { Ref: string }]] } };
    const integration = integrations.get(Target['Fn::Join'][1][1].Ref)!.Properties as {
      IntegrationUri: { 'Fn::GetAtt': [string, string] };
    };
    routeKeys.set(integration.IntegrationUri['Fn::GetAtt'][0], RouteKey);
  }
  return [...guichet.functions.keys()].map((logicalId) => {
    const routeKey = routeKeys.get(logicalId);
    if (!routeKey) return [logicalId, {}];
    const [method, path] = routeKey.split(' ');
    return [logicalId, httpEvent({ method, path, headers: { origin: ADDIN_ORIGIN } })];
  });
}

describe('the functions of the synthesized template', () => {
  it('are all there: one per route of the API, the signing-keys rotation, the IdP cache refresh, the logout delivery and sweeper', () => {
    expect(guichet.functions.size).toBe(resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Route').length + 4);
  });

  it('each starts with its own template environment and answers a minimal event without an init failure', async () => {
    const failures: string[] = [];
    for (const [logicalId, event] of minimalEvents()) {
      const invocation = await guichet.functions.get(logicalId)!.invoke(event);
      if (invocation.outcome === 'error' && invocation.phase === 'init') failures.push(`${logicalId}: ${invocation.errorMessage}`);
      if (invocation.outcome === 'result' && (invocation.payload as { statusCode?: number } | undefined)?.statusCode === 500) {
        failures.push(`${logicalId}: 500 ${(invocation.payload as { body?: string }).body}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("run on the Node.js major of the template's runtime, as each environment's own process.version says", async () => {
    const functions = resourcesOfType(guichet.template, 'AWS::Lambda::Function');
    const runtimes = new Set(functions.map(([, resource]) => resource.Properties?.Runtime));
    expect([...runtimes]).toEqual([expect.stringMatching(/^nodejs\d+\.x$/)]);
    const templateMajor = /^nodejs(\d+)\.x$/.exec(String([...runtimes][0]))![1];

    const coldStart = (logicalId: string) =>
      guichet.log.reports.find((report) => report.functionId === logicalId && report.runtimeVersion !== undefined);
    for (const [logicalId, event] of minimalEvents()) if (!coldStart(logicalId)) await guichet.functions.get(logicalId)!.invoke(event);
    const majors = [...guichet.functions.keys()].map((logicalId) => coldStart(logicalId)?.runtimeVersion?.match(/^v(\d+)\./)?.[1]);
    expect(new Set(majors)).toEqual(new Set([templateMajor]));
  });
});
