/**
 * On Node 20 (the oldest this project supports, and what its machines run), two dependencies announce at every
 * start what a developer cannot act on: oidc-provider that it prefers Node 22 and that its development adapter
 * keeps state in memory (which the development IdP wants), and the AWS SDK that its 2027 releases will need
 * Node 22. These notices are replaced by one line that says so; every other warning passes as before.
 */
const NOTICES = [/^oidc-provider WARNING: Unsupported runtime/, /^oidc-provider WARNING: a quick start development-only in-memory adapter/];

export const NODE20_NOTE =
  'note: on Node 20, oidc-provider and the AWS SDK ask for Node 22: local mode works on Node 20.19 and later ' +
  '(the development IdP keeps its state in memory on purpose), and deployed Lambdas run Node 24.';

export function foldNode20Notices(write: (line: string) => void, major = Number(process.versions.node.split('.')[0])): void {
  if (major >= 22) return;
  write(`${NODE20_NOTE}\n`);
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && NOTICES.some((notice) => notice.test(args[0] as string))) return;
    warn(...args);
  };
  // The SDK's own switch; the processes local mode starts (the synthesis) inherit it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
