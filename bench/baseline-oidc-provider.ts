import { basicAuthorization } from '../harness/client-credentials';
import { startChild } from './child-process';
import { accessTokenFormat, keepAliveAgent, type LoadTarget, measureTarget, type TargetMeasurement, timedRequest } from './http-load';
import type { OidcProviderReady } from './oidc-provider-process';

export interface BaselineMeasurement extends TargetMeasurement {
  /** What the baseline's access tokens are, read from one of them. */
  readonly accessTokenFormat: string;
}

/** oidc-provider's client-credentials grant, started in its own process, measured like guichet's token endpoint. */
export async function measureOidcProviderBaseline(): Promise<BaselineMeasurement> {
  const provider = await startChild<OidcProviderReady>('oidc-provider-process.ts', process.env);
  try {
    const { tokenEndpoint, clientId, clientSecret, scope } = provider.ready;
    const target: LoadTarget = {
      name: 'oidc-provider POST /token',
      url: tokenEndpoint,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(clientId, clientSecret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      expectedStatus: 200,
    };
    const agent = keepAliveAgent();
    const answer = await timedRequest(target, agent);
    agent.destroy();
    if (answer.status !== 200) throw new Error(`oidc-provider answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return {
      ...(await measureTarget(target, [{ label: 'oidc-provider (own process)', pids: () => [provider.pid] }])),
      accessTokenFormat: accessTokenFormat(JSON.parse(answer.body).access_token as string),
    };
  } finally {
    await provider.close();
  }
}
