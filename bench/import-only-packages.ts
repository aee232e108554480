import module from 'node:module';

/**
 * middy 7 exports its modules under the `import` condition only, and tsx runs guichet's TypeScript as CommonJS here:
 * this process resolves those packages as their ES modules (Node.js ≥ 22.15 loads them through require), as jest's
 * moduleNameMapper does for the tests. Imported first by the processes that load handlers from source.
 */
const IMPORT_ONLY = /^@middy\/(core|util)$/;

type ResolveContext = { readonly conditions: readonly string[] };
type Resolve = (specifier: string, context: ResolveContext, next: (specifier: string, context: ResolveContext) => unknown) => unknown;
const { registerHooks } = module as unknown as { registerHooks?: (hooks: { resolve: Resolve }) => void };
if (!registerHooks) throw new Error(`the bench loads handlers on Node.js ≥ 22.15 (run it with npm run bench), not ${process.version}`);
registerHooks({
  resolve: (specifier, context, next) =>
    next(specifier, IMPORT_ONLY.test(specifier) ? { ...context, conditions: [...context.conditions, 'import'] } : context),
});
