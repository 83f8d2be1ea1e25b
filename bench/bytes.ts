/**
 * JSON from UTF-8 bytes: the one-byte fast path (`src/json/bytes.ts`)
 * against the plain decode and parse, and against `JSON.parse` of text that
 * is already decoded, the yardstick of the other benches.
 *
 * Two real files, both with a few emoji among megabytes of ASCII (which
 * makes a plain decode a two-byte string):
 * - GitHub's REST API description (`@octokit/openapi` 23.0.1, 13 MB), as
 *   `loadSpec` gets it from a file or URL source: strict UTF-8
 *   (`TextDecoder` with `fatal`), then `JSON.parse`; fast path
 *   `tryJsonObjectBytes`;
 * - the Hoppscotch collection rendered from it (about 7 MB), as the
 *   Hoppscotch target reads it: `toString('utf8')`, then `JSON.parse`; fast
 *   path `parseJsonBytes`.
 *
 * Each case runs after a full garbage collection (run with `--expose-gc`),
 * so that one case does not pay for the garbage of the one before; medians.
 *
 *     node --expose-gc --import tsx bench/bytes.ts [runs]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonBytes, tryJsonObjectBytes } from '../src/json/bytes.js';
import { renderCollection } from '../src/targets/hoppscotch/index.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

const RUNS = Number(process.argv[2] ?? 15);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('Run with --expose-gc: node --expose-gc --import tsx bench/bytes.ts');
  process.exit(2);
}

const spec = await readFile(join(await npmFixture('@octokit/openapi', '23.0.1'), 'generated/api.github.com.json'));
const collection = Buffer.from(`${JSON.stringify(renderCollection(JSON.parse(spec.toString('utf8')) as object), null, 2)}\n`);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const time = (fn: () => unknown): number => {
  gc();
  const start = performance.now();
  fn();
  return performance.now() - start;
};

const cases: Array<{ title: string; bytes: Buffer; plain: () => unknown; fast: () => unknown; label: string }> = [
  {
    title: `GitHub spec, ${(spec.length / 1e6).toFixed(1)} MB (loadSpec of a file or URL body)`,
    bytes: spec,
    plain: () => JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(spec)),
    fast: () => tryJsonObjectBytes(spec),
    label: 'tryJsonObjectBytes',
  },
  {
    title: `Hoppscotch collection, ${(collection.length / 1e6).toFixed(1)} MB (the target's read)`,
    bytes: collection,
    plain: () => JSON.parse(collection.toString('utf8')),
    fast: () => parseJsonBytes(collection),
    label: 'parseJsonBytes',
  },
];

console.log(`JSON from UTF-8 bytes, ${RUNS} runs, medians, Node ${process.version}`);
for (const { title, bytes, plain, fast, label } of cases) {
  const text = bytes.toString('utf8');
  const times = { parse: [] as number[], plain: [] as number[], fast: [] as number[] };
  for (let i = 0; i <= RUNS; i++) {
    const parse = time(() => JSON.parse(text));
    const p = time(plain);
    const f = time(fast);
    if (i === 0) continue; // warm-up
    times.parse.push(parse);
    times.plain.push(p);
    times.fast.push(f);
  }
  const base = median(times.parse);
  const row = (name: string, values: number[]) =>
    `  ${name.padEnd(44)} ${median(values).toFixed(1).padStart(7)} ms ${(median(values) / base).toFixed(2).padStart(6)}x`;
  console.log(`\n${title}: ${bytes.filter((b) => b > 0x7f).length} non-ASCII bytes`);
  console.log(row('JSON.parse of the decoded text (yardstick)', times.parse));
  console.log(row('plain: decode, then JSON.parse', times.plain));
  console.log(row(`fast: ${label}`, times.fast));
  console.log(`  fast / plain: ${(median(times.fast) / median(times.plain)).toFixed(2)}`);
}
