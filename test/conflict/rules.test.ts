import { describe, expect, it } from 'vitest';
import { chain, preferLocal, runResolver, rules, type Rule } from '../../src/conflict/index.js';
import { compileTemplateGlob, matchTemplate, operationScope } from '../../src/conflict/pointer.js';

import { conflict, makeContext } from './support.js';
import { matchPointerPattern } from '../../src/json/index.js';

async function decide(
  list: readonly Rule[],
  paths: readonly string[],
  kind: Parameters<typeof conflict>[3] = 'both-changed',
  context = makeContext(),
) {
  const outcome = await runResolver(
    rules(list),
    paths.map((path) => conflict(path, 'l', 'r', kind)),
    context,
  );
  expect(outcome.rejected).toStrictEqual([]);
  return Object.fromEntries(outcome.decisions.map((decision) => [decision.path, decision.take]));
}

describe("pointer patterns in rules (the merge module's dialect)", () => {
  it('matches * as one segment and ** as any number, the leading / optional', async () => {
    const at = '/paths/~1pets/get/responses/200/description';
    const matches = async (path: string) => (await decide([{ match: { path }, take: 'remote' }], [at]))[at] === 'remote';
    expect(await matches('/paths/**/description')).toBe(true);
    expect(await matches('**/description')).toBe(true);
    expect(await matches('paths/*/get/**')).toBe(true);
    expect(await matches('/paths/*/description')).toBe(false);
    expect(await matches('/paths/*/get/**')).toBe(true);
    expect(await matches('/paths/~1pets/*/responses/2*/description')).toBe(true);
    expect(await matches('/paths/~1pets/*/responses/4*/description')).toBe(false);
    expect(await matches('/info/**')).toBe(false);
  });

  it('agrees with matchPointerPattern, which identity rules use', async () => {
    const at = '/components/schemas/Pet/properties/status/enum';
    for (const pattern of ['/**/enum', '/components/*/Pet/**', '/components/schemas/P*/**', '/**/properties/*', '/x-*/**']) {
      const decided = (await decide([{ match: { path: pattern }, take: 'remote' }], [at]))[at] === 'remote';
      expect(decided, pattern).toBe(matchPointerPattern(pattern, at));
    }
  });

  it('a conflict path that is not a pointer matches no path pattern, yet an empty match', async () => {
    expect(await decide([{ match: { path: '/**' }, take: 'remote' }], ['not/a/pointer'])).toEqual({});
    expect(await decide([{ match: {}, take: 'remote' }], ['not/a/pointer'])).toEqual({ 'not/a/pointer': 'remote' });
  });

  it('rejects a path pattern that is not a pointer pattern, naming the rule', () => {
    expect(() => rules([{ match: { path: '/a~2b' }, take: 'local' }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() =>
      rules([
        { match: {}, take: 'local' },
        { match: { path: '/x/~' }, take: 'local' },
      ]),
    ).toThrow(/rule #2/);
  });

  it('matches templates ignoring parameter names', () => {
    expect(matchTemplate(compileTemplateGlob('/pets/{id}'), '/pets/{petId}')).toBe(true);
    expect(matchTemplate(compileTemplateGlob('/pets/*'), '/pets/{petId}')).toBe(true);
    expect(matchTemplate(compileTemplateGlob('/pets/*'), '/pets')).toBe(false);
    expect(matchTemplate(compileTemplateGlob('/pets/**'), '/pets')).toBe(true);
    expect(matchTemplate(compileTemplateGlob('/pets/{id}'), '/pets/mine')).toBe(false);
  });

  it('knows every method a path item may hold, and nothing else', () => {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']) {
      expect(operationScope(['paths', '/pets', method, 'summary']), method).toStrictEqual({ template: '/pets', method });
    }
    expect(operationScope(['paths', '/pets', 'servers'])).toStrictEqual({ template: '/pets' });
    expect(operationScope(['paths', '/pets', 'GET'])).toStrictEqual({ template: '/pets' });
  });

  it('matches templates with or without their leading slash, and a parameter only where there is one', () => {
    expect(matchTemplate(compileTemplateGlob('/pets'), 'pets')).toBe(true);
    expect(matchTemplate(compileTemplateGlob('/pets/*'), 'pets/{id}')).toBe(true);
    expect(matchTemplate(compileTemplateGlob('/pets/{id}/x'), '/pets//x')).toBe(false);
    expect(matchTemplate(compileTemplateGlob('/pets//x'), '/pets/{id}/x')).toBe(false);
  });

  it('finds the operation scope of a pointer', () => {
    expect(operationScope(['paths', '/pets/{id}', 'get', 'responses'])).toEqual({ template: '/pets/{id}', method: 'get' });
    expect(operationScope(['paths', '/pets', 'parameters', '0'])).toEqual({ template: '/pets' });
    expect(operationScope(['components', 'schemas'])).toBeUndefined();
    expect(operationScope(['paths'])).toBeUndefined();
  });
});

describe('rules', () => {
  const paths = [
    '/info/description',
    '/paths/~1pets/get/description',
    '/paths/~1pets/post/summary',
    '/paths/~1pets~1{petId}/delete/responses/204/description',
    '/paths/~1pets~1{petId}/parameters/0/description',
    '/components/securitySchemes/bearer/scheme',
  ];

  it('descriptions take remote, auth keeps local', async () => {
    const result = await decide(
      [
        { match: { path: '/components/securitySchemes/**' }, take: 'local' },
        { match: { path: '**/description' }, take: 'remote' },
      ],
      paths,
    );
    expect(result).toEqual({
      '/info/description': 'remote',
      '/paths/~1pets/get/description': 'remote',
      '/paths/~1pets~1{petId}/delete/responses/204/description': 'remote',
      '/paths/~1pets~1{petId}/parameters/0/description': 'remote',
      '/components/securitySchemes/bearer/scheme': 'local',
    });
  });

  it('first matching rule decides', async () => {
    const result = await decide(
      [
        { match: { path: '/paths/**/description' }, take: 'local' },
        { match: { path: '**/description' }, take: 'remote' },
      ],
      ['/paths/~1pets/get/description', '/info/description'],
    );
    expect(result).toEqual({ '/paths/~1pets/get/description': 'local', '/info/description': 'remote' });
  });

  it('matches by tag from local or remote operations', async () => {
    const remote = makeContext().remote as { paths: Record<string, Record<string, { tags: string[] }>> };
    const getPet = remote.paths['/pets/{petId}']?.['get'];
    if (getPet === undefined) throw new Error('fixture changed');
    getPet.tags = ['pets', 'beta'];
    const outcome = await runResolver(
      rules([
        { match: { tag: 'beta' }, take: 'remote' },
        { match: { tag: 'adm*' }, take: 'local' },
      ]),
      [
        conflict('/paths/~1pets~1{petId}/get/summary'),
        conflict('/paths/~1pets~1{petId}/delete/description'),
        conflict('/paths/~1pets/get/description'),
        conflict('/info/title'),
      ],
      makeContext({ remote }),
    );
    expect(outcome.decisions.map((decision) => [decision.path, decision.take])).toEqual([
      ['/paths/~1pets~1{petId}/get/summary', 'remote'],
      ['/paths/~1pets~1{petId}/delete/description', 'local'],
    ]);
    expect(outcome.undecided.map((item) => item.path)).toEqual(['/paths/~1pets/get/description', '/info/title']);
  });

  it('matches by operation, with method wildcards and any parameter names', async () => {
    expect(await decide([{ match: { operation: 'DELETE /pets/{id}' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets~1{petId}/delete/responses/204/description': 'remote',
    });
    expect(await decide([{ match: { operation: '* /pets' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets/get/description': 'remote',
      '/paths/~1pets/post/summary': 'remote',
    });
    expect(await decide([{ match: { operation: 'get /pets/**' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets/get/description': 'remote',
    });
  });

  it('never matches an operation rule, even `* /template`, to a conflict at the path-item level', async () => {
    // `/paths/~1pets~1{petId}/parameters/0/description` is under `/pets/{petId}` but in no operation.
    expect(await decide([{ match: { operation: '* /pets/*' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets~1{petId}/delete/responses/204/description': 'remote',
    });
    expect(
      await decide(
        [{ match: { operation: '* /**' }, take: 'remote' }],
        ['/paths/~1pets/parameters/0/description', '/paths/~1pets/summary'],
      ),
    ).toEqual({});
  });

  it('matches by operationId, with wildcards', async () => {
    expect(await decide([{ match: { operationId: 'deletePet' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets~1{petId}/delete/responses/204/description': 'remote',
    });
    expect(await decide([{ match: { operationId: '*Pets' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets/get/description': 'remote',
    });
  });

  it('matches by path template, operations and path-item level alike', async () => {
    expect(await decide([{ match: { pathTemplate: '/pets/*' }, take: 'remote' }], paths)).toEqual({
      '/paths/~1pets~1{petId}/delete/responses/204/description': 'remote',
      '/paths/~1pets~1{petId}/parameters/0/description': 'remote',
    });
  });

  it('matches by kind and combines conditions with AND', async () => {
    const list: Rule[] = [
      { match: { kind: ['changed-vs-deleted'], pathTemplate: '/pets' }, take: 'local', reason: 'keep edited endpoints' },
    ];
    expect(await decide(list, paths, 'changed-vs-deleted')).toEqual({
      '/paths/~1pets/get/description': 'local',
      '/paths/~1pets/post/summary': 'local',
    });
    expect(await decide(list, paths, 'both-changed')).toEqual({});
  });

  it('writes a fixed value, with the given or a generated reason', async () => {
    const outcome = await runResolver(
      rules([
        { match: { path: '/info/description' }, take: { value: 'Pinned' }, reason: 'pinned text' },
        { match: { path: '/info/*' }, take: { value: null } },
      ]),
      [conflict('/info/description'), conflict('/info/title')],
      makeContext(),
    );
    expect(outcome.decisions).toEqual([
      { path: '/info/description', take: 'value', value: 'Pinned', reason: 'pinned text', resolver: 'rules' },
      { path: '/info/title', take: 'value', value: null, reason: 'rule #2 (path /info/*) took value', resolver: 'rules' },
    ]);
  });

  it('an empty match catches everything, as a last rule', async () => {
    const result = await decide([{ match: {}, take: 'remote' }], ['/a', '/b']);
    expect(result).toEqual({ '/a': 'remote', '/b': 'remote' });
  });

  it('composes with chain: rules first, preferLocal for the rest', async () => {
    const outcome = await runResolver(
      chain(rules([{ match: { path: '**/description' }, take: 'remote' }]), preferLocal()),
      paths.map((path) => conflict(path)),
      makeContext(),
    );
    expect(outcome.undecided).toEqual([]);
    expect(outcome.decisions.find((decision) => decision.path === '/paths/~1pets/post/summary')?.resolver).toBe('prefer-local');
  });

  it('rejects bad rules at construction, naming the rule', () => {
    const bad: unknown[] = [
      [{ match: { paths: '/x' }, take: 'local' }],
      [{ match: { path: '' }, take: 'local' }],
      [{ match: { operation: '/pets' }, take: 'local' }],
      [{ match: { pathTemplate: 'pets' }, take: 'local' }],
      [{ match: { kind: 'both-edited' }, take: 'local' }],
      [{ match: {}, take: 'mine' }],
      [{ match: {}, take: { value: Number.NaN } }],
      [{ match: {}, take: { value: undefined } }],
      [{ take: 'local' }],
      [{ match: {}, take: 'local', reason: 5 }],
      'not a list',
    ];
    for (const list of bad) {
      expect(() => rules(list as Rule[]), JSON.stringify(list)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(() =>
      rules([
        { match: {}, take: 'local' },
        { match: { tag: 7 as unknown as string }, take: 'local' },
      ]),
    ).toThrow(/rule #2/);
  });
});

describe('rules: what a rule matches', () => {
  it('reads tags and operationIds only from operations, and only strings', async () => {
    const context = makeContext();
    const paths = (context.remote as { paths: Record<string, Record<string, Record<string, unknown>>> }).paths;
    paths['/pets']!['get']!.tags = 'pets';
    paths['/pets']!['post']!.tags = [5, 'write'];
    paths['/pets']!['post']!.operationId = 7;
    const local = (context.local as { paths: Record<string, Record<string, Record<string, unknown>>> }).paths;
    local['/pets']!['get']!.tags = 'pets';
    local['/pets']!['post']!.tags = [5, 'write'];
    local['/pets']!['post']!.operationId = 7;
    const at = [
      '/paths/~1pets/get/description',
      '/paths/~1pets/post/summary',
      '/paths/~1pets~1{petId}/parameters/0/description',
      '/info/title',
    ];
    expect(await decide([{ match: { tag: 'p*' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({});
    expect(await decide([{ match: { tag: '5' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({});
    expect(await decide([{ match: { tag: 'write' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({
      '/paths/~1pets/post/summary': 'remote',
    });
    expect(await decide([{ match: { operationId: '7' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({});
    expect(await decide([{ match: { tag: '*' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({
      '/paths/~1pets/post/summary': 'remote',
    });
    expect(await decide([{ match: { operationId: '*' }, take: 'remote' }], at, 'both-changed', context)).toStrictEqual({
      '/paths/~1pets/get/description': 'remote',
    });
  });

  it('matches the method whatever its case, and takes an operation with spaces around it', async () => {
    const at = ['/paths/~1pets/get/description', '/paths/~1pets/post/summary'];
    expect(await decide([{ match: { operation: 'GET /pets' }, take: 'remote' }], at)).toStrictEqual({
      '/paths/~1pets/get/description': 'remote',
    });
    expect(await decide([{ match: { operation: 'g*  /pets' }, take: 'remote' }], at)).toStrictEqual({
      '/paths/~1pets/get/description': 'remote',
    });
    expect(await decide([{ match: { operation: ' Post /pets ' }, take: 'remote' }], at)).toStrictEqual({
      '/paths/~1pets/post/summary': 'remote',
    });
  });

  it('takes every conflict kind, alone or in a list', async () => {
    for (const kind of ['both-changed', 'changed-vs-deleted', 'deleted-vs-changed', 'both-added'] as const) {
      expect(await decide([{ match: { kind }, take: 'remote' }], ['/a'], kind), kind).toStrictEqual({ '/a': 'remote' });
      expect(await decide([{ match: { kind: [kind] }, take: 'remote' }], ['/a'], kind), kind).toStrictEqual({ '/a': 'remote' });
    }
  });
});

describe('rules: generated reasons', () => {
  const reasonOf = async (rule: Rule) =>
    (await runResolver(rules([rule]), [conflict('/paths/~1pets/get/description')], makeContext())).decisions[0]?.reason;

  it('names the rule, each condition given and what it took', async () => {
    expect(await reasonOf({ match: {}, take: 'remote' })).toBe('rule #1 (any conflict) took remote');
    expect(await reasonOf({ match: { path: '**/description', tag: undefined as unknown as string }, take: 'local' })).toBe(
      'rule #1 (path **/description) took local',
    );
    expect(await reasonOf({ match: { kind: ['both-changed', 'both-added'], operation: 'GET /pets' }, take: 'remote' })).toBe(
      'rule #1 (kind both-changed|both-added, operation GET /pets) took remote',
    );
  });
});

describe('rules: refused at construction, saying what arrived', () => {
  const refused = (index: number, got: string) =>
    expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(got),
      hint: expect.stringMatching(/\S/),
      details: { rule: index },
    });

  it('names the list itself when it is not one', () => {
    for (const [list, got] of [
      [null, 'got null'],
      ['rules', 'got string'],
      [{}, 'got object'],
    ] as const) {
      expect(() => rules(list as never)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(got), hint: expect.stringMatching(/\S/) }),
      );
    }
  });

  it('names the rule and the field', () => {
    const cases: [unknown, string][] = [
      [null, 'got null'],
      [5, 'got number'],
      [{ take: 'local' }, '`match` to be an object, got undefined'],
      [{ match: null, take: 'local' }, '`match` to be an object, got null'],
      [{ match: [], take: 'local' }, '`match` to be an object, got an array'],
      [{ match: 'x', take: 'local' }, '`match` to be an object, got string'],
      [{ match: { paths: '/x' }, take: 'local' }, 'unknown match field "paths"'],
      [{ match: { tag: 7 }, take: 'local' }, '`match.tag` to be a non-empty string, got 7'],
      [{ match: { tag: '' }, take: 'local' }, '`match.tag` to be a non-empty string, got ""'],
      [{ match: { tag: () => 1 }, take: 'local' }, '`match.tag` to be a non-empty string, got function'],
      [{ match: { path: '/a~2b' }, take: 'local' }, '`match.path` to be a pointer pattern, got "/a~2b"'],
      [{ match: { pathTemplate: 'pets' }, take: 'local' }, '`match.pathTemplate` to start with "/", got "pets"'],
      [{ match: { operation: '/pets' }, take: 'local' }, '"METHOD /template", got "/pets"'],
      [{ match: { operation: 'GET GET /pets' }, take: 'local' }, 'got "GET GET /pets"'],
      [{ match: { operation: 'GET /pets extra' }, take: 'local' }, 'got "GET /pets extra"'],
      [{ match: { kind: 'both-edited' }, take: 'local' }, 'both-changed, changed-vs-deleted'],
      [{ match: { kind: 'both-edited' }, take: 'local' }, 'got "both-edited"'],
      [{ match: { kind: ['both-added', 5] }, take: 'local' }, 'got 5'],
      [{ match: { kind: [undefined] }, take: 'local' }, 'got undefined'],
      [{ match: {}, take: 'mine' }, '`take` to be "local", "remote" or { value }, got "mine"'],
      [{ match: {}, take: null }, 'got null'],
      [{ match: {} }, 'got undefined'],
      [{ match: {}, take: () => 'local' }, 'got function'],
      [{ match: {}, take: {} }, 'got {}'],
      [{ match: {}, take: { value: Number.NaN } }, '`take.value` is not JSON: the value is NaN'],
      [{ match: {}, take: 'local', reason: 5 }, '`reason` to be a string, got number'],
    ];
    for (const [rule, got] of cases) {
      expect(() => rules([{ match: {}, take: 'local' }, rule as Rule]), got).toThrow(refused(1, got));
      expect(() => rules([{ match: {}, take: 'local' }, rule as Rule]), got).toThrow(/rule #2/);
    }
  });
});
