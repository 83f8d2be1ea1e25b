/**
 * newman runs what we render from real documents: each pinned document of
 * `@readme/oas-examples` (the golden test's) rendered to a collection, every
 * server variable pointed at a loopback server that answers every route of
 * the document and refuses requests with missing or mistyped path variables
 * or missing required query parameters. Every request must run (no
 * collection or request errors) and be answered 2xx, except where the
 * document gives a path parameter no example: the model writes a `<name>`
 * placeholder for the user to fill in, which the server refuses as it should.
 * Needs scripts/install-clients.sh to have run once (it fails, it does not skip).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPostmanCollection } from '../../../src/targets/postman/index.js';
import { assertNewmanInstalled, newmanFailures, runNewman, specServer } from '../../support/postman.js';
import { oasExamples } from '../hoppscotch/oas-examples.js';

const FILES = [
  '2.0/json/petstore-simple.json',
  '3.0/json/parameters-common.json',
  '3.0/json/server-path-level.json',
  '3.0/json/security-multiple.json',
  '3.0/json/file-uploads.json',
  '3.1/yaml/petstore-simple.yaml',
];

let dir: string;
beforeAll(async () => {
  assertNewmanInstalled();
  dir = await mkdtemp(join(tmpdir(), 'als-newman-oas-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('newman on collections rendered from @readme/oas-examples', async () => {
  const examples = (await oasExamples()).filter((e) => FILES.includes(e.file));

  it('finds every document it names', () => {
    expect(examples.map((e) => e.file).sort()).toEqual([...FILES].sort());
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s: every request answered', { timeout: 60_000 }, async (file, { document }) => {
    const server = await specServer(document);
    try {
      const collection = renderPostmanCollection(document);
      const path = join(dir, `${file.replace(/\W/g, '_')}.json`);
      await writeFile(path, JSON.stringify(collection));
      // Every server variable (the document's and path- or operation-level ones) aimed at the loopback server.
      const envVars = Object.fromEntries(
        (collection.variable ?? []).filter((v) => /^https?:|^\//.test(String(v.value))).map((v) => [v.key as string, server.url]),
      );
      const run = await runNewman(path, { envVars });
      expect(newmanFailures(run)).toEqual([]);
      expect(server.refused.filter((line) => !/path parameter (\S+) = "<\1>"$/.test(line))).toEqual([]);
      const answered = run.report.run.executions.map((e) => e.response?.code ?? 0);
      expect(answered.filter((code) => code >= 200 && code < 300)).toHaveLength(answered.length - server.refused.length);
      expect(run.report.run.stats.requests).toMatchObject({ total: server.requests.length, failed: 0 });
    } finally {
      await server.close();
    }
  });
});
