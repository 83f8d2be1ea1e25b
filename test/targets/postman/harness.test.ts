/**
 * The Postman test tools themselves (test/support/postman.ts): newman's JSON
 * report says pass for a collection whose requests the spec server answers,
 * and fail for one it refuses; the SDK check sees what the SDK misreads.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTMAN_SCHEMA_URL } from '../../../src/targets/postman/schema.js';
import { newmanFailures, runNewman, sdkCheck, specServer, type SpecServer } from '../../support/postman.js';

const document = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets/{petId}': {
      get: {
        parameters: [
          { name: 'petId', in: 'path', required: true, schema: { type: 'integer' } },
          { name: 'fields', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A pet' } },
      },
    },
  },
};

const statusTest = {
  listen: 'test',
  script: { type: 'text/javascript', exec: ['pm.test("2xx", () => pm.expect(pm.response.code).to.be.below(300));'] },
};

function collection(url: string, variable: Array<{ key: string; value: string }>) {
  return {
    info: { name: 'Pets', schema: POSTMAN_SCHEMA_URL },
    variable: [{ key: 'baseUrl', value: 'http://example.invalid' }],
    item: [
      {
        name: 'Get a pet',
        event: [statusTest],
        request: {
          method: 'GET',
          url: { raw: url, host: ['{{baseUrl}}'], path: ['pets', ':petId'], query: [{ key: 'fields', value: 'name' }], variable },
        },
      },
    ],
  };
}

describe('the Postman test tools', () => {
  let server: SpecServer;
  let dir: string;
  beforeAll(async () => {
    server = await specServer(document);
    dir = await mkdtemp(join(tmpdir(), 'als-postman-harness-'));
  });
  afterAll(() => server.close());

  it('newman passes a collection whose requests the spec server answers', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify(collection('{{baseUrl}}/pets/:petId?fields=name', [{ key: 'petId', value: '7' }])));
    const run = await runNewman(file, { envVars: { baseUrl: server.url } });
    expect(newmanFailures(run)).toEqual([]);
    expect(run.report.run.stats.assertions).toEqual({ total: 1, failed: 0, pending: 0 });
    expect(server.requests).toContain('GET /pets/7?fields=name');
  });

  it('newman fails one whose path variable has no value: the server refuses it and the script sees the 400', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(collection('{{baseUrl}}/pets/:petId?fields=name', [])));
    const run = await runNewman(file, { envVars: { baseUrl: server.url } });
    expect(newmanFailures(run)).toHaveLength(1);
    expect(server.refused.some((line) => line.includes('path parameter petId'))).toBe(true);
  });

  it('the SDK check accepts what the SDK reads as written and reports what it reads otherwise', () => {
    expect(sdkCheck(collection('{{baseUrl}}/pets/:petId?fields=name', [{ key: 'petId', value: '7' }]))).toEqual([]);
    const misread = collection('{{baseUrl}}/pets/:petId?fields=name', []);
    (misread.item[0] as Record<string, unknown>).event = [{ listen: 'test', script: { exec: 'one\ntwo' } }];
    (misread.item[0]!.request as Record<string, unknown>).header = 'not: a list';
    expect(sdkCheck(misread).length).toBeGreaterThan(0);
  });
});
