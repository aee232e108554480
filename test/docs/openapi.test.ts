import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROUTES } from '../../lambdas/routes';

const document = parse(readFileSync(path.join(__dirname, '../../docs/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};

const documented = Object.entries(document.paths)
  .flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`))
  .sort();

describe('docs/openapi.yaml', () => {
  it('describes exactly the routes of the route table', () => {
    expect(documented).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('gives every operation at least one error response', () => {
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(Object.keys(operation.responses).some((status) => Number(status) >= 400)).toBe(true);
      }
    }
  });

  it('gives every route that uses a table or a secret its 503, for a dependency that fails', () => {
    const undocumented = ROUTES.filter((route) => Object.keys(route.tables).length > 0 || route.secrets.length > 0)
      .filter((route) => !document.paths[route.path][route.method.toLowerCase()].responses['503'])
      .map((route) => route.id);
    expect(undocumented).toEqual([]);
  });
});
