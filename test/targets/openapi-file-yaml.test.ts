/** The OpenAPI file target on YAML: comments, key order and formatting of untouched parts survive a real sync. */
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SyncEngine, openApiFileTarget, type TargetContext } from '../../src/index.js';
import { MemorySource } from '../../src/testing/index.js';

/** A hand-kept file: comments on many keys, paths first, `version` before `title`. */
const original = `# Petstore API: kept by hand next to the dev server.
# The team reads paths first: do not reorder.
paths:
  # Pets, the only resource so far
  /pets:
    get:
      operationId: listPets # stable, the SDK uses it
      summary: 'List pets'
      parameters:
        - name: limit
          in: query # page size
          schema:
            type: integer
            maximum: 100
        - name: cursor
          in: query
          schema: {type: string}
      responses:
        "200":
          description: A page of pets
info:
  version: 1.0.0 # bumped by CI
  title: Petstore

  # the contact is the on-call alias
  contact:
    email: pets@example.com
openapi: 3.0.3 # stay on 3.0 until the gateway supports 3.1
`;

/** The same file after the user's edit: a comment and a description on the listing. */
const edited = original.replace(
  "      summary: 'List pets'\n",
  "      summary: 'List pets'\n      # reviewed by the docs team\n      description: Sorted by name, newest first.\n",
);

/** What the sync must produce: upstream's new operation appended, the parameter changed, everything else as it was. */
const expected = `# Petstore API: kept by hand next to the dev server.
# The team reads paths first: do not reorder.
paths:
  # Pets, the only resource so far
  /pets:
    get:
      operationId: listPets # stable, the SDK uses it
      summary: 'List pets'
      # reviewed by the docs team
      description: Sorted by name, newest first.
      parameters:
        - name: limit
          in: query # page size
          schema:
            type: integer
            maximum: 500
        - name: cursor
          in: query
          schema: {type: string}
      responses:
        "200":
          description: A page of pets
    post:
      operationId: createPet
      summary: Add a pet
      responses:
        "201":
          description: Created
info:
  version: 1.0.0 # bumped by CI
  title: Petstore

  # the contact is the on-call alias
  contact:
    email: pets@example.com
openapi: 3.0.3 # stay on 3.0 until the gateway supports 3.1
`;

function upstreamV2(): Record<string, unknown> {
  const document = parse(original) as { paths: Record<string, Record<string, { parameters?: { schema?: { maximum?: number } }[] }>> };
  document.paths['/pets']!.get!.parameters![0]!.schema!.maximum = 500;
  document.paths['/pets']!.post = {
    operationId: 'createPet',
    summary: 'Add a pet',
    responses: { '201': { description: 'Created' } },
  } as never;
  return document as unknown as Record<string, unknown>;
}

const comments = (text: string) => [...text.matchAll(/#.*$/gm)].map((m) => m[0]);

async function tempFile(name: string, text?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'als-openapi-yaml-'));
  const path = join(dir, name);
  if (text !== undefined) await writeFile(path, text);
  return path;
}

function context(): TargetContext {
  const records = new Map<string, unknown>();
  return {
    sourceId: 'api',
    bindingId: 'api',
    signal: new AbortController().signal,
    records: { get: async <T>(key: string) => records.get(key) as T | undefined, set: async (key, value) => void records.set(key, value) },
  };
}

describe('openApiFileTarget on YAML, with a real engine', () => {
  it('keeps every comment, the key order and the user edits while upstream adds an operation and changes a parameter', async () => {
    const path = await tempFile('api.yaml', original);
    const engine = new SyncEngine();
    const source = new MemorySource(parse(original));
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }) });

    const first = await engine.syncNow('api');
    expect(first.written).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(original);

    await writeFile(path, edited);
    source.set(upstreamV2());
    const second = await engine.syncNow('api');
    expect(second.outcome).toBe('applied');
    expect(second.written).toBe(true);

    const text = await readFile(path, 'utf8');
    for (const comment of comments(edited)) expect(text).toContain(comment);
    const value = parse(text) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    expect(Object.keys(value)).toEqual(['paths', 'info', 'openapi']);
    expect(Object.keys(value.info!)).toEqual(['version', 'title', 'contact']);
    expect(Object.keys(value.paths!['/pets']!)).toEqual(['get', 'post']);
    expect(value.paths!['/pets']!.post).toMatchObject({ operationId: 'createPet' });
    expect(value.paths!['/pets']!.get).toMatchObject({
      description: 'Sorted by name, newest first.',
      parameters: [{ schema: { maximum: 500 } }, { name: 'cursor' }],
    });
    expect(text).toBe(expected);
  });

  it('a later sync with nothing new upstream leaves the file alone', async () => {
    const path = await tempFile('api.yaml', edited);
    const engine = new SyncEngine();
    const source = new MemorySource(parse(original));
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }) });
    await engine.syncNow('api');
    const before = await stat(path);
    source.set({ ...(parse(original) as object) });
    await engine.syncNow('api');
    expect(await readFile(path, 'utf8')).toBe(edited);
    expect((await stat(path)).ino).toBe(before.ino);
  });

  it('refuses a YAML file that does not parse and leaves it byte-identical', async () => {
    const broken = '# my notes\nopenapi: 3.0.3\ninfo: {title: "Pets\npaths: {}\n';
    const path = await tempFile('api.yml', broken);
    const bytes = await readFile(path);
    const engine = new SyncEngine();
    await engine.addSource({ id: 'api', source: new MemorySource(parse(original)), target: openApiFileTarget({ path }) });
    const failure = await engine.syncNow('api').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'TARGET_INVALID' });
    expect((failure as Error).message).toContain(path);
    expect((failure as Error).message).toMatch(/not valid YAML: .*line \d+/);
    expect((failure as { hint?: string }).hint).toMatch(/will not overwrite/);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await readdir(join(path, '..'))).toEqual(['api.yml']);
  });

  it.each([
    ['an empty file', '', /holds null/],
    ['a list', '- openapi: 3.0.3\n', /holds a list/],
    ['two documents', 'openapi: 3.0.3\n---\nopenapi: 3.1.0\n', /not valid YAML/],
  ])('refuses %s as TARGET_INVALID', async (_, text, message) => {
    const path = await tempFile('api.yaml', text);
    const target = openApiFileTarget({ path });
    await expect(target.read(context())).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringMatching(message) });
    await expect(target.write({ openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} }, context())).rejects.toMatchObject({
      code: 'TARGET_INVALID',
    });
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it.each([
    ['bad indentation', 'openapi: 3.0.3\ninfo:\n  title: x\n   version: 1\npaths: {}\n', 3, 10],
    ['an unclosed flow sequence', 'openapi: 3.0.3\ntags: [a, b\npaths: {}\n', 3, 1],
    ['tab indentation', '# notes\nopenapi: 3.0.3\ninfo:\n\ttitle: x\npaths: {}\n', 4, 1],
    ['a duplicate key', 'openapi: 3.0.3\ninfo:\n  title: x\n  title: y\npaths: {}\n', 4, 3],
  ])('says where a local file with %s is broken (TARGET_INVALID with line, column and the line)', async (_, text, line, column) => {
    const path = await tempFile('api.yaml', text);
    const failure = await openApiFileTarget({ path })
      .read(context())
      .then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string; details: Record<string, unknown> },
      );
    expect(failure?.code).toBe('TARGET_INVALID');
    expect(failure?.details).toMatchObject({ path, line, column });
    const [quoted, caret] = failure!.message.split('\n').slice(-2) as [string, string];
    expect(quoted.slice(quoted.indexOf('|') + 2)).toBe(text.split('\n')[line - 1]!.replaceAll('\t', '→'));
    expect(caret.indexOf('^') - caret.indexOf('|') - 2).toBe(column - 1);
  });

  it('writes a new YAML file in document order without anchors for shared objects', async () => {
    const path = await tempFile('api.yaml');
    const shared = { description: 'ok' };
    const target = openApiFileTarget({ path });
    await target.write(
      {
        openapi: '3.0.3',
        info: { title: 'T', version: '1' },
        paths: { '/a': { get: { responses: { '200': shared } } }, '/b': { get: { responses: { '200': shared } } } },
      },
      context(),
    );
    const text = await readFile(path, 'utf8');
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.startsWith('openapi: 3.0.3\ninfo:\n')).toBe(true);
    expect(parse(text)).toMatchObject({ paths: { '/b': { get: { responses: { 200: { description: 'ok' } } } } } });
  });
});

describe('openApiFileTarget keeps the Document between read and write', () => {
  it('refuses to write over edits made after read(): nothing is lost, the next run merges them', async () => {
    const path = await tempFile('api.yaml', original);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    const edited = original.replace('openapi: 3.0.3', '# added while the sync ran\nopenapi: 3.0.3');
    await writeFile(path, edited);
    await expect(target.write({ ...local, info: { version: '1.1.0', title: 'Petstore' } }, context())).rejects.toMatchObject({
      code: 'TARGET_CHANGED_DURING_WRITE',
      retryable: true,
    });
    expect(await readFile(path, 'utf8')).toBe(edited);
    // The next run reads again and writes onto the edited file, keeping the comment.
    const again = (await target.read(context()))!;
    await target.write({ ...again, info: { version: '1.1.0', title: 'Petstore', contact: { email: 'pets@example.com' } } }, context());
    const text = await readFile(path, 'utf8');
    expect(text).toContain('# added while the sync ran\nopenapi: 3.0.3');
    expect(text).toContain('version: 1.1.0 # bumped by CI');
  });

  it('edits the Document it read when the file did not change', async () => {
    const path = await tempFile('api.yaml', original);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    await target.write({ ...local, openapi: '3.0.4' }, context());
    expect(await readFile(path, 'utf8')).toBe(original.replace('openapi: 3.0.3 #', 'openapi: 3.0.4 #'));
  });

  it('writes onto an existing file without a read first, keeping its comments', async () => {
    const path = await tempFile('api.yaml', original);
    const local = parse(original) as Record<string, unknown>;
    await openApiFileTarget({ path }).write({ ...local, openapi: '3.0.4' }, context());
    expect(await readFile(path, 'utf8')).toBe(original.replace('openapi: 3.0.3 #', 'openapi: 3.0.4 #'));
  });

  it('refuses to write when the file stopped parsing after read()', async () => {
    const path = await tempFile('api.yaml', original);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    await writeFile(path, `${original}  bad: [\n`);
    await expect(target.write({ ...local, openapi: '3.0.4' }, context())).rejects.toMatchObject({ code: 'TARGET_CHANGED_DURING_WRITE' });
    await expect(target.read(context())).rejects.toMatchObject({ code: 'TARGET_INVALID' });
    expect(await readFile(path, 'utf8')).toBe(`${original}  bad: [\n`);
  });

  it('keeps CRLF line endings, a BOM and a file without a final newline', async () => {
    const text = `\uFEFF${original.replace(/\n$/, '').replace(/\n/g, '\r\n')}`;
    const path = await tempFile('api.yaml', text);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    await target.write({ ...local, openapi: '3.0.4' }, context());
    expect(await readFile(path, 'utf8')).toBe(text.replace('openapi: 3.0.3 #', 'openapi: 3.0.4 #'));
  });

  it('keeps non-indented sequences and padded flow maps', async () => {
    const text = 'openapi: 3.0.3\ninfo:\n  title: T # t\n  version: "1"\ntags:\n- name: a\n  x: { y: 1 }\n';
    const path = await tempFile('api.yaml', text);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    await target.write(
      {
        ...local,
        tags: [
          { name: 'a', x: { y: 1 } },
          { name: 'b', x: { y: 2 } },
        ],
        info: { title: 'T', version: '2' },
      },
      context(),
    );
    expect(await readFile(path, 'utf8')).toBe(
      'openapi: 3.0.3\ninfo:\n  title: T # t\n  version: "2"\ntags:\n- name: a\n  x: { y: 1 }\n- name: b\n  x:\n    y: 2\n',
    );
  });

  it('keeps four-space indentation and unpadded flow maps', async () => {
    const text = "openapi: 3.0.3\ninfo:\n    title: T # t\n    version: '1'\ntags:\n    -   name: a\n        x: {y: 1}\n";
    const path = await tempFile('api.yaml', text);
    const target = openApiFileTarget({ path });
    const local = (await target.read(context()))!;
    await target.write({ ...local, tags: [{ name: 'a', x: { y: 1, z: 2 } }], info: { title: 'T', version: '2', 'x-new': '3' } }, context());
    expect(await readFile(path, 'utf8')).toBe(
      "openapi: 3.0.3\ninfo:\n    title: T # t\n    version: '2'\n    x-new: '3'\ntags:\n    - name: a\n      x: {y: 1, z: 2}\n",
    );
  });
});
