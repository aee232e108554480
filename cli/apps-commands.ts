import { readFileSync, statSync } from 'node:fs';
import {
  credentialKind,
  DEFAULT_SECRET_GRACE,
  graceSeconds,
  jwksUriProblem,
  operatorJwks,
  validSecrets,
} from '../lambdas/domain/application-credentials';
import {
  ANY_DOMAIN,
  CLIENT_ID_FORMAT,
  DELEGATION_MODEL,
  newClientId,
  normalizeDomain,
  parseScopes,
} from '../lambdas/domain/application-rules';
import type { ApplicationChanges, ApplicationRecord, ApplicationUpdateOptions } from '../lambdas/repositories/applications';
import { randomSecret, sha256 } from '../lambdas/shared/crypto';
import { nowSeconds } from '../lambdas/shared/time';
import type { ApplicationStore } from './application-store';
import { applicationTable, applicationView, credentials, delegation, describeApplication, isoTime, scopeList } from './application-view';
import { CliError, type CommandOutput, NotFoundError, UsageError } from './command-runner';
import { migrateDelegation } from './delegation-migration';

/** The options particular to some commands, as `util.parseArgs` declares them. */
export const COMMAND_OPTIONS = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  domains: { type: 'string' },
  clear: { type: 'boolean' },
  'keep-any': { type: 'boolean' },
  grace: { type: 'string' },
  'jwks-uri': { type: 'string' },
  'jwks-file': { type: 'string' },
} as const;

export type CommandOptionName = keyof typeof COMMAND_OPTIONS;

export const COMMAND_OPTION_USAGE: Readonly<Record<CommandOptionName, string>> = {
  name: '--name <name>',
  scopes: '[--scopes a,b]',
  domains: "[--domains d1,d2|'*']",
  clear: '[--clear]',
  'keep-any': '[--keep-any]',
  grace: `[--grace <duration>, default ${DEFAULT_SECRET_GRACE}]`,
  'jwks-uri': '[--jwks-uri <https URL>',
  'jwks-file': '| --jwks-file <path>]',
};

export interface CommandOptionValues {
  readonly name?: string;
  readonly scopes?: string;
  readonly domains?: string;
  readonly clear?: boolean;
  readonly 'keep-any'?: boolean;
  readonly grace?: string;
  readonly 'jwks-uri'?: string;
  readonly 'jwks-file'?: string;
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
    options: ['name', 'scopes', 'domains', 'jwks-uri', 'jwks-file'],
    summary: 'registers an application; prints its secret, once (none with keys: it authenticates with private_key_jwt)',
    prepare(_, options) {
      const name = applicationName(options.name);
      const scopes = scopesFrom(options.scopes ?? '');
      const domains = domainsFrom(options.domains ?? '');
      const keys = keysFrom(options, false);
      return async (store) => {
        const now = nowSeconds();
        const secret = keys ? undefined : randomSecret();
        const record: ApplicationRecord = {
          id: newClientId(),
          name,
          active: true,
          scopes,
          domains,
          delegationModel: DELEGATION_MODEL,
          ...(secret === undefined ? checkedKeys(keys!, store) : { secretHash: sha256(secret), secretCreatedAt: now }),
          createdAt: now,
          updatedAt: now,
        };
        await store.saveNewApplication(record);
        if (secret !== undefined) return withSecret(record, secret, 'Created');
        return applicationOutput(record, `Created ${record.name}\n${describeApplication(record)}`);
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
    options: ['grace'],
    summary: 'gives it a new secret, printed once; the previous one stays valid for the grace period (at most two valid)',
    prepare([id], options) {
      const clientId = clientIdFrom(id);
      const grace = graceFrom(options.grace ?? DEFAULT_SECRET_GRACE);
      return async (store) => {
        const record = await existing(store, clientId);
        if (credentialKind(record) === 'keys') {
          throw new CliError(`${clientId} authenticates with keys (private_key_jwt): it has no secret; set-jwks changes its keys`);
        }
        const secret = randomSecret();
        const now = nowSeconds();
        // The secret it replaces stays valid for the grace period; one still in its own grace period ends now.
        const updated = await changeIf(
          store,
          clientId,
          {
            secretHash: sha256(secret),
            secretCreatedAt: now,
            previousSecretHash: record.secretHash,
            previousSecretCreatedAt: record.secretCreatedAt,
            previousSecretExpiresAt: now + grace,
          },
          { remove: record.secretCreatedAt === undefined ? ['previousSecretCreatedAt'] : [], expect: { secretHash: record.secretHash! } },
        );
        const output = withSecret(updated, secret, 'New secret for');
        const until = `The previous secret stays valid until ${isoTime(now + grace)}`;
        return { json: output.json, text: `${output.text}\n${until}; \`npm run apps -- retire-secret ${clientId}\` ends it now.` };
      };
    },
  },

  'retire-secret': {
    arguments: [CLIENT_ID],
    options: [],
    summary: 'ends the previous secret at once, after every instance of the application has the new one',
    prepare([id]) {
      const clientId = clientIdFrom(id);
      return async (store) => {
        const record = await existing(store, clientId);
        const hadPrevious = validSecrets(record, nowSeconds()).length > 1;
        const updated = await changeIf(
          store,
          clientId,
          {},
          {
            remove: ['previousSecretHash', 'previousSecretCreatedAt', 'previousSecretExpiresAt'],
            expect: record.previousSecretHash === undefined ? {} : { previousSecretHash: record.previousSecretHash },
          },
        );
        const text = hadPrevious
          ? `Retired the previous secret of ${clientId}: only the current one is valid.`
          : `${clientId} has no previous secret: nothing to retire.`;
        return { json: { ...applicationView(updated), retired: hadPrevious }, text };
      };
    },
  },

  'set-jwks': {
    arguments: [CLIENT_ID],
    options: ['jwks-uri', 'jwks-file'],
    summary: 'sets the public keys it authenticates with (private_key_jwt); an application with secrets loses them',
    prepare([id], options) {
      const clientId = clientIdFrom(id);
      const keys = keysFrom(options, true)!;
      return async (store) => {
        const record = await existing(store, clientId);
        const updated = await change(store, clientId, checkedKeys(keys, store), [
          ...SECRET_ATTRIBUTES,
          keys.jwksUri === undefined ? 'jwksUri' : 'jwks',
        ]);
        const lost = credentialKind(record) === 'secret' ? `\n${SECRETS_REMOVED}` : '';
        return applicationOutput(updated, `Keys of ${clientId}: ${credentials(updated)}${lost}\n${describeApplication(updated)}`);
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

async function change(
  store: ApplicationStore,
  clientId: string,
  changes: ApplicationChanges,
  remove: ApplicationUpdateOptions['remove'] = [],
): Promise<ApplicationRecord> {
  return changeIf(store, clientId, changes, { remove });
}

/** A change made only if what `options.expect` names was not changed meanwhile, by another operator. */
async function changeIf(
  store: ApplicationStore,
  clientId: string,
  changes: ApplicationChanges,
  options: ApplicationUpdateOptions,
): Promise<ApplicationRecord> {
  const result = await store.updateApplicationIf(clientId, changes, nowSeconds(), options);
  if (result === 'not_found') throw notFound(clientId);
  if (result === 'changed') throw new CliError(`the credentials of ${clientId} changed while this command ran: run it again`);
  return result;
}

/** The secrets an application with keys no longer has. */
const SECRET_ATTRIBUTES = [
  'secretHash',
  'secretCreatedAt',
  'previousSecretHash',
  'previousSecretCreatedAt',
  'previousSecretExpiresAt',
] as const;
const SECRETS_REMOVED = 'Its secrets were removed: it now authenticates with private_key_jwt only.';

/** The public keys given with `--jwks-uri` or `--jwks-file`, checked as far as can be before the target is known. */
type GivenKeys = Pick<ApplicationRecord, 'jwksUri' | 'jwks'>;

function keysFrom(options: CommandOptionValues, required: boolean): GivenKeys | undefined {
  const uri = options['jwks-uri'];
  const file = options['jwks-file'];
  if (uri !== undefined && file !== undefined) throw new UsageError('give either --jwks-uri or --jwks-file, not both');
  if (uri !== undefined) {
    const problem = jwksUriProblem(uri, true);
    if (problem) throw new UsageError(`invalid --jwks-uri "${uri}": ${problem}`);
    return { jwksUri: uri };
  }
  if (file !== undefined) return { jwks: jwksFileContent(file) };
  if (required) throw new UsageError('give the keys: --jwks-uri <https URL> or --jwks-file <path>');
  return undefined;
}

/** A deployed stack calls https `jwks_uri`s only: plain http on loopback is for the local guichet. */
function checkedKeys(keys: GivenKeys, store: ApplicationStore): GivenKeys {
  const problem = keys.jwksUri === undefined ? undefined : jwksUriProblem(keys.jwksUri, store.local);
  if (problem) throw new UsageError(`invalid --jwks-uri "${keys.jwksUri}": ${problem}`);
  return keys;
}

const MAX_JWKS_FILE_BYTES = 64 * 1024;

/** The public JWK Set of a file, as stored: checked, refused with the reason when it holds anything but public signing keys. */
function jwksFileContent(file: string): string {
  let text: string;
  try {
    if (statSync(file).size > MAX_JWKS_FILE_BYTES) throw new Error(`larger than ${MAX_JWKS_FILE_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --jwks-file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--jwks-file ${file} is not JSON`);
  }
  const jwks = operatorJwks(parsed);
  if ('problem' in jwks) throw new UsageError(`--jwks-file ${file}: ${jwks.problem}`);
  return JSON.stringify(jwks);
}

function graceFrom(text: string): number {
  try {
    return graceSeconds(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const notFound = (clientId: string) => new NotFoundError(`no application with client id ${clientId}`);

function clientIdFrom(text: string): string {
  if (!CLIENT_ID_FORMAT.test(text))
    throw new UsageError(`invalid client id "${text}": client ids look like app_ followed by 22 characters`);
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
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
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
