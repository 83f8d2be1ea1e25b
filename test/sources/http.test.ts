import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SourceError, SyncError, isSyncError } from '../../src/errors.js';
import { httpSource } from '../../src/sources/http.js';
import { parseRetryAfter, redactUrl } from '../../src/sources/http-errors.js';
import type { FetchValidators, SourceFetchResult } from '../../src/sources/types.js';
import { closedPort, endlessBody, rejection, serve } from './http-server.js';

const DOC = JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} });

function fetchOnce(
  source: ReturnType<typeof httpSource>,
  validators: FetchValidators = {},
  signal = new AbortController().signal,
): Promise<SourceFetchResult> {
  return source.fetch({ validators, signal });
}

function bodyText(result: SourceFetchResult): string {
  if (result.kind !== 'raw') throw new Error(`expected raw, got ${result.kind}`);
  return Buffer.from(result.body).toString('utf8');
}

describe('httpSource: conditional requests', () => {
  it('round-trips an ETag: 200 with the tag, then 304 answered to If-None-Match', async () => {
    let sawIfNoneMatch = 0;
    const { origin } = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        sawIfNoneMatch += 1;
        res.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(DOC);
    });
    const source = httpSource({ url: `${origin}/openapi.json` });
    const first = await fetchOnce(source);
    expect(bodyText(first)).toBe(DOC);
    expect(first.kind === 'raw' && first.contentType).toBe('application/json');
    expect(first.validators).toEqual({ etag: '"v1"' });
    const second = await fetchOnce(source, first.validators);
    expect(second).toEqual({ kind: 'not-modified', validators: { etag: '"v1"' } });
    expect(sawIfNoneMatch).toBe(1);
  });

  it('sends If-Modified-Since from lastModified and returns not-modified on 304', async () => {
    const stamp = 'Wed, 21 Oct 2025 07:28:00 GMT';
    const seen: (string | undefined)[] = [];
    const { origin } = await serve((req, res) => {
      seen.push(req.headers['if-modified-since']);
      if (req.headers['if-modified-since'] === stamp) res.writeHead(304).end();
      else res.writeHead(200, { 'last-modified': stamp }).end(DOC);
    });
    const source = httpSource({ url: `${origin}/doc` });
    const first = await fetchOnce(source);
    expect(first.validators).toEqual({ lastModified: stamp });
    const second = await fetchOnce(source, first.validators);
    expect(second.kind).toBe('not-modified');
    expect(seen).toEqual([undefined, stamp]);
  });

  it('treats a 200 carrying the remembered strong ETag as not-modified without reading the body', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { etag: '"same"' }).end(DOC);
    });
    const result = await fetchOnce(httpSource({ url: `${origin}/doc` }), { etag: '"same"', contentHash: 'h' });
    expect(result).toEqual({ kind: 'not-modified', validators: { etag: '"same"', contentHash: 'h' } });
  });

  it("probe 'head' skips the GET when HEAD's ETag matches", async () => {
    const methods: string[] = [];
    const { origin } = await serve((req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(200, { etag: 'W/"v2"' }).end(req.method === 'HEAD' ? undefined : DOC);
    });
    const source = httpSource({ url: `${origin}/doc`, probe: 'head' });
    const result = await fetchOnce(source, { etag: '"v2"' });
    expect(result.kind).toBe('not-modified');
    expect(methods).toEqual(['HEAD']);
  });

  it('falls back to GET when HEAD is refused with 405, and remembers not to HEAD again', async () => {
    const methods: string[] = [];
    const { origin } = await serve((req, res) => {
      methods.push(req.method ?? '');
      if (req.method === 'HEAD') res.writeHead(405).end();
      else res.writeHead(200, { etag: '"new"' }).end(DOC);
    });
    const source = httpSource({ url: `${origin}/doc`, probe: 'head' });
    expect(source.headRefused).toBe(false);
    expect(bodyText(await fetchOnce(source, { etag: '"old"' }))).toBe(DOC);
    expect(source.headRefused).toBe(true);
    expect(bodyText(await fetchOnce(source, { etag: '"older"' }))).toBe(DOC);
    expect(methods).toEqual(['HEAD', 'GET', 'GET']);
  });

  it('falls back to GET on a 503 HEAD without remembering it', async () => {
    const methods: string[] = [];
    const { origin } = await serve((req, res) => {
      methods.push(req.method ?? '');
      if (req.method === 'HEAD') res.writeHead(503).end();
      else res.writeHead(200).end(DOC);
    });
    const source = httpSource({ url: `${origin}/doc`, probe: 'head' });
    await fetchOnce(source, { lastModified: 'Wed, 21 Oct 2025 07:28:00 GMT' });
    expect(source.headRefused).toBe(false);
    await fetchOnce(source, { lastModified: 'Wed, 21 Oct 2025 07:28:00 GMT' });
    expect(methods).toEqual(['HEAD', 'GET', 'HEAD', 'GET']);
  });

  it("probe 'head' compares Last-Modified as an instant", async () => {
    const methods: string[] = [];
    const { origin } = await serve((req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(200, { 'last-modified': 'Tue, 21 Oct 2025 07:28:00 GMT' }).end(req.method === 'HEAD' ? undefined : DOC);
    });
    const source = httpSource({ url: `${origin}/doc`, probe: 'head' });
    expect((await fetchOnce(source, { lastModified: 'Tuesday, 21-Oct-25 07:28:00 GMT' })).kind).toBe('not-modified');
    expect((await fetchOnce(source, { lastModified: 'Mon, 20 Oct 2025 07:28:00 GMT' })).kind).toBe('raw');
    expect(methods).toEqual(['HEAD', 'HEAD', 'GET']);
  });

  it('applies maxBytes to the decoded size of a compressed body', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb);
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc`, maxBytes: 1024 * 1024 })));
    expect(error.code).toBe('SOURCE_TOO_LARGE');
  });

  it('decodes a gzip body', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(gzipSync(DOC));
    });
    expect(bodyText(await fetchOnce(httpSource({ url: `${origin}/doc` })))).toBe(DOC);
  });
});

describe('httpSource: timeouts and broken connections', () => {
  it('times out waiting for headers', async () => {
    const { origin } = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc`, headersTimeoutMs: 150 })));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect((error.details as Record<string, unknown>).phase).toBe('headers');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out while connecting to a listener whose accept queue is full', async () => {
    // A child process listens with a backlog of 1 and is then stopped, so it never accepts:
    // once two connections fill its queue the kernel drops further SYNs and connect() hangs.
    const child = spawn(
      process.execPath,
      ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => child.stdout.once('data', (data) => resolve(Number(String(data).trim()))));
      process.kill(child.pid ?? 0, 'SIGSTOP');
      await Promise.all(
        [0, 1].map(
          () =>
            new Promise<void>((resolve) => {
              const socket = net.connect(port, '127.0.0.1', resolve);
              socket.on('error', () => resolve());
              fillers.push(socket);
            }),
        ),
      );
      const started = Date.now();
      const error = await rejection(() => fetchOnce(httpSource({ url: `http://127.0.0.1:${port}/doc`, connectTimeoutMs: 150 })));
      expect(error.code).toBe('SOURCE_TIMEOUT');
      expect((error.details as Record<string, unknown>).phase).toBe('connect');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    }
  });

  it('times out mid-body', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"openapi":');
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc`, bodyTimeoutMs: 150 })));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect((error.details as Record<string, unknown>).phase).toBe('body');
  });

  it('reports a connection reset mid-body', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('x'.repeat(1000), () => res.socket?.destroy());
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` })));
    expect(error.code).toBe('SOURCE_CONNECTION_RESET');
    expect(error.retryable).toBe(true);
  });

  it('reports a reset of a chunked body cut short', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(1000), () => res.socket?.destroy());
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` })));
    expect(error.code).toBe('SOURCE_CONNECTION_RESET');
  });

  it('names the framework of a well-known port when the connection is refused', async () => {
    const port = await closedPort(8000);
    const url = `http://127.0.0.1:${port ?? (await closedPort())}/openapi.json`;
    const error = await rejection(() => fetchOnce(httpSource({ url })));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(error.retryable).toBe(true);
    if (port === 8000) expect(error.hint).toMatch(/FastAPI/);
    else expect(error.hint).toMatch(/Nothing is listening/);
  });

  it('gives a generic hint for a refused connection on an unknown port', async () => {
    const port = await closedPort();
    const error = await rejection(() => fetchOnce(httpSource({ url: `http://127.0.0.1:${port}/doc` })));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(error.hint).toMatch(/^Nothing is listening on 127\.0\.0\.1:\d+: start the API server/);
  });
});

describe('httpSource: statuses', () => {
  it('fails on 500 (retryable) and succeeds on the next attempt', async () => {
    let calls = 0;
    const { origin } = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(500).end('boom');
      else res.writeHead(200).end(DOC);
    });
    const source = httpSource({ url: `${origin}/doc` });
    const error = await rejection(() => fetchOnce(source));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('SOURCE_HTTP_STATUS');
    expect(error.retryable).toBe(true);
    expect((error.details as Record<string, unknown>).status).toBe(500);
    expect(bodyText(await fetchOnce(source))).toBe(DOC);
  });

  it('carries Retry-After seconds of a 429 as retryAfterMs', async () => {
    const { origin } = await serve((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` })));
    expect(error.code).toBe('SOURCE_HTTP_STATUS');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('carries a Retry-After HTTP date of a 503', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const { origin } = await serve((_req, res) => res.writeHead(503, { 'retry-after': at }).end());
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` })));
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('parses Retry-After forms', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:01:00 GMT'))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('does not retry 404 but retries 408', async () => {
    const { origin } = await serve((req, res) => res.writeHead(req.url === '/a' ? 404 : 408).end());
    const notFound = await rejection(() => fetchOnce(httpSource({ url: `${origin}/a` })));
    expect(notFound.retryable).toBe(false);
    expect(notFound.hint).toMatch(/discoverSpec/);
    const timeout = await rejection(() => fetchOnce(httpSource({ url: `${origin}/b` })));
    expect(timeout.retryable).toBe(true);
  });
});

describe('httpSource: redirects and allowed hosts', () => {
  it('follows redirects and reports the final location', async () => {
    const { origin } = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/mid' }).end();
      else if (req.url === '/mid') res.writeHead(307, { location: '/new.json' }).end();
      else res.writeHead(200).end(DOC);
    });
    const result = await fetchOnce(httpSource({ url: `${origin}/old` }));
    expect(bodyText(result)).toBe(DOC);
    expect(result.kind === 'raw' ? result.location : undefined).toBe(`${origin}/new.json`);
  });

  it('stops a redirect loop with SOURCE_REDIRECT_LIMIT', async () => {
    const { origin, requests } = await serve((req, res) => {
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end();
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/a` })));
    expect(error.code).toBe('SOURCE_REDIRECT_LIMIT');
    expect(error.retryable).toBe(false);
    expect((error.details as Record<string, unknown>).loop).toBe(true);
    expect(requests.length).toBe(2);
  });

  it('stops after maxRedirects', async () => {
    const { origin, requests } = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      res.writeHead(302, { location: `/${n + 1}` }).end();
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/0`, maxRedirects: 2 })));
    expect(error.code).toBe('SOURCE_REDIRECT_LIMIT');
    expect((error.details as Record<string, unknown>).loop).toBe(false);
    expect(requests.length).toBe(3);
  });

  it('refuses a host outside allowedHosts before connecting', async () => {
    const { port, requests } = await serve((_req, res) => res.end(DOC));
    const error = await rejection(() => fetchOnce(httpSource({ url: `http://127.0.0.1:${port}/doc`, allowedHosts: ['api.example.com'] })));
    expect(error.code).toBe('SOURCE_HOST_NOT_ALLOWED');
    expect(error.retryable).toBe(false);
    expect(requests.length).toBe(0);
  });

  it('refuses a redirect to a host outside allowedHosts', async () => {
    const { port, requests } = await serve((_req, res) => res.writeHead(302, { location: `http://localhost:${port}/doc` }).end());
    const error = await rejection(() =>
      fetchOnce(httpSource({ url: `http://127.0.0.1:${port}/start`, allowedHosts: [`127.0.0.1:${port}`] })),
    );
    expect(error.code).toBe('SOURCE_HOST_NOT_ALLOWED');
    expect((error.details as Record<string, unknown>).redirectedFrom).toBe(`http://127.0.0.1:${port}/start`);
    expect(requests.length).toBe(1);
  });

  it('drops credentials on a redirect to another origin', async () => {
    const other = await serve((_req, res) => res.end(DOC));
    const first = await serve((_req, res) => res.writeHead(302, { location: `${other.origin}/doc` }).end());
    const source = httpSource({ url: `${first.origin}/doc`, auth: { type: 'bearer', token: 't0k' }, headers: { 'X-Api-Key': 'k' } });
    expect(bodyText(await fetchOnce(source))).toBe(DOC);
    expect(first.requests[0]?.headers.authorization).toBe('Bearer t0k');
    expect(first.requests[0]?.headers['x-api-key']).toBe('k');
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
    expect(other.requests[0]?.headers['x-api-key']).toBeUndefined();
  });
});

describe('httpSource: size limit', () => {
  it('aborts a 200 MB body early under a 1 MB limit, without holding it in memory', async () => {
    const total = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const body = endlessBody(total, chunk);
    const { origin } = await serve(body.handler);
    global.gc?.();
    const before = process.memoryUsage();
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/big`, maxBytes: 1024 * 1024 })));
    const after = process.memoryUsage();
    await body.done;
    expect(error.code).toBe('SOURCE_TOO_LARGE');
    expect(error.retryable).toBe(false);
    expect(body.written()).toBeLessThan(total / 4);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a Content-Length over the limit before reading the body', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const { origin } = await serve((_req, res) => {
      res.on('close', closed);
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write('{');
    });
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/big`, maxBytes: 1024 })));
    expect(error.code).toBe('SOURCE_TOO_LARGE');
    expect((error.details as Record<string, unknown>).contentLength).toBe(10 * 1024 * 1024);
    await serverSawClose;
  });
});

describe('httpSource: secrets and cancellation', () => {
  it('keeps auth, header values and credential query values out of errors and location', async () => {
    const { port, requests } = await serve((_req, res) => res.writeHead(401).end());
    const secrets = ['sk-BEARER-SECRET', 'HEADER-SECRET', 'QUERY-SECRET', 'PASS-SECRET'];
    const source = httpSource({
      url: `http://user:PASS-SECRET@127.0.0.1:${port}/doc?api_key=QUERY-SECRET&format=json`,
      auth: { type: 'bearer', token: 'sk-BEARER-SECRET' },
      headers: { 'X-Api-Key': 'HEADER-SECRET' },
    });
    const error = await rejection(() => fetchOnce(source));
    expect(error.code).toBe('SOURCE_HTTP_STATUS');
    expect(requests[0]?.headers.authorization).toBe('Bearer sk-BEARER-SECRET');
    const serialised = JSON.stringify([error, (error as unknown as SyncError).message, error.hint, source.location]);
    for (const secret of secrets) expect(serialised).not.toContain(secret);
    expect(source.location).toBe(`http://127.0.0.1:${port}/doc?api_key=***&format=json`);
  });

  it('uses URL user info as basic auth when no auth is given', async () => {
    const { port, requests } = await serve((_req, res) => res.end(DOC));
    await fetchOnce(httpSource({ url: `http://al%40ice:p%3Ass@127.0.0.1:${port}/doc` }));
    expect(requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
  });

  it('redacts URLs', () => {
    expect(redactUrl('https://u:p@h.example/x?token=1&a=2&sig=3#frag')).toBe('https://h.example/x?token=***&a=2&sig=***');
  });

  it('rejects with a non-retryable cancellation when the signal aborts mid-request', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const { origin } = await serve((req) => req.socket.on('close', closed));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` }), {}, controller.signal));
    expect(isSyncError(error)).toBe(true);
    expect(error.code).toBe('JOB_CANCELLED');
    expect(error.retryable).toBe(false);
    expect((error.details as Record<string, unknown>).aborted).toBe(true);
    await serverSawClose;
  });

  it("rejects with the signal's reason when it is a SyncError, without sending anything", async () => {
    const { origin, requests } = await serve((_req, res) => res.end(DOC));
    const reason = new SyncError('ENGINE_STOPPED', 'stopped');
    const error = await rejection(() => fetchOnce(httpSource({ url: `${origin}/doc` }), {}, AbortSignal.abort(reason)));
    expect(error).toBe(reason);
    expect(requests.length).toBe(0);
  });

  it('validates options', () => {
    expect(() => httpSource({ url: 'not a url' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => httpSource({ url: 'ftp://x/doc' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => httpSource({ url: 'http://x/doc', maxBytes: 0 })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => httpSource({ url: 'http://x/doc', maxRedirects: -1 })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => httpSource({ url: 'http://x/doc', probe: 'get' as 'head' })).toThrowError(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('httpSource: TLS', () => {
  it('refuses a self-signed certificate (not retryable) and accepts it when its CA is given', async () => {
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
    const cert = readFileSync(certFile);
    const server = https.createServer({ key: readFileSync(keyFile), cert }, (_req, res) => res.end(DOC));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/doc`;
      const error = await rejection(() => fetchOnce(httpSource({ url })));
      expect(error.code).toBe('SOURCE_TLS');
      expect(error.retryable).toBe(false);
      expect(bodyText(await fetchOnce(httpSource({ url, ca: cert })))).toBe(DOC);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
