import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isSyncError, SourceError, type SyncError } from '../../src/errors.js';
import { compositeSource, type CompositeMember } from '../../src/sources/composite.js';
import { fileSource } from '../../src/sources/file.js';
import type { FetchValidators, SourceFetchContext, SourceFetchResult, SpecSource } from '../../src/sources/types.js';
import { loadSpec } from '../../src/document/index.js';

type Json = Record<string, unknown>;

const users = (): Json => ({
  openapi: '3.0.3',
  info: { title: 'Users', version: '1.0.0' },
  servers: [{ url: 'http://127.0.0.1:3001' }],
  tags: [{ name: 'users' }, { name: 'shared', description: 'from users' }],
  paths: {
    '/users/{id}': {
      get: {
        operationId: 'getUser',
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } } },
          default: { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    schemas: {
      User: { type: 'object', properties: { id: { type: 'string' } } },
      Error: { type: 'object', properties: { message: { type: 'string' } } },
    },
    responses: { Problem: { description: 'problem', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
  },
});

const billing = (): Json => ({
  openapi: '3.0.3',
  info: { title: 'Billing', version: '2.0.0' },
  servers: [{ url: 'http://127.0.0.1:3002' }],
  tags: [{ name: 'shared', description: 'from billing' }],
  paths: {
    '/invoices': {
      get: {
        operationId: 'listInvoices',
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } },
          default: { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    schemas: {
      Invoice: {
        oneOf: [{ $ref: '#/components/schemas/Paid' }],
        discriminator: { propertyName: 'kind', mapping: { paid: '#/components/schemas/Paid', error: 'Error' } },
      },
      Paid: { type: 'object', properties: { kind: { type: 'string' } } },
      Error: { type: 'object', properties: { code: { type: 'integer' } } },
    },
    responses: { Problem: { description: 'problem', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
  },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'als-composite-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, document: Json, yaml = false): Promise<SpecSource> {
  const path = join(dir, name);
  await writeFile(path, yaml ? stringify(document) : JSON.stringify(document));
  return fileSource({ path });
}

function run(source: SpecSource, validators: FetchValidators = {}, signal = new AbortController().signal): Promise<SourceFetchResult> {
  return source.fetch({ validators, signal });
}

async function merged(source: SpecSource, validators: FetchValidators = {}): Promise<Json> {
  const result = await run(source, validators);
  if (result.kind !== 'document') throw new Error(`expected a document, got ${result.kind}`);
  return result.document as Json;
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

/** A source that hands out a document after `delayMs`, and records whether its signal aborted. */
function slowSource(document: Json, delayMs: number): SpecSource & { aborted: boolean; startedAt: number; endedAt: number } {
  const source = {
    kind: 'slow',
    aborted: false,
    startedAt: Number.NaN,
    endedAt: Number.NaN,
    async fetch({ signal }: SourceFetchContext): Promise<SourceFetchResult> {
      source.startedAt = performance.now();
      try {
        await sleep(delayMs, undefined, { signal });
      } catch (error) {
        source.aborted = true;
        throw error;
      }
      source.endedAt = performance.now();
      return { kind: 'document', document };
    },
  };
  return source;
}

describe('compositeSource: merging', () => {
  it('merges paths, components and tags of a YAML member and a JSON Swagger 2.0 member', async () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 'Legacy', version: '0.1' },
      paths: {
        '/legacy': { get: { operationId: 'legacy', responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Old' } } } } },
      },
      definitions: { Old: { type: 'string' } },
    };
    const source = compositeSource({
      sources: [
        { id: 'users', source: await file('users.yaml', users(), true) },
        { id: 'legacy', source: await file('legacy.json', swagger) },
      ],
      info: { title: 'Platform' },
    });
    const document = await merged(source);
    expect(Object.keys(document.paths as Json).sort()).toEqual(['/legacy', '/users/{id}']);
    expect(Object.keys((document.components as { schemas: Json }).schemas).sort()).toEqual(['Error', 'Old', 'User']);
    expect(document.info).toEqual({ title: 'Platform', version: '1.0.0' });
    expect(document.servers).toEqual([{ url: 'http://127.0.0.1:3001' }]);
    expect(document.tags).toEqual([{ name: 'users' }, { name: 'shared', description: 'from users' }]);
    expect(JSON.stringify((document.paths as Json)['/legacy'])).toContain('#/components/schemas/Old');
    // the merged document is itself a valid document for the engine
    expect((await loadSpec(document)).sourceVersion).toBe('3.0');
  });

  it('refuses a component clash naming both members, and a rename rule resolves it with every reference rewritten', async () => {
    const members = async (rename?: CompositeMember['rename']): Promise<CompositeMember[]> => [
      { id: 'users', source: await file('users.json', users()) },
      { id: 'billing', source: await file('billing.json', billing()), ...(rename === undefined ? {} : { rename }) },
    ];
    const error = await failure(run(compositeSource({ sources: await members() })));
    expect(error.code).toBe('SOURCE_CLASH');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('"users"');
    expect(error.message).toContain('"billing"');
    expect(error.message).toContain('schemas/Error');
    expect(error).toBeInstanceOf(SourceError);

    const document = await merged(
      compositeSource({ sources: await members({ schemas: { Error: 'BillingError' }, responses: { Problem: 'BillingProblem' } }) }),
    );
    const components = document.components as { schemas: Json; responses: Json };
    expect(components.schemas.Error).toEqual((users().components as { schemas: Json }).schemas.Error);
    expect(components.schemas.BillingError).toEqual({ type: 'object', properties: { code: { type: 'integer' } } });
    expect(JSON.stringify(components.responses.BillingProblem)).toContain('#/components/schemas/BillingError');
    expect(JSON.stringify(components.responses.Problem)).toContain('#/components/schemas/Error"');
    const invoices = JSON.stringify((document.paths as Json)['/invoices']);
    expect(invoices).toContain('#/components/responses/BillingProblem');
    expect((components.schemas.Invoice as { discriminator: { mapping: Json } }).discriminator.mapping).toEqual({
      paid: '#/components/schemas/Paid',
      error: 'BillingError',
    });
    expect(JSON.stringify((document.paths as Json)['/users/{id}'])).toContain('#/components/responses/Problem"');
  });

  it('merges identical definitions silently', async () => {
    const second = users();
    second.paths = { '/other': { get: { operationId: 'other', responses: { '200': { description: 'ok' } } } } };
    const document = await merged(
      compositeSource({
        sources: [
          { id: 'a', source: await file('a.json', users()) },
          { id: 'b', source: await file('b.yaml', second, true) },
        ],
      }),
    );
    expect(Object.keys(document.paths as Json).sort()).toEqual(['/other', '/users/{id}']);
  });

  it('refuses a path clash (also between equivalent templates), and a prefix resolves it, moving #/paths references too', async () => {
    const other = users();
    other.paths = { '/users/{userId}': { get: { operationId: 'getOtherUser', responses: { '200': { description: 'other' } } } } };
    const plain = await failure(
      run(
        compositeSource({
          sources: [
            { id: 'a', source: await file('a.json', users()) },
            { id: 'b', source: await file('b.json', other) },
          ],
        }),
      ),
    );
    expect(plain.code).toBe('SOURCE_CLASH');
    expect(plain.message).toContain('/users/{userId}');

    other.paths = {
      '/users/{id}': {
        get: {
          operationId: 'getOtherUser',
          responses: { '200': { description: 'other', links: { self: { operationRef: '#/paths/~1users~1{id}/get' } } } },
        },
      },
    };
    const document = await merged(
      compositeSource({
        sources: [
          { id: 'a', source: await file('a.json', users()) },
          { id: 'b', source: await file('b.json', other), prefix: '/b/' },
        ],
      }),
    );
    const paths = document.paths as Json;
    expect(Object.keys(paths).sort()).toEqual(['/b/users/{id}', '/users/{id}']);
    expect(JSON.stringify(paths['/b/users/{id}'])).toContain('#/paths/~1b~1users~1{id}/get');
  });

  it('refuses an operationId used by two members unless one gets an operationIdPrefix', async () => {
    const other = billing();
    ((other.paths as Json)['/invoices'] as { get: Json }).get.operationId = 'getUser';
    const rename = { schemas: { Error: 'BillingError' }, responses: { Problem: 'BillingProblem' } };
    const error = await failure(
      run(
        compositeSource({
          sources: [
            { id: 'users', source: await file('u.json', users()) },
            { id: 'billing', source: await file('b.json', other), rename },
          ],
        }),
      ),
    );
    expect(error.code).toBe('SOURCE_CLASH');
    expect(error.message).toContain('operationId "getUser"');
    const document = await merged(
      compositeSource({
        sources: [
          { id: 'users', source: await file('u.json', users()) },
          { id: 'billing', source: await file('b.json', other), rename, operationIdPrefix: 'billing_' },
        ],
      }),
    );
    expect(((document.paths as Json)['/invoices'] as { get: Json }).get.operationId).toBe('billing_getUser');
  });

  it('keeps each member’s servers and security when they differ from the first member’s', async () => {
    const secured = billing();
    secured.security = [{ key: [] }];
    (secured.components as Json).securitySchemes = { key: { type: 'apiKey', in: 'header', name: 'X-Key' } };
    const document = await merged(
      compositeSource({
        sources: [
          { id: 'users', source: await file('u.json', users()) },
          {
            id: 'billing',
            source: await file('b.json', secured),
            rename: {
              schemas: { Error: 'BillingError' },
              responses: { Problem: 'BillingProblem' },
              securitySchemes: { key: 'billingKey' },
            },
          },
        ],
      }),
    );
    expect(document.security).toBeUndefined();
    const invoices = (document.paths as Json)['/invoices'] as { servers: unknown; get: { security: unknown } };
    expect(invoices.servers).toEqual([{ url: 'http://127.0.0.1:3002' }]);
    expect(invoices.get.security).toEqual([{ billingKey: [] }]);
    expect(((document.paths as Json)['/users/{id}'] as Json).servers).toBeUndefined();
    expect(Object.keys((document.components as { securitySchemes: Json }).securitySchemes)).toEqual(['billingKey']);
  });
});

describe('compositeSource: fetching', () => {
  const rename = { schemas: { Error: 'BillingError' }, responses: { Problem: 'BillingProblem' } };

  it('says not-modified only when every member does, and sees a change in one member', async () => {
    const source = compositeSource({
      sources: [
        { id: 'users', source: await file('u.json', users()) },
        { id: 'billing', source: await file('b.json', billing()), rename },
      ],
    });
    const first = await run(source);
    expect(first.kind).toBe('document');
    expect(first.validators?.etag).toMatch(/^composite:/);
    const second = await run(source, first.validators);
    expect(second.kind).toBe('not-modified');

    const changed = users();
    (changed.info as Json).description = 'now described';
    await writeFile(join(dir, 'u.json'), JSON.stringify(changed));
    const third = await run(source, first.validators);
    expect(third.kind).toBe('document');
    if (third.kind !== 'document') return;
    expect((third.document as { info: Json }).info.description).toBe('now described');
    expect(Object.keys((third.document as { paths: Json }).paths)).toContain('/invoices');

    // A fresh instance (a restarted process) holds no member documents: it fetches the unchanged member again.
    const fresh = compositeSource({
      sources: [
        { id: 'users', source: fileSource({ path: join(dir, 'u.json') }) },
        { id: 'billing', source: fileSource({ path: join(dir, 'b.json') }), rename },
      ],
    });
    expect((await run(fresh, third.validators)).kind).toBe('not-modified');
    await writeFile(join(dir, 'u.json'), JSON.stringify(users()));
    const restarted = await merged(fresh, third.validators);
    expect(Object.keys(restarted.paths as Json).sort()).toEqual(['/invoices', '/users/{id}']);
  });

  it('fetches members in parallel', async () => {
    const other = billing();
    other.components = {};
    other.paths = { '/slow': { get: { responses: { '200': { description: 'ok' } } } } };
    const a = slowSource(users(), 300);
    const b = slowSource(other, 300);
    const source = compositeSource({
      sources: [
        { id: 'a', source: a },
        { id: 'b', source: b },
      ],
    });
    await merged(source);
    // In parallel: each member started before the other one finished (no timing budget to flake on a busy machine).
    expect(a.startedAt).toBeLessThan(b.endedAt);
    expect(b.startedAt).toBeLessThan(a.endedAt);
  });

  it('names the failing member, keeps its code, and aborts the others', async () => {
    const slow = slowSource(users(), 5000);
    const source = compositeSource({
      sources: [
        { id: 'slow', source: slow },
        { id: 'gone', source: fileSource({ path: join(dir, 'missing.json') }) },
      ],
    });
    const started = performance.now();
    const error = await failure(run(source));
    expect(error.code).toBe('SOURCE_FILE_MISSING');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('"gone"');
    expect(error.details.member).toBe('gone');
    expect(performance.now() - started).toBeLessThan(2000);
    await sleep(20);
    expect(slow.aborted).toBe(true);
  });

  it('reports a member whose document is not OpenAPI with the loader’s code', async () => {
    const broken: SpecSource = { kind: 'raw', fetch: async () => ({ kind: 'raw', body: '<!DOCTYPE html><html></html>' }) };
    const error = await failure(
      run(
        compositeSource({
          sources: [
            { id: 'users', source: await file('u.json', users()) },
            { id: 'html', source: broken },
          ],
        }),
      ),
    );
    expect(error.code).toBe('SPEC_HTML');
    expect(error.message).toContain('"html"');
    expect(error.retryable).toBe(false);
  });

  it('honours the caller’s signal', async () => {
    const controller = new AbortController();
    const source = compositeSource({ sources: [{ id: 'slow', source: slowSource(users(), 5000) }] });
    const reason = new Error('engine stopped');
    const pending = run(source, {}, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('watches every member that can be watched', async () => {
    const source = compositeSource({
      sources: [
        { id: 'users', source: fileSource({ path: join(dir, 'u.json'), debounceMs: 50 }) },
        { id: 'slow', source: slowSource(billing(), 1) },
      ],
    });
    await writeFile(join(dir, 'u.json'), JSON.stringify(users()));
    let calls = 0;
    const stop = await (source.watch as NonNullable<SpecSource['watch']>)(() => {
      calls += 1;
    });
    await writeFile(join(dir, 'u.json'), JSON.stringify(billing()));
    const deadline = Date.now() + 4000;
    while (calls === 0 && Date.now() < deadline) await sleep(10);
    expect(calls).toBe(1);
    await stop();
    await source.close?.();
    expect(compositeSource({ sources: [{ id: 'slow', source: slowSource(users(), 1) }] }).watch).toBeUndefined();
  });

  it('validates its options', async () => {
    const code = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return isSyncError(error) ? error.code : 'untyped';
      }
      return 'none';
    };
    const member = { id: 'a', source: await file('a.json', users()) };
    expect(code(() => compositeSource({ sources: [] }))).toBe('CONFIG_INVALID');
    expect(code(() => compositeSource({ sources: [member, member] }))).toBe('CONFIG_INVALID');
    expect(code(() => compositeSource({ sources: [{ ...member, prefix: 'nope' }] }))).toBe('CONFIG_INVALID');
    expect(code(() => compositeSource({ sources: [{ ...member, rename: { models: { A: 'B' } } as never }] }))).toBe('CONFIG_INVALID');
  });
});
