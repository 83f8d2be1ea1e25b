/**
 * Property (issue 16): rendering any generated OpenAPI document yields
 * files that Bruno's own parser (@usebruno/lang) reads back to the same
 * data, with file names that are safe and unique in their folder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brunoFiles, parseBrunoFiles } from '../../../src/targets/bruno/collection.js';
import { loadBruLang } from '../../../src/targets/bruno/lang.js';
import { renderBrunoTree } from '../../../src/targets/bruno/render.js';
import { collectionOf, treeOf, type BrunoTree } from '../../../src/targets/bruno/tree.js';
import { propertyRuns } from '../../support/mutation.js';

type Json = Record<string, unknown>;

/** Text that is hard for a line-based format: braces, colons, quotes, tildes, unicode, line breaks, spaces at the ends. */
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    'a:b',
    '{x}',
    '}',
    '{{v}}',
    '"q"',
    '~off',
    'über',
    '🐶 dog',
    ' pad ',
    'two\nlines',
    'tab\there',
    'a/b',
    '..',
    'CON',
    'folder',
    '#',
    '@x',
    "'''",
  ),
  fc.stringMatching(/^[A-Za-z][\w-]{0,8}$/),
);
const name = fc.stringMatching(/^[A-Za-z][\w.-]{0,10}$/);
const value = fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null));

const parameter = fc.record({
  name: fc.oneof(
    name,
    nasty.filter((s) => s.trim() !== ''),
  ),
  in: fc.constantFrom('query', 'header', 'path', 'cookie'),
  required: fc.boolean(),
  example: value,
  description: nasty,
});

const operation = fc.record(
  {
    operationId: fc.option(name, { nil: undefined }),
    summary: fc.option(nasty, { nil: undefined }),
    description: fc.option(nasty, { nil: undefined }),
    tags: fc.option(fc.array(nasty, { maxLength: 2 }), { nil: undefined }),
    deprecated: fc.option(fc.boolean(), { nil: undefined }),
    parameters: fc.array(parameter, { maxLength: 4 }),
    security: fc.option(
      fc.constantFrom([], [{}], [{ bearer: [] }], [{ key: [] }], [{ basic: [] }], [{ oauth: ['read'] }], [{ missing: [] }]),
      {
        nil: undefined,
      },
    ),
    requestBody: fc.option(
      fc.record({
        content: fc.dictionary(
          fc.constantFrom(
            'application/json',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
            'text/plain',
            'application/xml',
            'image/png',
          ),
          fc.record({
            example: fc.oneof(value, fc.dictionary(fc.oneof(name, nasty), value, { maxKeys: 3 }), fc.array(value, { maxLength: 2 })),
          }),
          { maxKeys: 2 },
        ),
      }),
      { nil: undefined },
    ),
  },
  { requiredKeys: ['parameters'] },
);

const segment = fc.oneof(name, fc.constantFrom('{id}', '{petId}', 'v1', 'a b', 'x:y'));
const path = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);

const documentArb: fc.Arbitrary<Json> = fc
  .record({
    title: nasty,
    description: fc.option(nasty, { nil: undefined }),
    servers: fc.array(
      fc.record({
        url: fc.oneof(fc.constantFrom('http://127.0.0.1:9/api', '/v1', 'https://{host}/x'), nasty),
        description: fc.option(nasty, { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
    security: fc.option(fc.constantFrom([], [{ bearer: [] }], [{ key: [] }]), { nil: undefined }),
    tags: fc.array(fc.record({ name: nasty, description: fc.option(nasty, { nil: undefined }) }), { maxLength: 3 }),
    paths: fc.array(
      fc.tuple(path, fc.dictionary(fc.constantFrom('get', 'post', 'put', 'delete', 'patch', 'head', 'options'), operation, { maxKeys: 3 })),
      { maxLength: 5 },
    ),
  })
  .map((d) => ({
    openapi: '3.1.0',
    info: { title: d.title, version: '1', ...(d.description === undefined ? {} : { description: d.description }) },
    servers: d.servers.map((s) => ({ ...s, variables: { host: { default: 'example.com' } } })),
    ...(d.security === undefined ? {} : { security: d.security }),
    tags: d.tags,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        basic: { type: 'http', scheme: 'basic' },
        key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://x/token', scopes: {} } } },
      },
    },
    paths: Object.fromEntries(d.paths.map(([p, item]) => [p, stripUndefined(item)])),
  }));

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The tree without the operation identities a file does not hold. */
function withoutIds(tree: BrunoTree): unknown {
  return JSON.parse(JSON.stringify(tree, (key, v) => (key === 'id' ? undefined : v)));
}

describe('Bruno render, read back by @usebruno/lang', () => {
  it('every rendered file parses back to what was rendered', async () => {
    const lang = await loadBruLang();
    fc.assert(
      fc.property(documentArb, (document) => {
        const tree = renderBrunoTree(document);
        const files = brunoFiles(collectionOf(tree), lang);
        // Safe, unique names: no path segment is empty, hidden or holds a character file systems refuse.
        const lower = new Set<string>();
        for (const file of files.keys()) {
          for (const part of file.split('/')) expect(part).toMatch(/^[^.\s<>:"\\|?*\u0000-\u001f][^<>:"\\|?*\u0000-\u001f]*$/);
          expect(lower.has(file.toLowerCase())).toBe(false);
          lower.add(file.toLowerCase());
        }
        const back = treeOf(parseBrunoFiles(files, lang, 'generated'));
        expect(back).toEqual(withoutIds(tree));
      }),
      { numRuns: propertyRuns(200) },
    );
  }, 60_000);

  it('a request file renamed off a folder name does not take the name of another request file (a counterexample fast-check found)', () => {
    // Folder `~off` (a tag), and at the same level two requests named `~off`: the second is `~off (2)` among requests,
    // and the first, moved off the folder's name, must not become `~off (2)` too.
    const document = {
      openapi: '3.1.0',
      info: { title: '', version: '1' },
      paths: {
        '/': { get: { tags: ['~off'] } },
        '/a': { get: { summary: '~off' }, options: { summary: '~off' } },
      },
    };
    const tree = renderBrunoTree(document);
    const names = [...tree.folders.map((folder) => folder.dir), ...tree.requests.map((request) => request.file)].map((n) =>
      n.toLowerCase(),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(tree.requests.map((request) => request.method)).toEqual(['GET', 'OPTIONS']);
  });
});
