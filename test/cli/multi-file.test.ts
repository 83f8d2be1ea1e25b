/**
 * The CLI on a spec kept in several files (`$ref: ./paths/users.yaml`):
 * `sync`, `diff` and a second `sync` as child processes in a temporary folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

/** Every `$ref` string in a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.push(item);
      else refs(item, out);
    }
  }
  return out;
}

describe('api-live-sync on a multi-file spec', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;
  const write = (name: string, value: unknown) => {
    const path = join(temp.dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, name.endsWith('.json') ? JSON.stringify(value, null, 2) : stringify(value));
  };
  const user = (fields: string[]) => ({ type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) });

  beforeAll(() => {
    temp = tempDir();
    write('spec/openapi.yaml', {
      openapi: '3.0.3',
      info: { title: 'Users', version: '1.0.0' },
      paths: { '/users': { $ref: './paths/users.yaml' } },
      components: { schemas: { User: { $ref: './components/schemas/user.json' } } },
    });
    write('spec/paths/users.yaml', {
      get: {
        operationId: 'listUsers',
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '../components/schemas/user.json' } } } },
          },
        },
      },
    });
    write('spec/components/schemas/user.json', user(['id']));
  });
  afterAll(() => temp.dispose());

  it('sync ./spec/openapi.yaml --out x.json writes one file with internal references', async () => {
    const run = await cli(['sync', './spec/openapi.yaml', '--out', 'x.json', '--json'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).bindings[0].outcome).toBe('applied');
    const written = JSON.parse(readFileSync(join(temp.dir, 'x.json'), 'utf8'));
    expect(written.components.schemas.User).toEqual(user(['id']));
    expect(refs(written)).toEqual(['#/components/schemas/User']);
    expect(written.paths['/users'].get.operationId).toBe('listUsers');
  });

  it('a second sync with no file changed is unchanged; a change in a referenced file is applied', async () => {
    const again = await cli(['sync', './spec/openapi.yaml', '--out', 'x.json', '--json'], temp.dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).bindings[0].outcome).toBe('unchanged');
    write('spec/components/schemas/user.json', user(['id', 'email']));
    const changed = await cli(['sync', './spec/openapi.yaml', '--out', 'x.json', '--json'], temp.dir);
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout).bindings[0].outcome).toBe('applied');
    expect(JSON.parse(readFileSync(join(temp.dir, 'x.json'), 'utf8')).components.schemas.User).toEqual(user(['id', 'email']));
  });

  it('diff reads a multi-file spec too', async () => {
    const run = await cli(['diff', './x.json', './spec/openapi.yaml', '--json'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).changes).toEqual([]);
  });

  it('refuses a reference that leaves the spec folder with SOURCE_PATH_ESCAPE (exit 3)', async () => {
    write('outside.yaml', { type: 'string' });
    write('spec/paths/users.yaml', {
      get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '../../outside.yaml' } } } } } },
    });
    const run = await cli(['sync', './spec/openapi.yaml', '--out', 'x.json', '--json'], temp.dir);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).bindings[0].error.code).toBe('SOURCE_PATH_ESCAPE');
  });
});
