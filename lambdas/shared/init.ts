/**
 * Work a function does before its first request: reading its secrets, importing its signing key, readying its
 * DynamoDB client. Lambda runs init with the full CPU of the machine, and waits for this work only because the
 * function's entry is an ES module that awaits it (the `index.mjs` that lib/bundling.ts writes beside the CommonJS
 * bundle), so the preparations are gathered on the global object, under a key that entry knows.
 */
export const PREPARATIONS_KEY = 'guichet.preparations';

type Registry = { [key: symbol]: Promise<unknown>[] | undefined };

/**
 * Starts `work` at once, when this runs in a Lambda environment (not in an in-process test). A failure is dropped
 * here: the request that needs the work meets it again, and answers it as it must.
 */
export function prepareAtInit(work: () => Promise<unknown>, env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (!env.AWS_LAMBDA_FUNCTION_NAME) return;
  const registry = globalThis as unknown as Registry;
  const key = Symbol.for(PREPARATIONS_KEY);
  (registry[key] ??= []).push(work().catch(() => undefined));
}
