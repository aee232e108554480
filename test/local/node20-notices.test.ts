import { foldNode20Notices, NODE20_NOTE } from '../../local/node20-notices';

describe('foldNode20Notices', () => {
  const warn = console.warn;
  const sdkSwitch = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  afterEach(() => {
    console.warn = warn;
    if (sdkSwitch === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = sdkSwitch;
  });

  it("on Node 20, says it in one line instead of oidc-provider's two notices and the SDK's, and lets other warnings through", () => {
    const written: string[] = [];
    const warned: unknown[][] = [];
    console.warn = (...args: unknown[]) => warned.push(args);
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    foldNode20Notices((line) => written.push(line), 20);

    expect(written).toEqual([`${NODE20_NOTE}\n`]);
    console.warn('oidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.');
    console.warn('oidc-provider WARNING: a quick start development-only in-memory adapter is used, you MUST change it');
    console.warn('oidc-provider WARNING: default renderError function called, you MUST change it');
    console.warn('something else');
    expect(warned).toEqual([['oidc-provider WARNING: default renderError function called, you MUST change it'], ['something else']]);
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });

  it('changes nothing on Node 22 and later', () => {
    const written: string[] = [];
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    foldNode20Notices((line) => written.push(line), 22);
    expect(written).toEqual([]);
    expect(console.warn).toBe(warn);
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBeUndefined();
  });
});
