import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLE_FILE } from '../lib/bundling';
import type { BenchFunction } from './guichet-process';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..');

export interface PackageShare {
  /** An npm package, or `(guichet)` for the repository's own code. */
  readonly name: string;
  readonly bytes: number;
}

export interface Bundle {
  readonly lambda: BenchFunction;
  /** Bytes of the minified JavaScript (the bundle and its entry), without the source map beside it. */
  readonly bytes: number;
  /** Bytes in the output by package, largest first, read from the bundle's source map. */
  readonly packages: readonly PackageShare[];
  /** What the bundle leaves to the runtime to provide (`@aws-sdk/client-dynamodb`…). */
  readonly runtimeModules: readonly string[];
}

/** Every function's bundle as the cloud assembly holds it, the one that deploys. */
export async function measureBundles(functions: readonly BenchFunction[]): Promise<Bundle[]> {
  return Promise.all(
    functions.map(async (lambda) => {
      // The entry only loads the bundle beside it: the bundle is what is measured (its source map keeps esbuild's name).
      const bundle = path.join(path.dirname(lambda.file), BUNDLE_FILE);
      const code = await readFile(bundle, 'utf8');
      const map = JSON.parse(await readFile(path.join(path.dirname(lambda.file), 'index.js.map'), 'utf8')) as SourceMap;
      const runtimeModules = [...new Set([...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map(([, name]) => name))].sort();
      const bytes = (await stat(bundle)).size + (await stat(lambda.file)).size;
      return { lambda, bytes, packages: packageShares(code, map), runtimeModules };
    }),
  );
}

interface SourceMap {
  readonly sources: readonly string[];
  readonly mappings: string;
}

/**
 * Characters of the generated code by the package of their source: each mapping segment covers the code up to the
 * next segment of its line. (The bundles are ASCII but for a few strings, so characters stand for bytes.)
 */
function packageShares(code: string, map: SourceMap): PackageShare[] {
  const lines = code.split('\n');
  const shares = new Map<string, number>();
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    if (!line) return;
    let column = 0;
    const segments = line.split(',').map((segment) => {
      const [columnDelta, sourceDelta] = decodeVlq(segment);
      column += columnDelta;
      if (sourceDelta !== undefined) source += sourceDelta;
      return { column, source: sourceDelta === undefined ? undefined : source };
    });
    segments.forEach((segment, index) => {
      const end = segments[index + 1]?.column ?? lines[lineIndex]?.length ?? segment.column;
      const name = segment.source === undefined ? '(guichet)' : packageOf(map.sources[segment.source]);
      shares.set(name, (shares.get(name) ?? 0) + end - segment.column);
    });
  });
  return [...shares].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source-map segment (base64 VLQ). */
function decodeVlq(segment: string): number[] {
  const numbers: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    numbers.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return numbers;
}

/** The package a source belongs to: the path after its last `node_modules/`. */
function packageOf(source: string): string {
  const parts = source.split('node_modules/');
  if (parts.length < 2) return '(guichet)';
  const segments = parts.at(-1)!.split('/');
  return segments[0].startsWith('@') ? `${segments[0]}/${segments[1]}` : segments[0];
}
