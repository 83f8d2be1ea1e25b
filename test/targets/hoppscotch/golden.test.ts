import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  allRequests,
  parseCollection,
  RENDERED_METHODS,
  renderCollection,
  type HoppCollection,
} from '../../../src/targets/hoppscotch/index.js';
import { digest, expectGolden, goldenName, readTable, tableText, UPDATE_GOLDEN } from '../../support/golden.js';
import { oasExamples } from './oas-examples.js';

/**
 * Expected outputs (see test/support/golden.ts; `UPDATE_GOLDEN=1` rewrites
 * them): per document its number of requests and a digest of the collection
 * JSON, and the whole collection of a few small documents chosen for what
 * they hold (a Swagger 2.0 upgrade, path-level parameters and servers,
 * several security schemes, file uploads, OpenAPI 3.1).
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

/** Operations a document declares with a method the renderer maps, counted independently of it. */
function countOperations(document: Record<string, unknown>): number {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  let count = 0;
  for (const item of Object.values(paths)) {
    const resolved =
      typeof item.$ref === 'string'
        ? (at(document as unknown as HoppCollection, item.$ref.slice(1)) as Record<string, unknown> | undefined)
        : item;
    for (const method of RENDERED_METHODS) if (resolved?.[method] !== undefined) count++;
  }
  return count;
}

function at(collection: HoppCollection, pointer: string): unknown {
  let node: unknown = collection;
  for (const segment of pointer.split('/').slice(1))
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

describe('golden: every document of @readme/oas-examples renders to a valid collection, the expected one', async () => {
  const examples = await oasExamples();
  const expected = UPDATE_GOLDEN ? {} : readTable(TABLE);
  const found: Record<string, unknown> = {};
  afterAll(async () => {
    if (UPDATE_GOLDEN) await expectGolden(TABLE, tableText(found));
  });

  it('finds the documents of all three versions in both formats, the ones the expected outputs name', () => {
    const families = new Set(examples.map((e) => e.file.split('/').slice(0, 2).join('/')));
    expect(families).toEqual(new Set(['2.0/json', '2.0/yaml', '3.0/json', '3.0/yaml', '3.1/json', '3.1/yaml']));
    expect(examples.length).toBeGreaterThan(100);
    if (!UPDATE_GOLDEN) expect(examples.map((e) => e.file).sort()).toEqual(Object.keys(expected).sort());
    for (const file of PINNED) expect(examples.map((e) => e.file)).toContain(file);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s', async (file, { document }) => {
    const first = renderCollection(document);
    const json = JSON.stringify(first.collection);
    // Valid for our schemas, after a trip through JSON, for both versions.
    expect(parseCollection(JSON.parse(json))).toEqual(first.collection);
    expect(() =>
      parseCollection(JSON.parse(JSON.stringify(renderCollection(document, { collectionVersion: 11 }).collection))),
    ).not.toThrow();
    // Deterministic.
    expect(JSON.stringify(renderCollection(document).collection)).toBe(json);
    // Every operation exactly once, each request carrying the identity the map names.
    const requests = allRequests(first.collection);
    expect(requests).toHaveLength(countOperations(document));
    expect(Object.keys(first.operations)).toHaveLength(requests.length);
    for (const [pointer, identity] of Object.entries(first.operations))
      expect((at(first.collection, pointer) as { id?: string }).id).toBe(identity);
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
    // The expected output, not only a valid one.
    found[file] = { requests: requests.length, digest: digest(json) };
    if (!UPDATE_GOLDEN)
      expect(found[file], `${file} renders differently (UPDATE_GOLDEN=1 rewrites the expected outputs)`).toStrictEqual(expected[file]);
    if (PINNED.includes(file)) await expectGolden(join(GOLDEN, goldenName(file)), `${JSON.stringify(first.collection, null, 2)}\n`);
  });
});
