/**
 * Issue 12, item 11: hints the CLI shows name the CLI's commands and flags,
 * never library functions or options. Every error code is either produced
 * here for real, by the library code the CLI runs, or listed as one that
 * cannot reach the CLI; every produced error whose library hint names
 * library API must have a CLI wording (src/cli/hints.ts) that does not.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileStore,
  LocalFile,
  SyncEngine,
  assertBindingId,
  discoverSpec,
  fileSource,
  httpSource,
  isSyncError,
  loadSpec,
  openApiFileTarget,
  syncErrorCodes,
  type HttpSourceOptions,
  type SpecSource,
  type SyncError,
  type SyncErrorCode,
  type SyncTarget,
} from '../../src/index.js';
import { hoppscotchTarget } from '../../src/targets/hoppscotch/public.js';
import { parseCommandLine } from '../../src/cli/args.js';
import { validateConfig } from '../../src/cli/config.js';
import { CLI_HINTS, cliHint } from '../../src/cli/hints.js';
import { configConflict } from '../../src/cluster/binding-config.js';
import { networkError, timeoutError } from '../../src/sources/http-errors.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';
import { closedPort, serve } from '../sources/http-server.js';
import { MAIN, api, finished, serveDocument, tempDir, type DocServer } from './helpers.js';

/**
 * Library API in a hint: a camelCase name (`maxBytes`, `discoverSpec`,
 * `allowedHosts`), a call (`loadSpec()`, `source.set(document)`), an
 * options object (`{ force: true }`), or a one-word option in backticks.
 */
const LIBRARY_API = /\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[\w$]+\(\)|\b[a-z]\w*\.[a-z]\w*\(|\{ ?[a-z]\w*: |`(auth|ca|path|root)`/;

/**
 * Whether a hint names library API; paths and URLs in it (`/tmp/als-hints-xYz/…`) are not names, nor are
 * config file keys written as JSON (`"maxBytes": "100MB"`): those are the CLI's own vocabulary.
 */
const namesLibraryApi = (hint: string | undefined): boolean =>
  LIBRARY_API.test((hint ?? '').replace(/\S*\/\S*/g, '').replace(/"\w+": /g, ''));

/** Codes the CLI never shows, and why. */
const NOT_FROM_CLI: Partial<Record<SyncErrorCode, string>> = {
  BINDING_EXISTS: 'the CLI refuses duplicate ids in the config file first (CONFIG_INVALID)',
  BINDING_NOT_FOUND: 'the CLI only names bindings it registered',
  DEPENDENCY_CYCLE: 'the CLI registers config bindings in dependency order; a cycle meets DEPENDENCY_MISSING first',
  JOB_NOT_FOUND: 'the CLI approves a held run right after it was held, and has no manual() resolver',
  JOB_NOT_PENDING: 'the CLI never removes jobs',
  JOB_CANCELLED: 'only on abort; an interrupted command prints "interrupted" and exits 130',
  CIRCUIT_OPEN: "only for a manual trigger on an open circuit; watch never triggers manually (its first run is the engine's start sync)",
  LISTENER_FAILED: 'the CLI listeners do not throw',
  SOURCE_PATH_ESCAPE: 'the CLI creates file sources without `root`',
  SOURCE_CLASH: 'only composite sources, which the CLI does not create',
  MERGE_FAILED: 'only for invalid merge rules, which the CLI does not take',
  POINTER_INVALID: 'only from pointers given by API callers',
  CONFLICT_DECISION_INVALID: 'only from custom resolvers; the CLI uses preferLocal() or preferRemote()',
  RESOLVER_FAILED: 'only from custom resolvers; the CLI uses preferLocal() or preferRemote()',
  STALE_LEASE:
    'only inside a sync of `api-live-sync worker` whose lease was lost: the worker logs it as a failed job, never a command result',
  JOB_TRANSITION_INVALID: 'only from a bug in the scheduler',
  JOB_FAILED: 'only from a bug: every adapter the CLI uses throws typed errors',
  SOURCE_ADAPTER_FAILED: 'only from custom sources; the CLI uses file and HTTP sources',
  TARGET_ADAPTER_FAILED: 'only from custom targets; the CLI uses the built-in ones',
  STORE_ADAPTER_FAILED: 'only from custom stores; the CLI uses FileStore',
};

async function thrown(work: () => unknown): Promise<SyncError> {
  try {
    await work();
  } catch (error) {
    if (isSyncError(error)) return error;
    throw error;
  }
  throw new Error('expected a SyncError');
}

const signal = () => new AbortController().signal;
const fetchFrom = (options: HttpSourceOptions) => thrown(() => httpSource(options).fetch({ validators: {}, signal: signal() }));
const facts = (url: string) => ({ url: new URL(url), location: url, method: 'GET' });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'als-hints-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A sync through a real engine with a file target at `path`; resolves with its error. */
async function syncInto(target: SyncTarget<unknown>, source: SpecSource = new MemorySource(petstore(1))): Promise<SyncError> {
  const engine = new SyncEngine({ retry: { maxRetries: 0 } });
  await engine.addSource({ id: 'api', source, target });
  return thrown(() => engine.syncNow('api'));
}

/** Every error the CLI can meet, made by the library code it runs, with a label. */
async function catalogue(): Promise<Array<[string, SyncError]>> {
  const errors: Array<[string, SyncError]> = [];
  const add = (label: string, error: SyncError) => void errors.push([label, error]);
  const server = async (handler: Handler) => (await serve(handler)).origin;

  // HTTP sources (sync, watch, plan, check, diff).
  for (const status of [400, 401, 403, 404, 405, 406, 408, 410, 418, 429, 500, 502, 503]) {
    add(`HTTP ${status}`, await fetchFrom({ url: `${await server((_q, r) => r.writeHead(status).end())}/openapi.json` }));
  }
  add('broken Location', await fetchFrom({ url: `${await server((_q, r) => r.writeHead(302, { location: 'http://[broken' }).end())}/x` }));
  add('too large', await fetchFrom({ url: `${await server((_q, r) => r.end('x'.repeat(100)))}/x`, maxBytes: 10 }));
  const origin = await server((_q, r) => r.writeHead(302, { location: 'http://localhost:1/elsewhere' }).end());
  add('host not allowed', await fetchFrom({ url: `${origin}/x`, allowedHosts: ['example.com'] }));
  add('redirect to a host not allowed', await fetchFrom({ url: `${origin}/x`, allowedHosts: ['127.0.0.1'] }));
  add('redirect to ftp', await fetchFrom({ url: `${await server((_q, r) => r.writeHead(302, { location: 'ftp://x/y' }).end())}/x` }));
  add('redirect loop', await fetchFrom({ url: `${await server((_q, r) => r.writeHead(302, { location: '/x' }).end())}/x` }));
  let hop = 0;
  add(
    'too many redirects',
    await fetchFrom({ url: `${await server((_q, r) => r.writeHead(302, { location: `/${++hop}` }).end())}/0`, maxRedirects: 2 }),
  );
  add('headers timeout', await fetchFrom({ url: `${await server(() => undefined)}/x`, headersTimeoutMs: 100 }));
  add(
    'body timeout',
    await fetchFrom({ url: `${await server((_q, r) => r.writeHead(200, { 'content-length': '10' }).write('x'))}/x`, bodyTimeoutMs: 100 }),
  );
  add('connect timeout', timeoutError(facts('http://10.255.255.1/x'), 'connect', 5000));
  add('refused', await fetchFrom({ url: `http://127.0.0.1:${await closedPort()}/x` }));
  add(
    'reset',
    await fetchFrom({
      url: `${await server((_q, r) => r.writeHead(200, { 'content-length': '100' }).write('x', () => r.socket?.destroy()))}/x`,
    }),
  );
  add(
    'DNS',
    networkError(
      Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }),
      facts('http://nowhere.invalid/x'),
    ) as SyncError,
  );
  add(
    'unreachable',
    networkError(Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), facts('http://10.9.9.9/x')) as SyncError,
  );
  add('unexpected network failure', networkError(new Error('socket hang up'), facts('http://127.0.0.1/x')) as SyncError);
  add(
    'corrupt gzip',
    await fetchFrom({
      url: `${await server((_q, r) => r.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')))}/x`,
    }),
  );
  add('TLS', await tlsFailure());

  // File sources.
  const fetchFile = (options: Parameters<typeof fileSource>[0]) =>
    thrown(() => fileSource(options).fetch({ validators: {}, signal: signal() }));
  add('file missing', await fetchFile({ path: join(folder, 'missing.json') }));
  add('not a file', await fetchFile({ path: folder }));
  writeFileSync(join(folder, 'big.json'), 'x'.repeat(100));
  add('file too large', await fetchFile({ path: join(folder, 'big.json'), maxBytes: 10 }));
  symlinkSync(join(folder, 'loop-b'), join(folder, 'loop-a'));
  symlinkSync(join(folder, 'loop-a'), join(folder, 'loop-b'));
  add('symlink loop', await fetchFile({ path: join(folder, 'loop-a') }));

  // The loaded document.
  const load = (input: Parameters<typeof loadSpec>[0], options?: Parameters<typeof loadSpec>[1]) => thrown(() => loadSpec(input, options));
  add('empty', await load(''));
  add('HTML', await load('<!doctype html><html></html>'));
  add('not JSON', await load('{"openapi": '));
  add('not YAML', await load('a: [\n'));
  add('gzip bytes', await load(gzipSync('{}')));
  add('not UTF-8', await load(Buffer.from([0xff, 0xfe, 0x00, 0x41])));
  add('not OpenAPI', await load({ error: 'login required' }));
  add('a list', await load([1, 2]));
  add('unsupported version', await load({ openapi: '4.0.0', info: { title: 't', version: '1' }, paths: {} }));
  add('no paths', await load({ openapi: '3.0.3', info: { title: 't', version: '1' } }));
  add('empty paths', await load({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} }));
  add('no info', await load({ openapi: '3.0.3', paths: { '/a': { get: { responses: {} } } } }));
  add(
    'bad components',
    await load({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: {} } } }, components: 3 }),
  );
  add('bad path item', await load({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': 3 } }));
  add('bad operation', await load({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { get: 3 } } }));
  add(
    'YAML cycle',
    await load('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /a: &a\n    get:\n      responses: {}\n      x-self: *a\n'),
  );
  add('too deep', await load(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x":${'['.repeat(300)}${']'.repeat(300)}}`));
  add(
    'alias bomb',
    await load(
      `openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      { maxAliasCount: 50 },
    ),
  );
  add(
    'remote $ref',
    await load({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { $ref: 'other.json#/paths/a' } } }),
  );
  add('document too large', await load('x'.repeat(100), { maxBytes: 10 }));
  add(
    'upgrade failed',
    await load({
      swagger: '2.0',
      info: { title: 'Old', version: '1' },
      securityDefinitions: { 'my key': { type: 'apiKey', name: 'a', in: 'header' }, my_key: { type: 'apiKey', name: 'b', in: 'header' } },
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
    }),
  );

  // Discovery (discover).
  add('nothing found', await thrown(async () => discoverSpec(await server((_q, r) => r.writeHead(404).end()), { timeoutMs: 2000 })));
  add(
    'credentials everywhere',
    await thrown(async () => discoverSpec(await server((_q, r) => r.writeHead(401).end()), { timeoutMs: 2000 })),
  );
  add(
    'too large everywhere',
    await thrown(async () =>
      discoverSpec(await server((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(petstore(3)))), {
        timeoutMs: 2000,
        maxBytes: 100,
      }),
    ),
  );
  add('discover refused', await thrown(async () => discoverSpec(`http://127.0.0.1:${await closedPort()}`, { timeoutMs: 2000 })));

  // Targets (the local copy).
  writeFileSync(join(folder, 'broken.json'), '{ not json');
  add('OpenAPI copy not JSON', await syncInto(openApiFileTarget({ path: join(folder, 'broken.json') }) as SyncTarget<unknown>));
  add('collection not JSON', await syncInto(hoppscotchTarget({ path: join(folder, 'broken.json') }) as SyncTarget<unknown>));
  writeFileSync(join(folder, 'all.hoppscotch.json'), '[]');
  add('collection export-all', await syncInto(hoppscotchTarget({ path: join(folder, 'all.hoppscotch.json') }) as SyncTarget<unknown>));
  writeFileSync(join(folder, 'old.hoppscotch.json'), JSON.stringify({ v: 3, name: 'x', folders: [], requests: [] }));
  add('collection version', await syncInto(hoppscotchTarget({ path: join(folder, 'old.hoppscotch.json') }) as SyncTarget<unknown>));
  add('copy is a folder', await syncInto(openApiFileTarget({ path: folder }) as SyncTarget<unknown>));
  add('copy under a file', await syncInto(openApiFileTarget({ path: join(folder, 'big.json', 'inside.json') }) as SyncTarget<unknown>));
  add(
    'copy cannot be written',
    await syncInto(openApiFileTarget({ path: join(folder, 'no-such-folder', 'copy.json') }) as SyncTarget<unknown>),
  );
  writeFileSync(join(folder, 'race.json'), 'saved by a person');
  add(
    'copy changed while written',
    await thrown(() => new LocalFile(join(folder, 'race.json')).write('synced', Buffer.from('what the sync read'))),
  );

  // The store.
  const storeDir = join(folder, 'store');
  const store = new FileStore({ dir: storeDir });
  await store.setRecord('api', 'decisions', { a: 1 });
  const bindingDir = join(storeDir, readdirSync(storeDir)[0]!);
  writeFileSync(join(bindingDir, 'decisions.json'), '{ torn');
  add('corrupt record', await thrown(() => store.getRecord('api', 'decisions')));
  mkdirSync(join(bindingDir, 'journal.json'));
  add('record is a folder', await thrown(() => store.getRecord('api', 'journal')));
  add('store cannot be written', await thrown(() => new FileStore({ dir: join(folder, 'big.json', 'store') }).setRecord('api', 'k', 1)));

  // The engine: rollback, dependencies, stopping.
  const engine = new SyncEngine();
  const memory = new MemorySource(petstore(1));
  const target = new MemoryTarget();
  await engine.addSource({ id: 'api', source: memory, target });
  add('nothing to roll back', await thrown(() => engine.rollback('api')));
  await engine.syncNow('api');
  memory.set(petstore(2));
  await engine.syncNow('api');
  target.value = { ...target.value!, 'x-edited': true };
  add('rollback over edits', await thrown(() => engine.rollback('api')));
  add(
    'dependency missing',
    await thrown(() => engine.addSource({ id: 'b', source: memory, target: new MemoryTarget(), dependsOn: ['nope'] })),
  );
  add('stopped, job aborted', await stoppedWhileRunning());

  // The CLI's own input.
  add('usage', await thrown(() => parseCommandLine(['sync', '--nope'])));
  add('config file', await thrown(() => validateConfig({ bindings: [] }, '/x/live-sync.config.json')));
  add('bad URL', await thrown(() => httpSource({ url: 'http://[broken/openapi.json' })));
  add('binding id', await thrown(() => assertBindingId('a/b', 'the id')));
  // `api-live-sync worker`: a worker whose config file differs from the one another worker registered for the id.
  add('config conflict', configConflict('api', 'sha256:mine', 'sha256:theirs host:1', 'host:2') as SyncError);
  return errors;
}

async function tlsFailure(): Promise<SyncError> {
  const { key, cert } = selfSigned();
  const server = https.createServer({ key, cert }, (_q, r) => r.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fetchFrom({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/x` });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** A self-signed certificate for 127.0.0.1, made with openssl; `certFile` is its PEM on disk. */
function selfSigned(): { key: Buffer; cert: Buffer; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'als-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

/** A source whose fetch waits until it is aborted. */
function hanging(): SpecSource {
  return {
    kind: 'hang',
    fetch: ({ signal: aborted }) =>
      new Promise((_resolve, reject) => aborted.addEventListener('abort', () => reject(aborted.reason), { once: true })),
  };
}

async function stoppedWhileRunning(): Promise<SyncError> {
  const engine = new SyncEngine({ stopGracePeriodMs: 1000 });
  await engine.addSource({ id: 'api', source: hanging(), target: new MemoryTarget() });
  const run = thrown(() => engine.syncNow('api'));
  await new Promise((r) => setTimeout(r, 20));
  await engine.stopSync();
  return run;
}

describe('CLI hints', { timeout: 60_000 }, () => {
  let errors: Array<[string, SyncError]>;
  beforeAll(async () => {
    errors = await catalogue();
  });

  it('every error code is produced here or listed as one the CLI never shows', () => {
    const produced = new Set(errors.map(([, error]) => error.code));
    const missing = syncErrorCodes.filter((code) => !produced.has(code) && NOT_FROM_CLI[code] === undefined);
    expect(missing).toEqual([]);
    expect([...produced].filter((code) => NOT_FROM_CLI[code] !== undefined)).toEqual([]);
  });

  it('every code whose library hint names library API has a CLI wording, and no hint the CLI shows names library API', () => {
    const named = errors.filter(([, error]) => namesLibraryApi(error.hint));
    // The detector finds what it should (the check below could fail).
    expect(named.map(([label]) => label)).toEqual(
      expect.arrayContaining(['HTTP 404', 'too large', 'host not allowed', 'rollback over edits', 'nothing found']),
    );
    for (const [label, error] of named) expect(CLI_HINTS[error.code], `${label}: ${error.hint}`).toBeDefined();
    const leaks = errors.map(([label, error]) => [label, cliHint(error)] as const).filter(([, hint]) => namesLibraryApi(hint));
    expect(leaks).toEqual([]);
  });

  it('keeps the library hint on the error itself', () => {
    const [, notFound] = errors.find(([label]) => label === 'HTTP 404')!;
    expect(notFound.hint).toMatch(/discoverSpec/);
    expect(cliHint(notFound)).toMatch(/api-live-sync discover http:\/\/127\.0\.0\.1:\d+`/);
    expect(cliHint(notFound.toJSON())).toBe(cliHint(notFound));
  });
});

describe('CLI hints reach the user', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(api(['/pets']));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('a 404 names `api-live-sync discover` with the origin, in --json and on stderr', async () => {
    const json = await run(['sync', `${server.base}/nope.json`, '--out', 'a.json', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).bindings[0].error).toMatchObject({
      code: 'SOURCE_HTTP_STATUS',
      hint: expect.stringContaining(`api-live-sync discover ${server.base}`),
    });
    const plain = await run(['sync', `${server.base}/nope.json`, '--out', 'a.json']);
    expect(plain.stderr).toContain(`hint: Nothing at this path: check the URL, or run \`api-live-sync discover ${server.base}\``);
  });

  it('a host outside --allow-host names the flag to add', async () => {
    const json = await run(['check', server.url, '--out', 'b.json', '--allow-host', 'api.example.com', '--json']);
    expect(json.code).toBe(3);
    const host = new URL(server.url).host;
    expect(JSON.parse(json.stdout).bindings[0].error).toMatchObject({
      code: 'SOURCE_HOST_NOT_ALLOWED',
      hint: expect.stringContaining(`--allow-host ${host}`),
    });
  });

  it('a self-signed dev server: the hint names NODE_EXTRA_CA_CERTS, and that works', async () => {
    const { key, cert, certFile } = selfSigned();
    const body = JSON.stringify(api(['/pets']));
    const tls = https.createServer({ key, cert }, (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/openapi.json`;
      const refused = await run(['sync', url, '--out', 'tls.json', '--json']);
      expect(refused.code).toBe(3);
      expect(JSON.parse(refused.stdout).bindings[0].error).toMatchObject({
        code: 'SOURCE_TLS',
        hint: expect.stringContaining('NODE_EXTRA_CA_CERTS='),
      });
      const trusted = await run(['sync', url, '--out', 'tls.json', '--json'], { NODE_EXTRA_CA_CERTS: certFile });
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout).bindings[0]).toMatchObject({ outcome: 'applied' });
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });

  function run(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], {
      cwd: temp.dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return finished(child);
  }
});
