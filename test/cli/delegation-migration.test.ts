import type { ApplicationStore } from '../../cli/application-store';
import { migrateDelegation } from '../../cli/delegation-migration';
import type { ApplicationRecord } from '../../lambdas/repositories/applications';

const legacy: ApplicationRecord = {
  id: 'app_AAAAAAAAAAAAAAAAAAAAAA',
  name: 'Deleted meanwhile',
  active: true,
  scopes: [],
  domains: [],
  secretHash: 'x',
  createdAt: 0,
  updatedAt: 0,
};

describe('migrateDelegation', () => {
  test('skips an application deleted between the listing and its update', async () => {
    const store = {
      listApplications: async () => [legacy],
      updateApplication: async () => undefined,
    } as Partial<ApplicationStore> as ApplicationStore;

    const output = await migrateDelegation(store, true);

    expect(output.json).toEqual({ reviewed: 0, formerly_any_domain: [] });
    expect(output.text).toMatch(/^Nothing to migrate/);
  });
});
