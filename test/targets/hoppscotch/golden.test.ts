import { describe, expect, it } from 'vitest';
import { allRequests, parseCollection, RENDERED_METHODS, renderCollection, type HoppCollection } from '../../../src/targets/hoppscotch/index.js';
import { oasExamples } from './oas-examples.js';

/** Operations a document declares with a method the renderer maps, counted independently of it. */
function countOperations(document: Record<string, unknown>): number {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  let count = 0;
  for (const item of Object.values(paths)) {
    const resolved = typeof item.$ref === 'string' ? (at(document as unknown as HoppCollection, item.$ref.slice(1)) as Record<string, unknown> | undefined) : item;
    for (const method of RENDERED_METHODS) if (resolved?.[method] !== undefined) count++;
  }
  return count;
}

function at(collection: HoppCollection, pointer: string): unknown {
  let node: unknown = collection;
  for (const segment of pointer.split('/').slice(1)) node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

describe('golden: every document of @readme/oas-examples renders to a valid collection', async () => {
  const examples = await oasExamples();

  it('finds the documents of all three versions in both formats', () => {
    const families = new Set(examples.map((e) => e.file.split('/').slice(0, 2).join('/')));
    expect(families).toEqual(new Set(['2.0/json', '2.0/yaml', '3.0/json', '3.0/yaml', '3.1/json', '3.1/yaml']));
    expect(examples.length).toBeGreaterThan(100);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s', (_file, { document }) => {
    const first = renderCollection(document);
    const json = JSON.stringify(first.collection);
    // Valid for our schemas, after a trip through JSON, for both versions.
    expect(parseCollection(JSON.parse(json))).toEqual(first.collection);
    expect(() => parseCollection(JSON.parse(JSON.stringify(renderCollection(document, { collectionVersion: 11 }).collection)))).not.toThrow();
    // Deterministic.
    expect(JSON.stringify(renderCollection(document).collection)).toBe(json);
    // Every operation exactly once, each request carrying the identity the map names.
    const requests = allRequests(first.collection);
    expect(requests).toHaveLength(countOperations(document));
    expect(Object.keys(first.operations)).toHaveLength(requests.length);
    for (const [pointer, identity] of Object.entries(first.operations)) expect((at(first.collection, pointer) as { id?: string }).id).toBe(identity);
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
  });
});
