import type { ConflictContext } from '../../src/conflict/index.js';
import { createConflictContext } from '../../src/testing/index.js';
import type { MergeConflict } from '../../src/merge/index.js';

/** A small OpenAPI document with tags, a secret-looking scheme and an unrelated marker. */
export function petstore(description = 'Local pets'): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Pets', version: '1.0.0', description: 'UNRELATED-INFO-MARKER-7731' },
    paths: {
      '/pets': {
        get: { operationId: 'listPets', tags: ['pets'], description, responses: { '200': { description: 'ok' } } },
        post: { operationId: 'addPet', tags: ['pets', 'write'], responses: { '201': { description: 'created' } } },
      },
      '/pets/{petId}': {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
        get: { operationId: 'getPet', tags: ['pets'], summary: 'One pet', responses: { '200': { description: 'ok' } } },
        delete: { operationId: 'deletePet', tags: ['admin'], responses: { '204': { description: 'gone' } } },
      },
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}

/** A context over the given documents, with a live signal. */
export function makeContext(overrides: Partial<ConflictContext> = {}): ConflictContext {
  return createConflictContext({
    sourceId: 'pets',
    jobId: 'job-1',
    base: petstore('Base pets'),
    local: petstore('Local pets'),
    remote: petstore('Remote pets'),
    ...overrides,
  });
}

/** A conflict at `path` (both-changed, local "local", remote "remote" unless given; pass `undefined` for an absent side). */
export function conflict(path: string, ...sides: [local?: unknown, remote?: unknown, kind?: MergeConflict['kind']]): MergeConflict {
  const local = sides.length > 0 ? sides[0] : 'local';
  const remote = sides.length > 1 ? sides[1] : 'remote';
  return { path, kind: sides[2] ?? 'both-changed', base: 'base', local, remote };
}
