import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrunoFolder } from '../../../src/targets/bruno/folder.js';
import { bruFailures, runBru, startSpecServer } from '../../support/bru.js';
import { RENDERED_METHODS, resolveRef } from '../../../src/targets/collection/index.js';
import { brunoFiles, parseBrunoFiles } from '../../../src/targets/bruno/collection.js';
import { loadBruLang } from '../../../src/targets/bruno/lang.js';
import { renderBrunoTree } from '../../../src/targets/bruno/render.js';
import { collectionOf, treeOf, type BrunoTree, type BrunoTreeFolder } from '../../../src/targets/bruno/tree.js';
import { digest, expectGolden, goldenName, readTable, tableText, UPDATE_GOLDEN } from '../../support/golden.js';
import { oasExamples } from '../hoppscotch/oas-examples.js';

/**
 * Expected outputs (see test/support/golden.ts; `UPDATE_GOLDEN=1` rewrites
 * them): per document of `@readme/oas-examples` its number of request files
 * and a digest of every file written, and the whole folder of a few small
 * documents chosen for what they hold (a Swagger 2.0 upgrade, path-level
 * parameters and servers, several security schemes, file uploads, 3.1).
 */
const GOLDEN = join(import.meta.dirname, 'golden');
const TABLE = join(GOLDEN, 'oas-examples.json');
const PINNED = [
  '2.0/json/petstore-simple.json',
  '3.0/json/parameters-common.json',
  '3.0/json/server-path-level.json',
  '3.0/json/security-multiple.json',
  '3.0/json/file-uploads.json',
  '3.1/yaml/petstore-simple.yaml',
];

/** Operations a document declares with a method that becomes a request, counted from the document. */
function countOperations(document: Record<string, unknown>): number {
  let count = 0;
  for (const item of Object.values((document.paths ?? {}) as Record<string, unknown>)) {
    const resolved = resolveRef(item, document) as Record<string, unknown> | undefined;
    for (const method of RENDERED_METHODS) if (resolved?.[method] !== undefined) count++;
  }
  return count;
}

function requestsOf(node: BrunoTree | BrunoTreeFolder): number {
  return node.requests.length + node.folders.reduce((n, f) => n + requestsOf(f), 0);
}

describe('golden: every document of @readme/oas-examples renders to a Bruno folder @usebruno/lang reads back, the expected one', async () => {
  const examples = await oasExamples();
  const lang = await loadBruLang();
  const expected = UPDATE_GOLDEN ? {} : readTable(TABLE);
  const found: Record<string, unknown> = {};
  afterAll(async () => {
    if (UPDATE_GOLDEN) await expectGolden(TABLE, tableText(found));
  });

  it('finds the documents the expected outputs name', () => {
    expect(examples.length).toBeGreaterThan(100);
    if (!UPDATE_GOLDEN) expect(examples.map((e) => e.file).sort()).toEqual(Object.keys(expected).sort());
    for (const file of PINNED) expect(examples.map((e) => e.file)).toContain(file);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s', async (file, { document }) => {
    const tree = renderBrunoTree(document);
    const files = brunoFiles(collectionOf(tree), lang);
    // Bruno's own parser reads every file back to what was rendered.
    const back = treeOf(parseBrunoFiles(files, lang, file));
    expect(back).toEqual(JSON.parse(JSON.stringify(tree, (key, value) => (key === 'id' ? undefined : value))));
    // Every operation exactly once, deterministic.
    expect(requestsOf(tree)).toBe(countOperations(document));
    const text = JSON.stringify(Object.fromEntries([...files].map(([path, bytes]) => [path, bytes.toString('utf8')])), null, 2);
    expect(
      JSON.stringify(
        Object.fromEntries([...brunoFiles(collectionOf(renderBrunoTree(document)), lang)].map(([p, b]) => [p, b.toString('utf8')])),
        null,
        2,
      ),
    ).toBe(text);
    found[file] = { requests: requestsOf(tree), digest: digest(text) };
    if (!UPDATE_GOLDEN)
      expect(found[file], `${file} renders differently (UPDATE_GOLDEN=1 rewrites the expected outputs)`).toStrictEqual(expected[file]);
    if (PINNED.includes(file)) await expectGolden(join(GOLDEN, goldenName(file)), `${text}\n`);
  });
});

describe('bru run passes on the folders of the pinned documents, against a loopback server answering every route', async () => {
  const examples = (await oasExamples()).filter((e) => PINNED.includes(e.file));
  const lang = await loadBruLang();
  it.each(examples.map((e) => [e.file, e] as const))(
    '%s',
    async (_file, { document }) => {
      const dir = await mkdtemp(join(tmpdir(), 'als-bruno-golden-'));
      const server = await startSpecServer(document);
      try {
        const tree = renderBrunoTree(document);
        await new BrunoFolder(dir).write(brunoFiles(collectionOf(tree), lang), null);
        // Every server variable (baseUrl and path-level servers) points at the loopback server.
        const servers = Object.values(tree.environments).flatMap((e) => e.variables.filter((v) => !v.secret).map((v) => v.name));
        const run = await runBru(dir, Object.fromEntries(servers.map((name) => [name, server.url])));
        expect(bruFailures(run)).toEqual([]);
        expect(run.results).toHaveLength(requestsOf(tree));
        expect(server.misses).toEqual([]);
      } finally {
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
