import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROUTES } from '../../lambdas/routes';

const ROOT = path.join(__dirname, '..', '..');
const contract = readFileSync(path.join(ROOT, 'docs/CONTRACT.md'), 'utf8');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Every `METHOD /path…` the contract names, without its query or optional parts. */
const contractEndpoints = [...contract.matchAll(/`(GET|POST) (\/[^`?[\s]*)/g)].map(([, method, route]) => `${method} ${route}`);

/** The first column of the contract's configuration table: `NAME` or `NAME` / `NAME`. */
const contractVariables = [...contract.matchAll(/^\| (`[A-Z_]+`(?: \/ `[A-Z_]+`)?) \|/gm)].flatMap(([, cell]) => [...cell.matchAll(/`([A-Z_]+)`/g)].map(([, name]) => name));

describe('docs/CONTRACT.md, the contract a clone carries', () => {
  it('is the shared contract, word for word, where the shared folder is present', () => {
    const shared = path.join(ROOT, '..', 'shared', 'CONTRACT.md');
    if (existsSync(shared)) expect(contract).toBe(readFileSync(shared, 'utf8'));
    expect(contract).toMatch(/^# guichet — public contract/);
  });

  it('names only endpoints that the route table has', () => {
    expect(contractEndpoints.length).toBeGreaterThanOrEqual(15);
    const routes = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(contractEndpoints.filter((endpoint) => !routes.includes(endpoint))).toEqual([]);
  });

  it('has every configuration variable documented in the README', () => {
    expect(contractVariables.length).toBeGreaterThanOrEqual(20);
    expect(contractVariables.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('is what the README links to, not a folder outside the repository', () => {
    expect(readme).toContain('(docs/CONTRACT.md)');
    expect(readme).not.toContain('../shared/');
  });
});
