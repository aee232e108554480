import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type * as repository from '../lambdas/repositories/applications';
import { TABLES } from '../lambdas/tables';
import { tableNameOutputKey } from '../lib/naming';
import { serviceClientConfig, stackOutput, type Target } from './stack';

/** The applications repository, plus the operator-only listing. */
export type ApplicationStore = Pick<
  typeof repository,
  'findApplication' | 'saveNewApplication' | 'updateApplication' | 'updateApplicationIf' | 'deleteApplication'
> & {
  /** The running local guichet's store, where a `jwks_uri` may be plain http on loopback; else a deployed stack's. */
  readonly local: boolean;
  /** Every application, by name. A Scan: fine for an operator on a small table, never in a Lambda. */
  listApplications(): Promise<repository.ApplicationRecord[]>;
};

/**
 * The applications table of the target: a deployed stack, or the running local guichet. The repository reads its
 * table name and endpoint from the environment when first used, so the environment is set first and the target
 * is fixed for the life of the process.
 */
export async function openApplicationStore(target: Target): Promise<ApplicationStore> {
  const table = await stackOutput(target, tableNameOutputKey('applications'));
  const { region, endpoint, credentials } = serviceClientConfig(target, 'dynamodb');
  Object.assign(process.env, {
    [TABLES.applications.envVar]: table,
    ...(region && { AWS_REGION: region }),
    ...(endpoint && { AWS_ENDPOINT_URL_DYNAMODB: endpoint }),
    ...(credentials && { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }),
  });
  const { findApplication, saveNewApplication, updateApplication, updateApplicationIf, deleteApplication } = await import(
    '../lambdas/repositories/applications'
  );
  const { documentClient } = await import('../lambdas/shared/dynamo');
  return {
    local: target.kind === 'local',
    findApplication,
    saveNewApplication,
    updateApplication,
    updateApplicationIf,
    deleteApplication,
    async listApplications() {
      const records: repository.ApplicationRecord[] = [];
      const pages = paginateScan({ client: documentClient }, { TableName: table, ConsistentRead: true });
      for await (const page of pages) records.push(...((page.Items ?? []) as repository.ApplicationRecord[]));
      return records.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },
  };
}
