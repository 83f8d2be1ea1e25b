/**
 * Multi-file specs: GitHub's REST API description (`@octokit/openapi`
 * 23.0.1, 13 MB) split into one file per path item and component (2,581
 * files, as `redocly split` lays them out), once as JSON and once as YAML,
 * then read back by `fileSource` (bundled through its limits: root, byte
 * budget, FIFO-safe opens) and loaded. Prints the median of each step and
 * checks that the bundle is the document that was split.
 *
 *     node --expose-gc --import tsx bench/bundle.ts [runs]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource } from '../src/sources/file.js';
import { loadSpec } from '../src/document/index.js';
import { npmFixture } from '../test/support/npm-fixtures.js';
import { splitSpec } from '../test/support/split-spec.js';

const RUNS = Number(process.argv[2] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const file = join(await npmFixture('@octokit/openapi', '23.0.1'), 'generated/api.github.com.json');
const bytes = await readFile(file);
const original = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
const reference = await loadSpec(bytes);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
async function time(fn: () => Promise<unknown>): Promise<number> {
  gc();
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const single: number[] = [];
for (let i = 0; i < RUNS; i++) single.push(await time(() => loadSpec(bytes)));
console.log(`one file, ${(bytes.length / 1e6).toFixed(1)} MB JSON: loadSpec ${median(single).toFixed(0)} ms`);

const dir = await mkdtemp(join(tmpdir(), 'als-bench-bundle-'));
try {
  for (const format of ['json', 'yaml'] as const) {
    const split = await splitSpec(original, join(dir, format), { format: () => format });
    const fetchTimes: number[] = [];
    const loadTimes: number[] = [];
    let same = true;
    for (let i = 0; i < RUNS; i++) {
      const source = fileSource({ path: split.root, maxBytes: 200 * 1024 * 1024 });
      let fetched: Awaited<ReturnType<typeof source.fetch>> | undefined;
      fetchTimes.push(await time(async () => (fetched = await source.fetch({ validators: {}, signal: new AbortController().signal }))));
      if (fetched?.kind !== 'document') throw new Error(`expected a bundled document, got ${fetched?.kind}`);
      let loaded: Awaited<ReturnType<typeof loadSpec>> | undefined;
      loadTimes.push(await time(async () => (loaded = await loadSpec(fetched!.kind === 'document' ? (fetched!.document as object) : {}))));
      same &&= loaded?.hash === reference.hash;
      await source.close?.();
    }
    console.log(
      `${split.files.length} ${format.toUpperCase()} files: fileSource.fetch (read and bundle) ${median(fetchTimes).toFixed(0)} ms, loadSpec ${median(loadTimes).toFixed(0)} ms; the document that was split: ${same}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
