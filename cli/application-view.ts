import { allowsAnyDomain } from '../lambdas/domain/application-rules';
import type { ApplicationRecord } from '../lambdas/repositories/applications';

/** What the CLI shows of an application: everything but its secret hash. */
export interface ApplicationView {
  readonly client_id: string;
  readonly name: string;
  readonly active: boolean;
  readonly scopes: readonly string[];
  /** As stored: empty, it may act for no user; `['*']`, for users of any domain; else for those domains. */
  readonly domains: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
}

export function applicationView(record: ApplicationRecord): ApplicationView {
  return {
    client_id: record.id,
    name: record.name,
    active: record.active,
    scopes: record.scopes,
    domains: record.domains,
    created_at: isoTime(record.createdAt),
    updated_at: isoTime(record.updatedAt),
  };
}

/** Several lines about one application. */
export function describeApplication(record: ApplicationRecord): string {
  const view = applicationView(record);
  return [
    `${view.client_id}  ${view.name}`,
    `  status      ${status(record)}`,
    `  scopes      ${scopeList(record)}`,
    `  delegation  ${delegation(record)}`,
    `  created     ${view.created_at}`,
    `  updated     ${view.updated_at}`,
  ].join('\n');
}

/** One line per application, in aligned columns. */
export function applicationTable(records: readonly ApplicationRecord[]): string {
  if (records.length === 0) return 'No applications.';
  const rows = [
    ['CLIENT ID', 'STATUS', 'NAME', 'SCOPES', 'DELEGATION'],
    ...records.map((record) => [record.id, status(record), record.name, scopeList(record), delegation(record)]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

const status = (record: ApplicationRecord): string => (record.active ? 'active' : 'disabled');
export const scopeList = (record: ApplicationRecord): string => record.scopes.join(', ') || '(none)';

/** Whom it may act for with `subject`, in words. */
export function delegation(record: ApplicationRecord): string {
  if (record.domains.length === 0) return 'none';
  return allowsAnyDomain(record.domains) ? 'any domain (*)' : record.domains.join(', ');
}

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
