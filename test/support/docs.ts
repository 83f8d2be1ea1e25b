/** Small OpenAPI documents for engine tests. */
export function petstore(operations = 3, title = 'Petstore'): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < operations; i++) {
    paths[`/pets${i === 0 ? '' : i}`] = {
      get: { operationId: `listPets${i}`, summary: `List pets ${i}`, responses: { '200': { description: 'ok' } } },
    };
  }
  return { openapi: '3.0.3', info: { title, version: '1.0.0' }, paths };
}
