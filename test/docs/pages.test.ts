import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const README = 'README.md';
const README_MAX_LINES = 300;

/** Every file under docs/, relative to the repository root. */
function docsFiles(folder = 'docs'): string[] {
  return readdirSync(path.join(ROOT, folder)).flatMap((name) => {
    const relative = path.posix.join(folder, name);
    return statSync(path.join(ROOT, relative)).isDirectory() ? docsFiles(relative) : [relative];
  });
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const markdownPages = [README, ...docsFiles().filter((file) => file.endsWith('.md'))];

/** Text outside fenced code blocks, where a `#` or `[x](y)` is code, not markdown. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped (but `-` and `_`), each space a `-`. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page's headings give, GitHub's way: a repeated heading gets `-1`, `-2`… */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const base = headingAnchor(heading);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** The targets of a page's inline links and images that stay in the repository. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

interface Link {
  readonly page: string;
  readonly target: string;
}

const links: Link[] = markdownPages.flatMap((page) => relativeLinks(read(page)).map((target) => ({ page, target })));

/** The repository file a link names, relative to the root, and its anchor. */
function resolve({ page, target }: Link): { file: string; anchor?: string } {
  const [pathPart, anchor] = target.split('#', 2);
  const file = pathPart === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURI(pathPart)));
  return { file, anchor: anchor === undefined ? undefined : decodeURIComponent(anchor) };
}

describe('headingAnchor', () => {
  it('makes the anchors GitHub makes', () => {
    expect(headingAnchor('Office add-ins: transit token + polling')).toBe('office-add-ins-transit-token--polling');
    expect(headingAnchor('Local mode: what `npm start` runs')).toBe('local-mode-what-npm-start-runs');
    expect(headingAnchor('Libraries, and why')).toBe('libraries-and-why');
    expect(headingAnchor('User tokens for product APIs (token exchange, RFC 8693)')).toBe(
      'user-tokens-for-product-apis-token-exchange-rfc-8693',
    );
  });

  it('numbers a repeated heading, and ignores headings inside code blocks', () => {
    expect([...anchorsOf('# A\n## A\n```sh\n# B\n```\n')]).toEqual(['a', 'a-1']);
  });
});

describe('the README', () => {
  it(`fits in ${README_MAX_LINES} lines`, () => {
    expect(read(README).split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('links every file of docs/', () => {
    const linked = new Set(links.filter((link) => link.page === README).map((link) => resolve(link).file));
    expect(docsFiles().filter((file) => !linked.has(file))).toEqual([]);
  });

  it('names every package the project depends on, in its list of libraries', () => {
    const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const packages = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((kind) => Object.keys(manifest[kind] ?? {}));
    const readme = read(README);
    const unnamed = packages.filter(
      (name) => !readme.includes(`\`${name}\``) && !(name.startsWith('@types/') && readme.includes('`@types/*`')),
    );
    expect(unnamed).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  it('have links to check', () => {
    expect(markdownPages.length).toBeGreaterThanOrEqual(10);
    expect(links.length).toBeGreaterThanOrEqual(50);
  });

  it('link only to files that exist', () => {
    const broken = links.filter((link) => !existsSync(path.join(ROOT, resolve(link).file)));
    expect(broken).toEqual([]);
  });

  it('link only to headings that exist', () => {
    const broken = links.filter((link) => {
      const { file, anchor } = resolve(link);
      return anchor !== undefined && file.endsWith('.md') && existsSync(path.join(ROOT, file)) && !anchorsOf(read(file)).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it('describe what exists, with no change log of issues', () => {
    const pages = markdownPages.filter((page) => page !== 'docs/CONTRACT.md');
    expect(pages.filter((page) => /\bissue \d+|\(issue \d+\)|\bdocs\/pending\b/i.test(read(page)))).toEqual([]);
  });
});
