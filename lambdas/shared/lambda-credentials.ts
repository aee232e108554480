import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias): in Lambda the
 * role's credentials are always in the environment, so the SSO, INI, web-identity and instance-metadata
 * providers of the default chain, a third of the bundle, are dead weight there.
 */
export const defaultProvider = () => fromEnv();
