import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RENDERED_METHODS } from '../../../src/targets/collection/index.js';
import {
  flatten,
  isPostmanFolder,
  parsePostmanCollection,
  renderPostmanCollection,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanItem,
} from '../../../src/targets/postman/index.js';
import { digest, expectGolden, goldenName, readTable, tableText, UPDATE_GOLDEN } from '../../support/golden.js';
import { sdkCheck } from '../../support/postman.js';
import { oasExamples } from '../hoppscotch/oas-examples.js';

/**
 * Expected outputs (see test/support/golden.ts; `UPDATE_GOLDEN=1` rewrites
 * them): per document of `@readme/oas-examples` its number of requests and
 * a digest of the Postman collection JSON, and the whole collection of a few
 * small documents chosen for what they hold (a Swagger 2.0 upgrade,
 * path-level parameters and servers, several security schemes, file
 * uploads, OpenAPI 3.1).
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
    let resolved: Record<string, unknown> | undefined = item;
    if (typeof item.$ref === 'string') {
      resolved = document;
      for (const segment of item.$ref.slice(2).split('/'))
        resolved = resolved?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown> | undefined;
    }
    for (const method of RENDERED_METHODS) if (resolved?.[method] !== undefined) count++;
  }
  return count;
}

function items(collection: PostmanCollection): PostmanItem[] {
  const out: PostmanItem[] = [];
  const visit = (entries: Array<PostmanItem | PostmanFolder>) => {
    for (const entry of entries) isPostmanFolder(entry) ? visit(entry.item) : out.push(entry);
  };
  visit(collection.item);
  return out;
}

describe('golden: every document of @readme/oas-examples renders to a Postman collection the SDK accepts, the expected one', async () => {
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
    const collection = renderPostmanCollection(document);
    const json = JSON.stringify(collection);
    // Valid for our checks and read as written by the official SDK, after a trip through JSON.
    expect(parsePostmanCollection(JSON.parse(json))).toEqual(collection);
    expect(sdkCheck(JSON.parse(json))).toEqual([]);
    // Deterministic.
    expect(JSON.stringify(renderPostmanCollection(document))).toBe(json);
    // Every operation exactly once, each with its own identity, every path variable with its value.
    const requests = items(collection);
    expect(requests).toHaveLength(countOperations(document));
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
    for (const request of requests) {
      const flat = flatten(request);
      const named = [...flat.endpoint.matchAll(/\/:([^/]+)/g)].map((m) => m[1]);
      expect(flat.variable.map((v) => v.key)).toEqual(expect.arrayContaining(named));
    }
    // The expected output, not only a valid one.
    found[file] = { requests: requests.length, digest: digest(json) };
    if (!UPDATE_GOLDEN)
      expect(found[file], `${file} renders differently (UPDATE_GOLDEN=1 rewrites the expected outputs)`).toStrictEqual(expected[file]);
    if (PINNED.includes(file)) await expectGolden(join(GOLDEN, goldenName(file)), `${JSON.stringify(collection, null, 2)}\n`);
  });
});
