import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { storeConformance } from './conformance.js';

storeConformance('MemoryStore', () => new MemoryStore());

describe('MemoryStore', () => {
  it('hands out the stored value itself, deeply frozen, so a 13 MB base costs nothing to read', async () => {
    const store = new MemoryStore();
    await store.saveBase('a', { document: { paths: { '/x': { get: { tags: ['t'] } } } }, hash: 'sha256:1', savedAt: 1 });
    const first = await store.getBase('a');
    expect(await store.getBase('a')).toBe(first);
    const tags = (first!.document as { paths: Record<string, { get: { tags: string[] } }> }).paths['/x']!.get.tags;
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(tags)).toBe(true);
    expect(() => tags.push('u')).toThrow(TypeError);
  });
});
