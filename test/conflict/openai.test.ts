import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { preferRemote, runResolver, type ConflictContext } from '../../src/conflict/index.js';
import { openAIResolver, type OpenAIChatClient, type OpenAIResolverOptions, type OpenAIUsageReport } from '../../src/conflict/openai.js';
import type { MergeConflict } from '../../src/merge/index.js';
import { expectGolden } from '../support/golden.js';
import { completion, decisions, FakeOpenAI } from './fake-openai.js';
import { conflict, makeContext } from './support.js';

let fake: FakeOpenAI;
let client: OpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
  client = new OpenAI({ apiKey: 'sk-test-not-secret', baseURL: fake.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

const description = conflict('/paths/~1pets/get/description', 'Local pets', 'Remote pets');
const summary = conflict('/paths/~1pets~1{petId}/get/summary', 'One pet', 'A pet');
const title = conflict('/info/title', 'Pets (mine)', 'Pets');

function resolver(options: Partial<OpenAIResolverOptions> = {}, reports: OpenAIUsageReport[] = []) {
  return openAIResolver({ client, model: 'test-model', onUsage: (report) => reports.push(report), ...options });
}

async function run(conflicts: MergeConflict[], options: Partial<OpenAIResolverOptions> = {}, context: ConflictContext = makeContext()) {
  const reports: OpenAIUsageReport[] = [];
  const outcome = await runResolver(resolver(options, reports), conflicts, context);
  return { ...outcome, report: reports[0], byPath: Object.fromEntries(outcome.decisions.map((decision) => [decision.path, decision])) };
}

describe('openAIResolver against a real local server', () => {
  it('uses good answers, with structured output and a completion cap', async () => {
    fake.reply = () => ({
      body: decisions([
        { path: description.path, take: 'remote', reason: 'the API text is newer' },
        { path: summary.path, take: 'value', value_json: JSON.stringify('One pet, by id'), reason: 'merged both' },
        { path: title.path, take: 'local' },
      ]),
    });
    const { decisions: decided, undecided, report } = await run([description, summary, title]);
    expect(undecided).toEqual([]);
    expect(decided).toEqual([
      { path: description.path, take: 'remote', reason: 'openai (test-model): the API text is newer', resolver: 'openai' },
      { path: summary.path, take: 'value', value: 'One pet, by id', reason: 'openai (test-model): merged both', resolver: 'openai' },
      { path: title.path, take: 'local', reason: 'openai (test-model): model says so', resolver: 'openai' },
    ]);
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]?.json;
    expect(sent?.model).toBe('test-model');
    expect(sent?.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'conflict_decisions', strict: true } });
    expect(sent?.max_completion_tokens).toBeGreaterThan(0);
    expect(report).toMatchObject({
      requests: 1,
      totalTokens: 100,
      promptTokens: 90,
      completionTokens: 10,
      decidedByModel: 3,
      fellBack: 0,
      problems: [],
    });
  });

  it('sends only the conflicting fragments, never the document, and no secret values', async () => {
    const context = makeContext();
    const local = context.local as Record<string, unknown>;
    local['variables'] = [{ key: 'session', value: 'SECRET-VAR-5', secret: true }];
    const conflicts: MergeConflict[] = [
      description,
      conflict(
        '/paths/~1pets/get/parameters/0',
        { name: 'Authorization', in: 'header', example: 'Bearer SECRET-HEADER-1' },
        { name: 'Authorization', in: 'header' },
      ),
      conflict('/x-deploy/token', 'SECRET-TOKEN-2', 'SECRET-TOKEN-2b'),
      conflict(
        '/x-deploy/login',
        { user: 'bob', password: 'SECRET-PW-3', apiKey: 'SECRET-KEY-3b', nested: { client_secret: 'SECRET-CS-3c' } },
        { user: 'bob' },
      ),
      conflict(
        '/x-env/vars/0',
        { key: 'k', currentValue: 'SECRET-CURRENT-4', initialValue: 'SECRET-INIT-4', secret: true },
        { key: 'k', secret: true },
      ),
      conflict('/variables/0/value', 'SECRET-VAR-5', 'SECRET-VAR-5b'),
      conflict(
        '/x-headers',
        [
          { key: 'Cookie', value: 'SECRET-COOKIE-6' },
          { key: 'Accept', value: 'application/json' },
        ],
        [],
      ),
    ];
    fake.reply = (request) => ({ body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'local' }))) });
    const { undecided } = await run(conflicts, {}, context);
    expect(undecided).toEqual([]);
    const text = fake.requests[0]?.text ?? '';
    expect(text).not.toContain('SECRET-');
    expect(text).not.toContain('UNRELATED-INFO-MARKER-7731');
    expect(text).not.toContain('"openapi"');
    // What is sent is still useful: structure and non-secret values stay.
    expect(text).toContain('Remote pets');
    expect(text).toContain('application/json');
    expect(text).toContain('Authorization');
    const sent = FakeOpenAI.conflictsOf(fake.requests[0] as (typeof fake.requests)[number]);
    expect(sent.map((item) => item.hidden)).toEqual([false, true, true, true, true, true, true]);
    expect(sent[2]).toMatchObject({ local: '[REDACTED]', remote: '[REDACTED]' });
  });

  it('takes hidden values from our side: take remote is used, a written value falls back', async () => {
    const secret = conflict('/x-deploy/token', 'SECRET-A', 'SECRET-B');
    const login = conflict('/x-deploy/login', { user: 'bob', password: 'SECRET-PW' }, { user: 'ann', password: 'SECRET-PW2' });
    fake.reply = () => ({
      body: decisions([
        { path: secret.path, take: 'remote' },
        { path: login.path, take: 'value', value_json: JSON.stringify({ user: 'ann', password: '[REDACTED]' }) },
      ]),
    });
    const { byPath } = await run([secret, login]);
    expect(byPath[secret.path]).toMatchObject({ take: 'remote', resolver: 'openai' });
    expect(byPath[login.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[login.path]?.reason).toContain('hidden from it');
  });

  it('falls back for everything on malformed JSON content', async () => {
    fake.reply = () => ({ body: completion('{"decisions": [ {"path": ') });
    const { decisions: decided, report } = await run([description, summary], { fallback: preferRemote() });
    expect(decided.map((decision) => [decision.take, decision.resolver])).toEqual([
      ['remote', 'prefer-remote'],
      ['remote', 'prefer-remote'],
    ]);
    expect(decided[0]?.reason).toMatch(/^openai fell back \(the answer is not valid JSON .*\): prefer-remote/);
    expect(report?.problems).toHaveLength(1);
  });

  it('falls back for everything on an out-of-schema answer', async () => {
    for (const content of [
      JSON.stringify({ answer: [] }),
      JSON.stringify({ decisions: [{ path: description.path, take: 'maybe', reason: 'x' }] }),
      JSON.stringify({ decisions: [{ path: description.path, take: 'remote', reason: 'x', value_json: 5 }] }),
      '',
    ]) {
      fake.reply = () => ({ body: completion(content) });
      const { decisions: decided } = await run([description, summary]);
      expect(
        decided.map((decision) => decision.resolver),
        content,
      ).toEqual(['prefer-local', 'prefer-local']);
      expect(decided[0]?.reason).toMatch(/out of schema|no content/);
    }
  });

  it('ignores invented paths and falls back for what the model left out or got wrong', async () => {
    fake.reply = () => ({
      body: decisions([
        { path: '/paths/~1invented/get', take: 'remote' },
        { path: description.path, take: 'remote' },
        { path: summary.path, take: 'value', value_json: '{not json' },
      ]),
    });
    const { byPath, report } = await run([description, summary, title]);
    expect(byPath[description.path]).toMatchObject({ take: 'remote', resolver: 'openai' });
    expect(byPath[summary.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[summary.path]?.reason).toContain('needs a `value`');
    expect(byPath[title.path]?.reason).toContain('the model gave no decision for it');
    expect(report?.problems.some((problem) => problem.includes('/paths/~1invented/get'))).toBe(true);
  });

  it('falls back when the server is too slow', async () => {
    fake.reply = () => ({ body: decisions([{ path: description.path, take: 'remote' }]), delayMs: 3_000 });
    const started = Date.now();
    const { decisions: decided } = await run([description], { timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(decided[0]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(decided[0]?.reason).toContain('timed out after 150 ms');
  });

  it('falls back when the job is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    fake.reply = () => ({ body: decisions([{ path: description.path, take: 'remote' }]) });
    const { decisions: decided } = await run([description], {}, makeContext({ signal: controller.signal }));
    expect(fake.requests).toHaveLength(0);
    expect(decided[0]?.reason).toContain('the job was cancelled');
  });

  it.each([429, 500, 401])('falls back on HTTP %i without throwing', async (status) => {
    fake.reply = () => ({ status, body: { error: { message: 'nope', type: 'server_error' } } });
    const { decisions: decided, report } = await run([description, summary]);
    expect(fake.requests).toHaveLength(1);
    expect(decided.map((decision) => decision.take)).toEqual(['local', 'local']);
    expect(decided[0]?.reason).toContain(`the API answered HTTP ${status}`);
    expect(report?.problems).toEqual([`the API answered HTTP ${status}`]);
  });

  it('stops asking when the token budget is spent', async () => {
    fake.reply = (request) => ({
      body: decisions(
        FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'remote' })),
        2_900,
      ),
    });
    const { decisions: decided, report } = await run([description, summary, title], { budgetTokens: 3_000, maxConflictsPerRequest: 1 });
    expect(fake.requests).toHaveLength(1);
    expect(decided.map((decision) => decision.resolver)).toEqual(['openai', 'prefer-local', 'prefer-local']);
    expect(decided[1]?.reason).toContain('token budget: 100 of 3000 tokens left');
    expect(report).toMatchObject({ requests: 1, totalTokens: 2_900, decidedByModel: 1, fellBack: 2 });
    // The completion cap never lets one request overrun what is left.
    const first = fake.requests[0]?.json;
    expect((first?.max_completion_tokens ?? Infinity) + Math.ceil((fake.requests[0]?.text.length ?? 0) / 4)).toBeLessThanOrEqual(
      3_000 + 50,
    );
  });

  it('sends nothing when the budget cannot cover even one request', async () => {
    const { decisions: decided } = await run([description], { budgetTokens: 10 });
    expect(fake.requests).toHaveLength(0);
    expect(decided[0]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
  });

  it('batches by maxConflictsPerRequest', async () => {
    fake.reply = (request) => ({ body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'remote' }))) });
    const conflicts = ['/a', '/b', '/c', '/d', '/e'].map((path) => conflict(path));
    const { decisions: decided } = await run(conflicts, { maxConflictsPerRequest: 2 });
    expect(fake.requests.map((request) => FakeOpenAI.conflictsOf(request).length)).toEqual([2, 2, 1]);
    expect(decided.every((decision) => decision.resolver === 'openai')).toBe(true);
  });

  it('holds back decisions that remove local content, marked [review]', async () => {
    const deleted = conflict('/paths/~1pets/post/summary', 'My summary', undefined, 'changed-vs-deleted');
    const shrunk = conflict('/paths/~1pets/get/x-examples', { a: 1, b: 2 }, { a: 1 });
    const grown = conflict('/paths/~1pets/get/x-notes', { a: 1 }, { a: 1, b: 2 });
    fake.reply = () => ({
      body: decisions([
        { path: deleted.path, take: 'remote', reason: 'gone upstream' },
        { path: shrunk.path, take: 'remote' },
        { path: grown.path, take: 'remote' },
      ]),
    });
    const held = await run([deleted, shrunk, grown]);
    expect(held.byPath[deleted.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(held.byPath[deleted.path]?.reason).toMatch(
      /^\[review\] the model chose remote, which removes local content \(gone upstream\); held back; openai fell back: /,
    );
    expect(held.byPath[shrunk.path]?.reason).toMatch(/^\[review\]/);
    expect(held.byPath[grown.path]).toMatchObject({ take: 'remote', resolver: 'openai' });

    const allowed = await run([deleted], { allowDeletions: true });
    expect(allowed.byPath[deleted.path]).toMatchObject({ take: 'remote', resolver: 'openai' });
    expect(allowed.byPath[deleted.path]?.reason).toMatch(/^\[review\] removes local content; openai/);
  });

  it('creates its own client from apiKey and baseURL when none is given', async () => {
    fake.reply = () => ({ body: decisions([{ path: description.path, take: 'remote' }]) });
    const outcome = await runResolver(
      openAIResolver({ model: 'test-model', apiKey: 'sk-test', baseURL: fake.baseURL }),
      [description],
      makeContext(),
    );
    expect(outcome.decisions[0]).toMatchObject({ take: 'remote', resolver: 'openai' });
    expect(fake.requests).toHaveLength(1);
  });

  it('validates its options', () => {
    const saved = process.env['OPENAI_API_KEY'];
    delete process.env['OPENAI_API_KEY'];
    try {
      expect(() => openAIResolver({ model: 'm' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    } finally {
      if (saved !== undefined) process.env['OPENAI_API_KEY'] = saved;
    }
    expect(() => openAIResolver({ client, model: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => openAIResolver({ client, model: 'm', budgetTokens: 0 })).toThrow(/budgetTokens/);
    expect(() => openAIResolver({ client, model: 'm', maxConflictsPerRequest: 1.5 })).toThrow(/maxConflictsPerRequest/);
  });
});

/** The token estimate the resolver made for a request it sent: a quarter of its body without the completion cap. */
function estimateOf(request: (typeof fake.requests)[number]): number {
  const { max_completion_tokens: _cap, ...body } = request.json;
  return Math.ceil(JSON.stringify(body).length / 4);
}

describe('openAIResolver: the request', () => {
  it('sends the expected request: system prompt, guidance, schema, fragments and completion cap', async () => {
    fake.reply = (request) => ({ body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'local' }))) });
    const conflicts: MergeConflict[] = [
      description,
      conflict('/paths/~1pets/post/summary', 'Add a pet', undefined, 'changed-vs-deleted'),
      conflict(
        '/paths/~1pets/get/parameters/0',
        { name: 'Authorization', in: 'header', example: 'Bearer abcdefghijklmnopqrstuvwxyz' },
        { name: 'Authorization', in: 'header' },
      ),
      conflict('/info/x-big', 'x'.repeat(300), 'small'),
    ];
    await run(conflicts, { instructions: ' Descriptions follow the code. ', maxFragmentChars: 200, budgetTokens: 9_000 });
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0] as (typeof fake.requests)[number];
    expect(request.json.max_completion_tokens).toBe(9_000 - estimateOf(request));
    await expectGolden(join(import.meta.dirname, 'golden', 'openai-request.json'), `${JSON.stringify(request.json, null, 2)}\n`);
  });

  it('sends a batch per maxConflictsPerRequest, even when they divide evenly', async () => {
    fake.reply = (request) => ({ body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'remote' }))) });
    const { report, rejected } = await run(
      ['/a', '/b', '/c', '/d'].map((path) => conflict(path)),
      { maxConflictsPerRequest: 2 },
    );
    expect(fake.requests.map((request) => FakeOpenAI.conflictsOf(request).length)).toStrictEqual([2, 2]);
    expect(report).toMatchObject({ requests: 2, decidedByModel: 4, fellBack: 0 });
    expect(rejected).toStrictEqual([]);
  });

  it('sends nothing more once the time is up', async () => {
    fake.reply = (request) => ({
      body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'remote' }))),
      delayMs: 3_000,
    });
    const { report, decisions: decided } = await run(
      ['/a', '/b', '/c'].map((path) => conflict(path)),
      { maxConflictsPerRequest: 1, timeoutMs: 150 },
    );
    expect(report).toMatchObject({ requests: 1, problems: ['timed out after 150 ms'], fellBack: 3 });
    expect(decided.every((decision) => decision.reason.includes('timed out after 150 ms'))).toBe(true);
  });

  it('sends a request only when its estimate is below what is left of the budget', async () => {
    fake.reply = () => ({ body: decisions([{ path: description.path, take: 'remote' }]) });
    await run([description]);
    const estimate = estimateOf(fake.requests[0] as (typeof fake.requests)[number]);
    fake.requests.length = 0;
    const exact = await run([description], { budgetTokens: estimate });
    expect(fake.requests).toHaveLength(0);
    expect(exact.decisions[0]?.reason).toContain(
      `token budget: ${estimate} of ${estimate} tokens left, the request needs about ${estimate}`,
    );
    const one = await run([description], { budgetTokens: estimate + 1 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.json.max_completion_tokens).toBe(1);
    expect(one.report).toMatchObject({ requests: 1, totalTokens: 100 });
  });
});

describe('openAIResolver: what the answer costs', () => {
  it('counts the estimate for a request that failed', async () => {
    fake.reply = () => ({ status: 500, body: { error: { message: 'nope' } } });
    const { report } = await run([description]);
    expect(report).toMatchObject({
      requests: 1,
      totalTokens: estimateOf(fake.requests[0] as (typeof fake.requests)[number]),
      promptTokens: 0,
      completionTokens: 0,
    });
  });

  it('estimates an answer without usage from its length, and reads one without choices or content', async () => {
    const content = JSON.stringify({ decisions: [{ path: description.path, take: 'remote', value_json: null, reason: 'r' }] });
    const bare = (message: unknown) => ({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: message === undefined ? [] : [{ index: 0, message, finish_reason: 'stop' }],
    });
    fake.reply = () => ({ body: bare({ role: 'assistant', content, refusal: null }) });
    const used = await run([description]);
    const estimate = estimateOf(fake.requests[0] as (typeof fake.requests)[number]);
    expect(used.report).toMatchObject({
      totalTokens: estimate + Math.ceil(content.length / 4),
      promptTokens: 0,
      completionTokens: 0,
      decidedByModel: 1,
    });
    for (const message of [undefined, { role: 'assistant', content: null, refusal: null }]) {
      fake.requests.length = 0;
      fake.reply = () => ({ body: bare(message) });
      const { report } = await run([description]);
      expect(report, JSON.stringify(message)).toMatchObject({
        totalTokens: estimateOf(fake.requests[0] as (typeof fake.requests)[number]),
        problems: ['the answer had no content'],
        fellBack: 1,
      });
    }
  });

  it('falls back when the model refuses, quoting the start of the refusal; an empty refusal is none', async () => {
    const refusal = `I cannot help with that. ${'because '.repeat(30)}`;
    fake.reply = () => ({
      body: {
        ...(completion('') as object),
        choices: [{ index: 0, message: { role: 'assistant', content: null, refusal }, finish_reason: 'stop' }],
      },
    });
    const refused = await run([description]);
    expect(refused.report?.problems).toStrictEqual([`the model refused: ${refusal.slice(0, 120)}`]);
    const content = JSON.stringify({ decisions: [{ path: description.path, take: 'remote', value_json: null, reason: 'r' }] });
    fake.reply = () => ({
      body: {
        ...(completion(content) as object),
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: '' }, finish_reason: 'stop' }],
      },
    });
    expect((await run([description])).byPath[description.path]).toMatchObject({ take: 'remote', resolver: 'openai' });
  });
});

describe('openAIResolver: which decisions it uses', () => {
  it('holds a written value when content was hidden from the model or the value carries a marker', async () => {
    const secret = conflict('/x-deploy/token', 'SECRET-A', 'SECRET-B');
    fake.reply = () => ({
      body: decisions([
        { path: secret.path, take: 'value', value_json: JSON.stringify('plain') },
        { path: title.path, take: 'value', value_json: JSON.stringify('Pets [REDACTED]') },
      ]),
    });
    const { byPath } = await run([secret, title]);
    expect(byPath[secret.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[title.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[title.path]?.reason).toContain('hidden from it');
  });

  it('checks a written value, not remote, for removed content; keeping local removes nothing', async () => {
    const shrunk = conflict('/paths/~1pets/get/x-examples', { a: 1, b: 2 }, { a: 1, b: 2, c: 3 });
    const gone = conflict('/paths/~1pets/get/x-notes', { a: 1 }, undefined, 'changed-vs-deleted');
    fake.reply = () => ({
      body: decisions([
        { path: shrunk.path, take: 'value', value_json: JSON.stringify({ a: 1 }), reason: 'shorter' },
        { path: gone.path, take: 'local', reason: 'keep' },
      ]),
    });
    const { byPath } = await run([shrunk, gone]);
    expect(byPath[shrunk.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[shrunk.path]?.reason).toMatch(/^\[review\] the model chose value, which removes local content \(shorter\)/);
    expect(byPath[gone.path]).toMatchObject({ take: 'local', resolver: 'openai' });
  });

  it('clips a long reason to 300 characters', async () => {
    const prefix = 'openai (test-model): ';
    for (const [length, clipped] of [
      [300 - prefix.length, false],
      [301 - prefix.length, true],
    ] as const) {
      fake.reply = () => ({ body: decisions([{ path: title.path, take: 'remote', reason: 'r'.repeat(length) }]) });
      const reason = (await run([title])).byPath[title.path]?.reason ?? '';
      expect(reason).toHaveLength(300);
      expect(reason.endsWith('…'), String(length)).toBe(clipped);
    }
  });
});

describe('openAIResolver: a client that fails its own way', () => {
  const failing = (error: unknown): OpenAIChatClient => ({ chat: { completions: { create: () => Promise.reject(error) } } });

  it('says what failed: an HTTP status only when it is a number', async () => {
    const cases: [unknown, string][] = [
      [null, 'the request failed: null'],
      [{ status: '500' }, 'the request failed: '],
      [{ status: 503 }, 'the API answered HTTP 503'],
      [new Error(`socket hang up ${'x'.repeat(200)}`), `the request failed: ${`socket hang up ${'x'.repeat(200)}`.slice(0, 159)}…`],
    ];
    for (const [error, why] of cases) {
      const { report, decisions: decided } = await run([description], { client: failing(error) });
      expect(report?.problems[0], why).toContain(why);
      expect(decided[0]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    }
  });
});

describe('openAIResolver: options', () => {
  const invalid = (got: string) =>
    expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(got), hint: expect.stringMatching(/\S/) });
  const withoutKey = <T>(fn: () => T): T => {
    const saved = process.env['OPENAI_API_KEY'];
    delete process.env['OPENAI_API_KEY'];
    try {
      return fn();
    } finally {
      if (saved !== undefined) process.env['OPENAI_API_KEY'] = saved;
    }
  };

  it('says what it got', () => {
    expect(() => openAIResolver(null as never)).toThrow(invalid('got `null` (null)'));
    expect(() => openAIResolver('gpt' as never)).toThrow(invalid('got `"gpt"` (string)'));
    expect(() => openAIResolver({ client, model: 5 as never })).toThrow(invalid('got 5'));
    expect(() => openAIResolver({ client, model: '  ' })).toThrow(invalid('got "  "'));
    expect(() => openAIResolver({ client } as never)).toThrow(invalid('got undefined'));
    for (const [key, fallback] of [
      ['budgetTokens', 20_000],
      ['timeoutMs', 30_000],
      ['maxConflictsPerRequest', 20],
      ['maxFragmentChars', 4_000],
    ] as const) {
      expect(() => openAIResolver({ client, model: 'm', [key]: '5' })).toThrow(
        expect.objectContaining({
          message: expect.stringContaining(`\`${key}\` to be a whole number from 1 and up, got 5 (string)`),
          hint: `Leave it out for the default (${fallback}).`,
        }),
      );
    }
    expect(() => openAIResolver({ client, model: 'm', fallback: {} as never })).toThrow(
      invalid('openAIResolver() `fallback` to be a resolver'),
    );
    expect(() => withoutKey(() => openAIResolver({ model: 'm' }))).toThrow(invalid('OPENAI_API_KEY is not set'));
    expect(() => withoutKey(() => openAIResolver({ model: 'm', apiKey: '' }))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('takes the key from OPENAI_API_KEY, and fails as RESOLVER_FAILED when the client cannot be made', async () => {
    const saved = process.env['OPENAI_API_KEY'];
    process.env['OPENAI_API_KEY'] = 'sk-test-from-env';
    let resolver: ReturnType<typeof openAIResolver>;
    try {
      resolver = openAIResolver({ model: 'test-model', baseURL: fake.baseURL });
    } finally {
      if (saved === undefined) delete process.env['OPENAI_API_KEY'];
      else process.env['OPENAI_API_KEY'] = saved;
    }
    // Gone by the time the client is made (on the first resolve): the OpenAI constructor refuses.
    const before = process.env['OPENAI_API_KEY'];
    delete process.env['OPENAI_API_KEY'];
    try {
      await expect(runResolver(resolver, [description], makeContext())).rejects.toMatchObject({
        code: 'RESOLVER_FAILED',
        message: expect.stringContaining('could not create an OpenAI client'),
        hint: expect.stringMatching(/\S/),
      });
    } finally {
      if (before !== undefined) process.env['OPENAI_API_KEY'] = before;
    }
  });
});
