import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isSyncError, SpecError, type SyncErrorCode } from '../../src/errors.js';
import { loadSpec, type LoadOptions } from '../../src/document/index.js';
import { npmFixture } from '../support/npm-fixtures.js';

const minimal = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1.0.0' },
  paths: { '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } },
};

/** Load and return the error; fails the test when loading succeeds or throws something untyped. */
async function failure(input: string | Uint8Array | object, options?: LoadOptions): Promise<SpecError> {
  try {
    await loadSpec(input, options);
  } catch (error) {
    expect(isSyncError(error)).toBe(true);
    return error as SpecError;
  }
  throw new Error('expected loadSpec to fail');
}

async function code(input: string | Uint8Array | object, options?: LoadOptions): Promise<SyncErrorCode> {
  return (await failure(input, options)).code;
}

describe('loadSpec: formats and hashing', () => {
  let petstore: string;
  beforeAll(async () => {
    const dir = await npmFixture('@readme/oas-examples', '8.2.2');
    petstore = await readFile(join(dir, '3.0/json/petstore.json'), 'utf8');
  });

  it('hashes a real spec the same as JSON, as reformatted JSON and as YAML with shuffled keys', async () => {
    const fromJson = await loadSpec(petstore);
    const parsed = JSON.parse(petstore) as unknown;
    const asYaml = stringify(shuffle(parsed, 7), { aliasDuplicateObjects: false });
    const fromYaml = await loadSpec(asYaml);
    const fromPretty = await loadSpec(Buffer.from(JSON.stringify(shuffle(parsed, 3), null, 4)));
    expect(fromJson.format).toBe('json');
    expect(fromYaml.format).toBe('yaml');
    expect(fromYaml.hash).toBe(fromJson.hash);
    expect(fromPretty.hash).toBe(fromJson.hash);
    expect(asYaml).not.toContain('{"openapi"');
    const changed = await loadSpec(asYaml.replace('Swagger Petstore', 'Swagger Petshop'));
    expect(changed.hash).not.toBe(fromJson.hash);
  });

  it('reads JSON bytes with non-ASCII text (one-byte fast path) exactly as it reads the same text', async () => {
    const dir = await npmFixture('@octokit/openapi', '23.0.1');
    const bytes = await readFile(join(dir, 'generated/api.github.com.json'));
    expect(bytes.some((b) => b > 0x7f)).toBe(true); // GitHub's descriptions hold emoji
    const fromBytes = await loadSpec(bytes);
    const fromText = await loadSpec(bytes.toString('utf8'));
    expect(fromBytes.format).toBe('json');
    expect(fromBytes.hash).toBe(fromText.hash);
    expect(fromBytes.document).toEqual(fromText.document);
    // A byte order mark, outer whitespace and a window on a larger buffer change nothing.
    const framed = Buffer.concat([
      Buffer.from('##'),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(' \n'),
      Buffer.from(JSON.stringify({ ...minimal, info: { ...minimal.info, title: 'Pets 🐾 café' } })),
      Buffer.from('\n'),
      Buffer.from('##'),
    ]);
    const window = new Uint8Array(framed.buffer, framed.byteOffset + 2, framed.length - 4);
    const loaded = await loadSpec(window);
    expect((loaded.document.info as { title: string }).title).toBe('Pets 🐾 café');
    expect(loaded.hash).toBe((await loadSpec({ ...minimal, info: { ...minimal.info, title: 'Pets 🐾 café' } })).hash);
  });

  it('keeps OpenAPI 3.0 and 3.1 documents and internal $refs as written', async () => {
    const doc = {
      ...minimal,
      openapi: '3.1.0',
      paths: { '/pets': { get: { responses: { '200': { $ref: '#/components/responses/Ok' } } } } },
      components: { responses: { Ok: { description: 'ok' } } },
    };
    const loaded = await loadSpec(JSON.stringify(doc));
    expect(loaded.sourceVersion).toBe('3.1');
    expect(loaded.document).toEqual(doc);
    expect(loaded.warnings).toEqual([]);
  });

  it('accepts a 3.1 document with webhooks and no paths', async () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 'Hooks', version: '1' },
      webhooks: { newPet: { post: { responses: { '200': { description: 'ok' } } } } },
    };
    const loaded = await loadSpec(doc);
    expect(loaded.sourceVersion).toBe('3.1');
    expect(loaded.document.webhooks).toEqual(doc.webhooks);
  });

  it('upgrades Swagger 2.0 to OpenAPI 3.0 and remembers the source version', async () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 'Old', version: '1' },
      host: 'api.example.com',
      basePath: '/v1',
      schemes: ['https'],
      paths: {
        '/pets': {
          get: {
            parameters: [{ name: 'limit', in: 'query', type: 'integer' }],
            responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
          },
        },
      },
      definitions: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
    };
    const loaded = await loadSpec(stringify(swagger));
    expect(loaded.sourceVersion).toBe('2.0');
    expect(loaded.document.openapi).toMatch(/^3\.0\./);
    expect(loaded.document.swagger).toBeUndefined();
    expect(loaded.document.servers).toEqual([{ url: 'https://api.example.com/v1' }]);
    expect(JSON.stringify(loaded.document)).toContain('#/components/schemas/Pet');
    expect(JSON.stringify(loaded.document)).not.toContain('x-s2o');
    expect((await loadSpec(swagger)).hash).toBe(loaded.hash);
  });

  it('wraps an upgrade failure as SPEC_UPGRADE_FAILED', async () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 'Old', version: '1' },
      securityDefinitions: { 'my key': { type: 'apiKey', name: 'a', in: 'header' }, my_key: { type: 'apiKey', name: 'b', in: 'header' } },
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
    };
    const error = await failure(swagger);
    expect(error.code).toBe('SPEC_UPGRADE_FAILED');
    expect(error.message).toContain('my_key');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reads an ArrayBuffer like the bytes it holds', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(minimal));
    const loaded = await loadSpec(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(loaded.format).toBe('json');
    expect(loaded.hash).toBe((await loadSpec(minimal)).hash);
  });

  it('copies object inputs, so later changes to the caller object change nothing', async () => {
    const input = structuredClone(minimal);
    const loaded = await loadSpec(input);
    input.info.title = 'changed';
    expect((loaded.document.info as { title: string }).title).toBe('Pets');
    expect(loaded.format).toBe('object');
  });

  it('expands YAML aliases into a tree with no shared nodes', async () => {
    const text = [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'paths:',
      '  /a:',
      '    get:',
      '      responses: &ok',
      '        "200": {description: ok}',
      '  /b:',
      '    get:',
      '      responses: *ok',
    ].join('\n');
    const { document } = await loadSpec(text);
    const paths = document.paths as Record<string, { get: { responses: unknown } }>;
    expect(paths['/a']?.get.responses).toEqual(paths['/b']?.get.responses);
    expect(paths['/a']?.get.responses).not.toBe(paths['/b']?.get.responses);
  });

  it('turns YAML 1.1 timestamps into JSON strings', async () => {
    const text =
      '%YAML 1.1\n---\nopenapi: 3.0.3\ninfo: {title: t, version: "1"}\nx-released: 2020-01-02\npaths: {"/a": {get: {responses: {}}}}\n';
    const { document } = await loadSpec(text);
    expect(typeof document['x-released']).toBe('string');
    expect(document['x-released']).toMatch(/^2020-01-02/);
  });

  it('reports tolerated problems as warnings', async () => {
    const loaded = await loadSpec({ openapi: '3.0', info: { title: 't' }, paths: { pets: { get: { responses: {} } } } });
    expect(loaded.warnings.join('\n')).toMatch(/patch release/);
    expect(loaded.warnings.join('\n')).toMatch(/info.version/);
    expect(loaded.warnings.join('\n')).toMatch(/does not start with/);
  });
});

describe('loadSpec: refusals name what arrived', () => {
  it('refuses an HTML page', async () => {
    const error = await failure('<!DOCTYPE html>\n<html><body>Swagger UI</body></html>', { location: 'http://127.0.0.1/docs' });
    expect(error.code).toBe('SPEC_HTML');
    expect(error.message).toContain('<!DOCTYPE html>');
    expect(error.message).toContain('http://127.0.0.1/docs');
    expect(error.hint).toBeTruthy();
  });

  it('refuses empty bodies', async () => {
    expect(await code('')).toBe('SPEC_EMPTY');
    expect(await code(' \n\t ')).toBe('SPEC_EMPTY');
    expect(await code(new Uint8Array([0xef, 0xbb, 0xbf]))).toBe('SPEC_EMPTY');
  });

  it('refuses a JSON error object and names its keys', async () => {
    const error = await failure('{"detail":"Not Found"}');
    expect(error.code).toBe('SPEC_NOT_OPENAPI');
    expect(error.message).toContain('"detail"');
    expect(error.message).toContain('Not Found');
  });

  it('refuses plain text, arrays and scalars', async () => {
    const text = await failure('Internal Server Error');
    expect(text.code).toBe('SPEC_NOT_OPENAPI');
    expect(text.message).toContain('Internal Server Error');
    expect(await code('[1,2]')).toBe('SPEC_NOT_OPENAPI');
    expect(await code('42')).toBe('SPEC_NOT_OPENAPI');
  });

  it('refuses documents without paths, or with an empty paths object unless allowed', async () => {
    expect(await code({ openapi: '3.0.3', info: { title: 't', version: '1' } })).toBe('SPEC_NO_PATHS');
    expect(await code({ openapi: '3.1.0', info: { title: 't', version: '1' }, components: {} })).toBe('SPEC_NO_PATHS');
    const empty = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} };
    expect(await code(empty)).toBe('SPEC_NO_PATHS');
    expect((await loadSpec(empty, { allowEmptyPaths: true })).document.paths).toEqual({});
  });

  it('is strict about info, paths and operations', async () => {
    expect(await code({ openapi: '3.0.3', paths: minimal.paths })).toBe('SPEC_INVALID');
    expect(await code({ ...minimal, paths: [] })).toBe('SPEC_INVALID');
    expect(await code({ ...minimal, paths: { '/a': null } })).toBe('SPEC_INVALID');
    expect(await code({ ...minimal, paths: { '/a': { get: 'nope' } } })).toBe('SPEC_INVALID');
    expect(await code({ ...minimal, components: [] })).toBe('SPEC_INVALID');
  });

  it('refuses unsupported versions', async () => {
    expect(await code({ ...minimal, openapi: '4.0.0' })).toBe('SPEC_UNSUPPORTED_VERSION');
    expect(await code({ swagger: '1.2', info: minimal.info, paths: minimal.paths })).toBe('SPEC_UNSUPPORTED_VERSION');
  });

  it('refuses broken syntax, gzip and non-UTF-8 bytes as SPEC_PARSE', async () => {
    expect(await code('{"openapi": "3.0.3", ')).toBe('SPEC_PARSE');
    expect(await code('openapi: 3.0.3\n  info: [\n')).toBe('SPEC_PARSE');
    const gzip = await failure(gzipSync(JSON.stringify(minimal)));
    expect(gzip.code).toBe('SPEC_PARSE');
    expect(gzip.message).toContain('gzip');
    expect(await code(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBe('SPEC_PARSE');
    // JSON-looking bytes the fast path leaves alone get the plain path's messages.
    const invalid = await failure(Buffer.concat([Buffer.from('{"openapi": "3.0.3", "x": "'), Buffer.from([0xc3]), Buffer.from('"}')]));
    expect(invalid.message).toContain('not valid UTF-8');
    const syntax = await failure(Buffer.from('{"info": {"title": "café"},, }'));
    expect(syntax.code).toBe('SPEC_PARSE');
    expect(syntax.message).toContain('not valid JSON');
  });

  /** Malformed YAML and where the error is: line and column, 1-based. */
  const MALFORMED_YAML: Array<[string, string, number, number]> = [
    ['bad indentation', 'openapi: 3.0.3\ninfo:\n  title: x\n   version: 1\npaths: {}\n', 3, 10],
    ['an unclosed flow sequence', 'openapi: 3.0.3\ntags: [a, b\npaths: {}\n', 3, 1],
    ['tab indentation', 'openapi: 3.0.3\ninfo:\n\ttitle: x\npaths: {}\n', 3, 1],
    ['a duplicate key', 'openapi: 3.0.3\ninfo:\n  title: x\n  title: y\npaths: {}\n', 4, 3],
    ['blank lines before it', '\n\nopenapi: 3.0.3\ninfo:\n\ttitle: x\npaths: {}\n', 5, 1],
  ];

  it.each(MALFORMED_YAML)('says where YAML with %s is broken: line, column and the line with a caret', async (_, text, line, column) => {
    const error = await failure(text, { location: 'api.yaml' });
    expect(error.code).toBe('SPEC_PARSE');
    expect(error.details).toMatchObject({ line, column });
    // The excerpt: the offending line (a tab shown as →), then a caret under the column.
    const [quoted, caret] = error.message.split('\n').slice(-2) as [string, string];
    expect(quoted.slice(quoted.indexOf('|') + 2)).toBe(text.split('\n')[line - 1]!.replaceAll('\t', '→'));
    expect(caret.indexOf('^') - caret.indexOf('|') - 2).toBe(column - 1);
  });

  it('refuses input over maxBytes', async () => {
    const error = await failure(JSON.stringify(minimal), { maxBytes: 20 });
    expect(error.code).toBe('SOURCE_TOO_LARGE');
    expect(error.retryable).toBe(false);
  });

  it('refuses invalid options with CONFIG_INVALID', async () => {
    expect(await code(minimal, { maxDepth: 0 })).toBe('CONFIG_INVALID');
    expect(await code(minimal, { maxBytes: Number.NaN })).toBe('CONFIG_INVALID');
  });
});

describe('loadSpec: limits against hostile input', () => {
  it('refuses a YAML alias bomb quickly', async () => {
    const lines = [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'x-lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ];
    for (let i = 1; i <= 9; i++) lines.push(`x-lol${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(',')}]`);
    lines.push('paths: {"/a": {get: {responses: {}}}}');
    const started = performance.now();
    const error = await failure(lines.join('\n'));
    expect(error.code).toBe('SPEC_ALIAS_LIMIT');
    expect(performance.now() - started).toBeLessThan(10_000); // expanding the bomb would take minutes and gigabytes
  });

  it('lets the alias limit be raised for trusted input', async () => {
    const lines = ['openapi: 3.0.3', 'info: {title: t, version: "1"}', 'x-ok: &ok {description: ok}', 'paths:'];
    for (let i = 0; i < 150; i++) lines.push(`  /p${i}: {get: {responses: {"200": *ok}}}`);
    expect(await code(lines.join('\n'))).toBe('SPEC_ALIAS_LIMIT');
    const loaded = await loadSpec(lines.join('\n'), { maxAliasCount: 1000 });
    expect(Object.keys(loaded.document.paths as object)).toHaveLength(150);
  });

  it('refuses deep nesting in JSON, YAML flow, YAML block and objects without overflowing the stack', async () => {
    const depth = 200_000;
    const json = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(await code(json)).toBe('SPEC_TOO_DEEP');
    const flow = `openapi: 3.0.3\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const started = performance.now();
    expect(await code(flow)).toBe('SPEC_TOO_DEEP');
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await code(`openapi: 3.0.3\nx:\n  ${'- '.repeat(depth)}x\n`)).toBe('SPEC_TOO_DEEP');
    let deep: unknown = {};
    for (let i = 0; i < depth; i++) deep = { a: deep };
    expect(await code({ ...minimal, 'x-deep': deep })).toBe('SPEC_TOO_DEEP');
  });

  it('honours a custom maxDepth', async () => {
    // root 1, x-n 2, a 3, b 4, c 5, d 6, e 7 (the paths of `minimal` reach 6)
    const doc = { ...minimal, 'x-n': { a: { b: { c: { d: { e: {} } } } } } };
    expect(await code(doc, { maxDepth: 6 })).toBe('SPEC_TOO_DEEP');
    expect((await loadSpec(doc, { maxDepth: 7 })).document['x-n']).toEqual(doc['x-n']);
  });

  it('refuses cyclic objects', async () => {
    const doc: Record<string, unknown> = structuredClone(minimal);
    doc['x-self'] = doc;
    expect(await code(doc)).toBe('SPEC_INVALID');
    expect(await code(`openapi: 3.0.3\ninfo: {title: t, version: "1"}\nx-a: &a [1, *a]\npaths: {"/a": {get: {responses: {}}}}\n`)).toBe(
      'SPEC_INVALID',
    );
  });

  it('refuses $refs to other documents unless allowed, and keeps them as written when allowed', async () => {
    for (const ref of ['https://example.com/pet.json#/Pet', 'http://example.com/pet.yaml', 'other.yaml#/Pet', './schemas/pet.json']) {
      const doc = { ...minimal, components: { schemas: { Pet: { $ref: ref } } } };
      const error = await failure(doc);
      expect(error.code).toBe('SPEC_REMOTE_REF');
      expect(error.message).toContain(ref);
      expect(error.details.ref).toBe(ref);
      const loaded = await loadSpec(doc, { allowRemoteRefs: true });
      expect(loaded.document.components).toEqual(doc.components);
    }
  });

  it('does not mistake user data or property names for references', async () => {
    const doc = {
      ...minimal,
      components: {
        schemas: {
          Link: {
            type: 'object',
            properties: { $ref: { type: 'string' } },
            example: { $ref: 'https://example.com/x' },
            default: { $ref: 'other.yaml' },
          },
        },
        examples: { RefLike: { value: { $ref: 'https://example.com/y' } } },
      },
    };
    const loaded = await loadSpec(doc);
    expect(loaded.document.components).toEqual(doc.components);
  });
});

/** A deterministic shuffle of every object's keys. */
function shuffle(value: unknown, seed: number): unknown {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, walk(v)]));
  };
  return walk(value);
}
