/** The document of the Bruno engine crash test: every version renames every operation and adds one. */
export function crashDocument(version: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < 4 + version; i++) {
    paths[`/pets${i}`] = {
      get: {
        tags: ['pets'],
        operationId: `listPets${i}`,
        summary: `List pets ${i} (v${version})`,
        responses: { '200': { description: 'ok' } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Petstore', version: String(version) },
    servers: [{ url: `http://127.0.0.1:9/v${version}` }],
    paths,
  };
}
