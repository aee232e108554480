import {
  ANY_DOMAIN,
  CLIENT_ID_FORMAT,
  DELEGATION_MODEL,
  newClientId,
  normalizeDomain,
  parseScopes,
} from '../lambdas/domain/application-rules';
import type { ApplicationChanges, ApplicationRecord } from '../lambdas/repositories/applications';
import { randomSecret, sha256 } from '../lambdas/shared/crypto';
import { nowSeconds } from '../lambdas/shared/time';
import type { ApplicationStore } from './application-store';
import { applicationTable, applicationView, delegation, describeApplication, scopeList } from './application-view';
import { NotFoundError, UsageError, type CommandOutput } from './command-runner';
import { migrateDelegation } from './delegation-migration';

/** The options particular to some commands, as `util.parseArgs` declares them. */
export const COMMAND_OPTIONS = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  domains: { type: 'string' },
  clear: { type: 'boolean' },
  'keep-any': { type: 'boolean' },
} as const;

export type CommandOptionName = keyof typeof COMMAND_OPTIONS;

export const COMMAND_OPTION_USAGE: Readonly<Record<CommandOptionName, string>> = {
  name: '--name <name>',
  scopes: '[--scopes a,b]',
  domains: "[--domains d1,d2|'*']",
  clear: '[--clear]',
  'keep-any': '[--keep-any]',
};

export interface CommandOptionValues {
  readonly name?: string;
  readonly scopes?: string;
  readonly domains?: string;
  readonly clear?: boolean;
  readonly 'keep-any'?: boolean;
}

type Action = (store: ApplicationStore) => Promise<CommandOutput>;

export interface AppsCommand {
  /** Positional arguments as usage shows them; `[...]` when optional. */
  readonly arguments: readonly string[];
  readonly options: readonly CommandOptionName[];
  readonly summary: string;
  /** Checks the arguments, before any store is opened, and returns what to do with the store. */
  prepare(args: readonly string[], options: CommandOptionValues): Action;
}

const CLIENT_ID = '<client_id>';

export const APPS_COMMANDS: Readonly<Record<string, AppsCommand>> = {
  create: {
    arguments: [],
    options: ['name', 'scopes', 'domains'],
    summary: 'registers an application; prints its secret, once',
    prepare(_, options) {
      const name = applicationName(options.name);
      const scopes = scopesFrom(options.scopes ?? '');
      const domains = domainsFrom(options.domains ?? '');
      return async (store) => {
        const secret = randomSecret();
        const now = nowSeconds();
        const record: ApplicationRecord = {
          id: newClientId(),
          name,
          active: true,
          scopes,
          domains,
          delegationModel: DELEGATION_MODEL,
          secretHash: sha256(secret),
          createdAt: now,
          updatedAt: now,
        };
        await store.saveNewApplication(record);
        return withSecret(record, secret, 'Created');
      };
    },
  },

  list: {
    arguments: [],
    options: [],
    summary: 'lists every application',
    prepare: () => async (store) => {
      const records = await store.listApplications();
      return { json: records.map(applicationView), text: applicationTable(records) };
    },
  },

  show: {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'shows one application (never its secret)',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => applicationOutput(await existing(store, clientId));
    },
  },

  grant: {
    arguments: [CLIENT_ID, '<scope[,scope]>'],
    options: [],
    summary: 'adds scopes',
    prepare([id, list]) {
      const clientId = clientIdFrom(id);
      const scopes = atLeastOne(scopesFrom(list), 'scope');
      return async (store) => {
        const { scopes: granted } = await existing(store, clientId);
        const updated = await change(store, clientId, { scopes: [...new Set([...granted, ...scopes])] });
        return applicationOutput(updated, `Scopes of ${clientId}: ${scopeList(updated)}`);
      };
    },
  },

  revoke: {
    arguments: [CLIENT_ID, '<scope[,scope]>'],
    options: [],
    summary: 'removes scopes',
    prepare([id, list]) {
      const clientId = clientIdFrom(id);
      const scopes = atLeastOne(scopesFrom(list), 'scope');
      return async (store) => {
        const { scopes: granted } = await existing(store, clientId);
        const updated = await change(store, clientId, { scopes: granted.filter((scope) => !scopes.includes(scope)) });
        return applicationOutput(updated, `Scopes of ${clientId}: ${scopeList(updated)}`);
      };
    },
  },

  domains: {
    arguments: [CLIENT_ID, "[<d1,d2>|'*']"],
    options: ['clear'],
    summary: "sets the e-mail domains it may act for ('*': any domain); --clear: no delegation",
    prepare([id, list], { clear }) {
      const clientId = clientIdFrom(id);
      if ((list === undefined) === !clear) {
        throw new UsageError("give either the allowed domains (d1,d2, or '*' for any domain) or --clear for no delegation");
      }
      const domains = list === undefined ? [] : atLeastOne(domainsFrom(list), 'domain');
      return async (store) => {
        const updated = await change(store, clientId, { domains, delegationModel: DELEGATION_MODEL });
        return applicationOutput(updated, `Delegation of ${clientId}: ${delegation(updated)}`);
      };
    },
  },

  'rotate-secret': {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'replaces its secret; prints the new one, once',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => {
        const secret = randomSecret();
        return withSecret(await change(store, clientId, { secretHash: sha256(secret) }), secret, 'New secret for');
      };
    },
  },

  disable: {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'refuses its credentials until enabled again',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => applicationOutput(await change(store, clientId, { active: false }), `Disabled ${clientId}.`);
    },
  },

  enable: {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'accepts its credentials again',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => applicationOutput(await change(store, clientId, { active: true }), `Enabled ${clientId}.`);
    },
  },

  delete: {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'deletes it',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => {
        if (!(await store.deleteApplication(clientId))) throw notFound(clientId);
        return { json: { client_id: clientId, deleted: true }, text: `Deleted ${clientId}.` };
      };
    },
  },
  'migrate-delegation': {
    arguments: [],
    options: ['keep-any'],
    summary: "after an upgrade: reports the applications that allowed any domain by default; --keep-any: grant them '*'",
    prepare: (_, options) => (store) => migrateDelegation(store, options['keep-any'] ?? false),
  },
};

function applicationOutput(record: ApplicationRecord, text = describeApplication(record)): CommandOutput {
  return { json: applicationView(record), text };
}

/** The only output that carries a secret: the operator must copy it now, it is never shown again. */
function withSecret(record: ApplicationRecord, secret: string, verb: string): CommandOutput {
  const { client_id: clientId, ...rest } = applicationView(record);
  return {
    json: { client_id: clientId, client_secret: secret, ...rest },
    text: [
      `${verb} ${record.name}`,
      `  client_id      ${clientId}`,
      `  client_secret  ${secret}`,
      'Store the secret now: it is shown only this once and cannot be recovered.',
    ].join('\n'),
  };
}

async function existing(store: ApplicationStore, clientId: string): Promise<ApplicationRecord> {
  const record = await store.findApplication(clientId);
  if (!record) throw notFound(clientId);
  return record;
}

async function change(store: ApplicationStore, clientId: string, changes: ApplicationChanges): Promise<ApplicationRecord> {
  const record = await store.updateApplication(clientId, changes, nowSeconds());
  if (!record) throw notFound(clientId);
  return record;
}

const notFound = (clientId: string) => new NotFoundError(`no application with client id ${clientId}`);

function clientIdFrom(text: string): string {
  if (!CLIENT_ID_FORMAT.test(text)) throw new UsageError(`invalid client id "${text}": client ids look like app_ followed by 22 characters`);
  return text;
}

function applicationName(text: string | undefined): string {
  const name = text?.trim();
  if (!name) throw new UsageError('create needs --name <name>');
  if (name.length > 100 || /\p{Cc}/u.test(name)) throw new UsageError('the name must be at most 100 printable characters');
  return name;
}

function scopesFrom(text: string): string[] {
  try {
    return parseScopes(text);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}: a scope is printable ASCII without space, " or \\ (RFC 6749 §3.3)`);
  }
}

/** Domains, or the wildcard alone: beside domains it would be ambiguous (any domain, or only those?). */
function domainsFrom(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.includes(ANY_DOMAIN)) {
    if (entries.some((entry) => entry !== ANY_DOMAIN)) throw new UsageError("'*' allows any domain: give it alone, not with other domains");
    return [ANY_DOMAIN];
  }
  try {
    return [...new Set(entries.map(normalizeDomain))];
  } catch (error) {
    throw new UsageError(`${(error as Error).message}: expected a DNS name such as example.com`);
  }
}

function atLeastOne(values: string[], what: string): string[] {
  if (values.length === 0) throw new UsageError(`give at least one ${what}`);
  return values;
}
