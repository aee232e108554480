import { ANY_DOMAIN, DELEGATION_MODEL } from '../lambdas/domain/application-rules';
import type { ApplicationRecord } from '../lambdas/repositories/applications';
import { nowSeconds } from '../lambdas/shared/time';
import type { ApplicationStore } from './application-store';
import { applicationView } from './application-view';
import type { CommandOutput } from './command-runner';

/**
 * Brings the applications written before delegation was closed by default under the current rule. Their
 * empty `domains` meant any domain and now means none (the token endpoint already reads it so): each such
 * application is reported and, with `keepAny`, given `['*']` explicitly. Every record reviewed is marked
 * with the current `DELEGATION_MODEL`, so a second run finds nothing to migrate.
 */
export async function migrateDelegation(store: ApplicationStore, keepAny: boolean): Promise<CommandOutput> {
  const legacy = (await store.listApplications()).filter((record) => record.delegationModel !== DELEGATION_MODEL);
  let reviewed = 0;
  const formerlyAnyDomain: ApplicationRecord[] = [];
  for (const record of legacy) {
    const allowedAnyDomain = record.domains.length === 0;
    const domains = allowedAnyDomain && keepAny ? { domains: [ANY_DOMAIN] } : {};
    // Undefined when the application was deleted since the listing: nothing left to migrate.
    const updated = await store.updateApplication(record.id, { ...domains, delegationModel: DELEGATION_MODEL }, nowSeconds());
    if (!updated) continue;
    reviewed += 1;
    if (allowedAnyDomain) formerlyAnyDomain.push(updated);
  }
  return {
    json: { reviewed, formerly_any_domain: formerlyAnyDomain.map(applicationView) },
    text: migrationReport(reviewed, formerlyAnyDomain, keepAny),
  };
}

function migrationReport(reviewed: number, formerlyAnyDomain: readonly ApplicationRecord[], keepAny: boolean): string {
  if (reviewed === 0) return 'Nothing to migrate: every application follows the current delegation rule.';
  const lines = [`Reviewed ${applications(reviewed)} written when no allowed domain meant any domain.`];
  if (formerlyAnyDomain.length === 0) return [...lines, 'None of them allowed any domain: their delegation is unchanged.'].join('\n');
  lines.push(
    keepAny
      ? `${formerlyAnyDomain.length} of them allowed any domain that way and still do, now explicitly ('*'):`
      : `${formerlyAnyDomain.length} of them allowed any domain that way and now may act for no user:`,
    ...formerlyAnyDomain.map((record) => `  ${record.id}  ${record.name}`),
  );
  if (!keepAny) lines.push("To let one act for any domain again: npm run apps -- domains <client_id> '*'");
  return lines.join('\n');
}

const applications = (count: number): string => `${count} ${count === 1 ? 'application' : 'applications'}`;
