/**
 * The handler is safe by default: what a web page the user visits can make
 * the browser send to 127.0.0.1 (cross-site form posts, `no-cors` fetches,
 * DNS rebinding) is refused before the engine is touched or the body is
 * read, while same-origin pages and non-browser clients keep working. The
 * requests carry exactly the headers a browser sends; node:http is used where
 * `fetch` forbids a header (`Host`, `Sec-Fetch-*`).
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { BindingError, type SyncEngine } from '../../src/index.js';
import { createSyncHandler, httpStatusForCode, type SyncHandlerEngine, type SyncHandlerOptions } from '../../src/server/index.js';
import { petstore } from '../support/docs.js';
import { SseClient, petsEngine, rawRequest, serveHandler, withRails } from './support.js';

const POSTS = ['/sources/pets/sync', '/sources/pets/rollback', '/jobs/job-1/approve', '/jobs/job-1/dismiss', '/jobs/job-1/decisions'];
const READS = ['/status', '/metrics', '/held', '/conflicts'];
const JSON_TYPE = { 'content-type': 'application/json' };

/** The handler over a real engine with recording approve/dismiss/rollback, served on 127.0.0.1. */
async function serve(options: SyncHandlerOptions = {}) {
  const { engine, source, target } = await petsEngine();
  const { wrapped, calls } = withRails(engine);
  const { origin } = await serveHandler(createSyncHandler(wrapped, options));
  const port = new URL(origin).port;
  return { engine, source, target, calls, origin, port };
}

const errorCode = (body: string): unknown => (JSON.parse(body) as { error: { code: string } }).error.code;
const errorHint = (body: string): string => (JSON.parse(body) as { error: { hint: string } }).error.hint;

describe('createSyncHandler: requests a cross-site page makes the browser send', () => {
  it('refuses a cross-site HTML form post (urlencoded or text/plain) to every POST with 403, engine untouched', async () => {
    const { source, calls, origin } = await serve();
    const fetchesBefore = source.fetchCount;
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      for (const path of POSTS) {
        const response = await rawRequest(`${origin}${path}`, {
          method: 'POST',
          headers: {
            'content-type': type,
            origin: 'https://evil.example',
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'navigate',
            'sec-fetch-dest': 'document',
            'sec-fetch-user': '?1',
          },
          body: type === 'text/plain' ? '{"toJournalId":"journal-1"}=' : 'toJournalId=journal-1',
        });
        expect(response.status, `${type} ${path}`).toBe(403);
        expect(errorCode(response.body)).toBe('CROSS_SITE_REFUSED');
        expect(errorHint(response.body)).toContain('allowedOrigins');
      }
    }
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);
  });

  it('refuses a cross-site no-cors fetch with a text/plain body (even an empty one) with 403', async () => {
    const { source, calls, origin } = await serve();
    const fetchesBefore = source.fetchCount;
    for (const path of POSTS) {
      for (const body of ['', '{}']) {
        const response = await rawRequest(`${origin}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain;charset=UTF-8',
            origin: 'https://evil.example',
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'no-cors',
            'sec-fetch-dest': 'empty',
          },
          body,
        });
        expect(response.status, path).toBe(403);
        expect(errorCode(response.body)).toBe('CROSS_SITE_REFUSED');
      }
    }
    // The job ids are sequential, so guessing one is easy: approve must refuse too.
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);
  });

  it('refuses a same-site page on another port unless its origin is allowed, and an Origin without Sec-Fetch-Site', async () => {
    const { calls, origin, port } = await serve();
    const other = Number(port) === 5173 ? 'http://127.0.0.1:5174' : 'http://127.0.0.1:5173';
    const sameSite = await rawRequest(`${origin}/jobs/job-1/approve`, {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: other, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
      body: '{}',
    });
    expect(sameSite.status).toBe(403);
    expect(errorCode(sameSite.body)).toBe('CROSS_SITE_REFUSED');
    // An older browser sends Origin but no Sec-Fetch-*.
    const foreign = await rawRequest(`${origin}/jobs/job-1/approve`, {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: 'https://evil.example' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    // A page of the browser itself (`Origin: null`: sandboxed frames, file://).
    const opaque = await rawRequest(`${origin}/jobs/job-1/approve`, {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: 'null' },
      body: '{}',
    });
    expect(opaque.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('refuses a text/plain or untyped POST from a client that sends no Origin with 415 (a JSON content type forces a CORS preflight)', async () => {
    const { source, calls, origin } = await serve();
    const fetchesBefore = source.fetchCount;
    for (const path of POSTS) {
      const plain = await rawRequest(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
      expect(plain.status, path).toBe(415);
      expect(errorCode(plain.body)).toBe('UNSUPPORTED_MEDIA_TYPE');
      const untyped = await rawRequest(`${origin}${path}`, { method: 'POST' });
      expect(untyped.status, path).toBe(415);
      expect(errorHint(untyped.body)).toContain('application/json');
    }
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);
  });

  it('answers a CORS preflight without any Access-Control-Allow-* header', async () => {
    const { origin } = await serve();
    for (const path of POSTS) {
      const response = await rawRequest(`${origin}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
          'sec-fetch-site': 'cross-site',
          'sec-fetch-mode': 'cors',
        },
      });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(
        Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
        path,
      ).toEqual([]);
    }
  });

  it('serves a same-origin page: Origin of the server, Sec-Fetch-Site same-origin, JSON', async () => {
    const { source, target, calls, origin } = await serve();
    const page = { ...JSON_TYPE, origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' };
    source.set(petstore(3));
    const synced = await rawRequest(`${origin}/sources/pets/sync`, { method: 'POST', headers: page });
    expect(synced.status).toBe(200);
    expect(JSON.parse(synced.body)).toMatchObject({ outcome: 'applied' });
    expect(target.value).toEqual(petstore(3));
    expect((await rawRequest(`${origin}/jobs/job-1/approve`, { method: 'POST', headers: page, body: '{}' })).status).toBe(200);
    expect(
      (await rawRequest(`${origin}/sources/pets/rollback`, { method: 'POST', headers: page, body: '{"toJournalId":"journal-2"}' })).status,
    ).toBe(200);
    expect(calls).toEqual([
      ['approve', 'job-1'],
      ['rollback', 'pets', 'journal-2'],
    ]);
    // The same page under the other loopback names.
    const port = new URL(origin).port;
    for (const host of [`localhost:${port}`, `[::1]:${port}`]) {
      const response = await rawRequest(`${origin}/jobs/job-2/dismiss`, {
        method: 'POST',
        headers: { ...page, host, origin: `http://${host}` },
      });
      expect(response.status, host).toBe(200);
    }
  });

  it('serves a non-browser client (no Origin, no Sec-Fetch-*, JSON)', async () => {
    const { source, calls, origin } = await serve();
    source.set(petstore(3));
    const curl = { ...JSON_TYPE, 'user-agent': 'curl/8.5.0', accept: '*/*' };
    const synced = await rawRequest(`${origin}/sources/pets/sync`, { method: 'POST', headers: curl });
    expect(synced.status).toBe(200);
    expect(JSON.parse(synced.body)).toMatchObject({ outcome: 'applied', sourceId: 'pets' });
    for (const path of POSTS.slice(1)) {
      const response = await rawRequest(`${origin}${path}`, {
        method: 'POST',
        headers: curl,
        body: path.endsWith('decisions') ? '{"decisions":[]}' : '{}',
      });
      // decisions for an unknown job: the engine answers 404, which shows the request reached it.
      expect(response.status, path).toBe(path.endsWith('decisions') ? 404 : 200);
    }
    expect(calls).toEqual([
      ['rollback', 'pets'],
      ['approve', 'job-1'],
      ['dismiss', 'job-1'],
    ]);
    for (const path of READS)
      expect((await rawRequest(`${origin}${path}`, { headers: { 'user-agent': 'curl/8.5.0' } })).status, path).toBe(200);
  });
});

describe('createSyncHandler: the Host header (DNS rebinding)', () => {
  it('refuses a foreign Host on every route, reads and the event stream included, with 403', async () => {
    const { source, calls, origin, port } = await serve();
    const fetchesBefore = source.fetchCount;
    const host = `attacker.example:${port}`;
    // After rebinding, the attacker's page is same-origin with its own name.
    const page = { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    for (const path of [...READS, '/events']) {
      const response = await rawRequest(`${origin}${path}`, { headers: page });
      expect(response.status, path).toBe(403);
      expect(errorCode(response.body)).toBe('HOST_NOT_ALLOWED');
      expect(errorHint(response.body)).toContain('allowedHosts');
    }
    for (const path of POSTS) {
      const response = await rawRequest(`${origin}${path}`, { method: 'POST', headers: { ...page, ...JSON_TYPE }, body: '{}' });
      expect(response.status, path).toBe(403);
      expect(errorCode(response.body)).toBe('HOST_NOT_ALLOWED');
    }
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);
    // A Host that merely starts or ends like a loopback name is foreign too.
    for (const foreign of [
      `localhost.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      'evil.localhost',
      `localhost.:${port}`,
      `localhost:${port}@attacker.example`,
    ]) {
      expect((await rawRequest(`${origin}/status`, { headers: { host: foreign } })).status, foreign).toBe(403);
    }
  });

  it('allows the loopback names on any port by default', async () => {
    const { origin } = await serve();
    for (const host of ['127.0.0.1', 'localhost:1', 'LOCALHOST:65535', '[::1]:8080', '127.0.0.1:80']) {
      expect((await rawRequest(`${origin}/status`, { headers: { host } })).status, host).toBe(200);
    }
  });

  it('allowedHosts adds names (any port, or one port), or any host with "*"', async () => {
    const named = await serve({ allowedHosts: ['sync.internal', 'api.example.com:8443'] });
    const status = (host: string, at = named.origin) => rawRequest(`${at}/status`, { headers: { host } }).then((r) => r.status);
    expect(await status('sync.internal:3000')).toBe(200);
    expect(await status('SYNC.internal')).toBe(200);
    expect(await status('api.example.com:8443')).toBe(200);
    expect(await status('api.example.com:8444')).toBe(403);
    expect(await status('localhost:3000')).toBe(200);
    expect(await status('attacker.example')).toBe(403);
    // The same-origin default follows the Host: a page served as https://sync.internal (behind a TLS proxy) may POST.
    const behindProxy = await rawRequest(`${named.origin}/jobs/job-3/approve`, {
      method: 'POST',
      headers: { ...JSON_TYPE, host: 'sync.internal', origin: 'https://sync.internal', 'sec-fetch-site': 'same-origin' },
    });
    expect(behindProxy.status).toBe(200);
    expect(named.calls).toEqual([['approve', 'job-3']]);

    const any = await serve({ allowedHosts: ['*'] });
    expect(await status('attacker.example:1234', any.origin)).toBe(200);
    // "*" opens the Host check only: a cross-site POST is still refused.
    const crossSite = await rawRequest(`${any.origin}/jobs/job-1/approve`, {
      method: 'POST',
      headers: { ...JSON_TYPE, host: 'sync.example.com', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    expect(errorCode(crossSite.body)).toBe('CROSS_SITE_REFUSED');
  });
});

describe('createSyncHandler: allowedOrigins', () => {
  it('lets the listed origins POST (same-site or cross-site), and no other', async () => {
    const { calls, origin } = await serve({ allowedOrigins: ['http://localhost:5173', 'https://dashboard.example.com/'] });
    const from = (page: string, site: string) =>
      rawRequest(`${origin}/jobs/job-1/approve`, {
        method: 'POST',
        headers: { ...JSON_TYPE, origin: page, 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' },
        body: '{}',
      }).then((r) => r.status);
    expect(await from('http://localhost:5173', 'same-site')).toBe(200);
    expect(await from('https://dashboard.example.com', 'cross-site')).toBe(200);
    expect(await from('http://localhost:5174', 'same-site')).toBe(403);
    expect(await from('https://evil.example', 'cross-site')).toBe(403);
    expect(calls).toEqual([
      ['approve', 'job-1'],
      ['approve', 'job-1'],
    ]);
  });
});

describe('createSyncHandler: auth protects the reads that show local values', () => {
  const token = (req: http.IncomingMessage) => req.headers.authorization === 'Bearer s3cret';

  it('with auth, /held, /conflicts and /events need it by default; /status and /metrics stay open', async () => {
    const { origin } = await serve({ auth: token });
    for (const path of ['/held', '/conflicts', '/events']) {
      const refused = await rawRequest(`${origin}${path}`);
      expect(refused.status, path).toBe(401);
      expect(errorCode(refused.body)).toBe('UNAUTHORIZED');
    }
    expect((await rawRequest(`${origin}/held`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await rawRequest(`${origin}/conflicts`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    const stream = await SseClient.open(`${origin}/events`, { authorization: 'Bearer s3cret' });
    expect(stream.status).toBe(200);
    stream.close();
    expect((await rawRequest(`${origin}/status`)).status).toBe(200);
    expect((await rawRequest(`${origin}/metrics`)).status).toBe(200);
  });

  it('protectReads: false keeps every read open; true protects every read', async () => {
    const open = await serve({ auth: token, protectReads: false });
    for (const path of [...READS, '/events?events=sync:applied']) {
      if (path.startsWith('/events')) {
        const stream = await SseClient.open(`${open.origin}${path}`);
        expect(stream.status).toBe(200);
        stream.close();
      } else {
        expect((await rawRequest(`${open.origin}${path}`)).status, path).toBe(200);
      }
    }
    const closed = await serve({ auth: token, protectReads: true });
    for (const path of [...READS, '/events']) expect((await rawRequest(`${closed.origin}${path}`)).status, path).toBe(401);
  });

  it('without auth, reads stay open (the Host check still applies)', async () => {
    const { origin } = await serve();
    for (const path of ['/held', '/conflicts']) expect((await rawRequest(`${origin}${path}`)).status, path).toBe(200);
  });
});

/**
 * Send `total` bytes in 64 KiB chunks over a keep-alive connection, as a
 * browser would (chunked transfer encoding, so the server cannot refuse by
 * the declared length), writing only as fast as the connection takes them.
 * Resolves with the answer once it arrived, with the bytes written by then;
 * `written` resolves with the bytes written in all once the connection is
 * closed or everything was sent.
 */
function streamBody(url: string, headers: Record<string, string>, total: number, method = 'POST') {
  type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; writtenAtAnswer: number; written: Promise<number> };
  return new Promise<Answer>((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let stop: (() => void) | undefined;
    const written = new Promise<number>((done) => {
      stop = () => {
        agent.destroy();
        done(sent);
      };
    });
    let stopped = false;
    const finish = (): void => {
      stopped = true;
      stop?.();
    };
    const request = http.request(url, { method, headers: { ...headers, 'transfer-encoding': 'chunked' }, agent });
    request.on('response', (response) => {
      const writtenAtAnswer = sent;
      const chunks: Buffer[] = [];
      response.on('data', (data: Buffer) => chunks.push(data));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          writtenAtAnswer,
          written,
        }),
      );
    });
    // Writing stops when the server closes the connection (EPIPE or ECONNRESET here) or when everything was sent.
    request.on('socket', (socket) => socket.once('close', finish));
    request.on('finish', finish);
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') finish();
      else reject(error);
    });
    const pump = (): void => {
      while (sent < total && !stopped) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      if (sent >= total) request.end();
    };
    pump();
  });
}

describe('createSyncHandler: bodies are capped and refusals come before the body is read', () => {
  const TOTAL = 32 * 1024 * 1024;

  it('answers a refused request at once and closes the connection instead of reading its body', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped, { auth: (req) => req.headers.authorization === 'Bearer s3cret' }));
    const port = new URL(origin).port;
    const cases: Array<[string, Record<string, string>, number]> = [
      ['auth', { ...JSON_TYPE }, 401],
      ['host', { ...JSON_TYPE, authorization: 'Bearer s3cret', host: `attacker.example:${port}` }, 403],
      ['origin', { ...JSON_TYPE, authorization: 'Bearer s3cret', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, 403],
      ['content type', { 'content-type': 'text/plain', authorization: 'Bearer s3cret' }, 415],
      ['size', { ...JSON_TYPE, authorization: 'Bearer s3cret' }, 413],
    ];
    for (const [why, headers, status] of cases) {
      const result = await streamBody(`${origin}/sources/pets/rollback`, headers, TOTAL);
      expect(result.status, why).toBe(status);
      expect(result.writtenAtAnswer, `${why}: answered while the client was still writing`).toBeLessThan(TOTAL);
      // Closing is what stops the body: a keep-alive connection would have to read (or stall on) the rest first.
      expect(result.headers.connection, why).toBe('close');
      expect(await result.written, `${why}: the server closed the connection before taking the body`).toBeLessThan(TOTAL);
    }
    expect(calls).toEqual([]);
  });

  it('caps the body of every route, those that ignore it included', async () => {
    const { engine, source } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped, { maxBodyBytes: 1024 }));
    const fetchesBefore = source.fetchCount;
    const big = JSON.stringify({ note: 'x'.repeat(2000) });
    for (const path of POSTS) {
      const declared = await rawRequest(`${origin}${path}`, { method: 'POST', headers: JSON_TYPE, body: big });
      expect(declared.status, path).toBe(413);
      expect(errorCode(declared.body)).toBe('REQUEST_TOO_LARGE');
      const streamed = await streamBody(`${origin}${path}`, JSON_TYPE, TOTAL);
      expect(streamed.status, path).toBe(413);
      expect(streamed.headers.connection, path).toBe('close');
      expect(await streamed.written, path).toBeLessThan(TOTAL);
    }
    for (const path of READS) {
      const streamed = await streamBody(`${origin}${path}`, {}, TOTAL, 'GET');
      expect(streamed.status, path).toBe(413);
      expect(await streamed.written, path).toBeLessThan(TOTAL);
    }
    expect(calls).toEqual([]);
    expect(source.fetchCount).toBe(fetchesBefore);
  });

  it('takes an empty body or {} on sync, approve and dismiss, and refuses a body that is not an object', async () => {
    const { calls, origin } = await serve();
    for (const path of ['/sources/pets/sync', '/jobs/job-1/approve', '/jobs/job-1/dismiss']) {
      expect((await rawRequest(`${origin}${path}`, { method: 'POST', headers: JSON_TYPE })).status, path).toBe(200);
      expect((await rawRequest(`${origin}${path}`, { method: 'POST', headers: JSON_TYPE, body: '{}' })).status, path).toBe(200);
      const array = await rawRequest(`${origin}${path}`, { method: 'POST', headers: JSON_TYPE, body: '[]' });
      expect(array.status, path).toBe(400);
      expect(errorCode(array.body)).toBe('REQUEST_INVALID');
    }
    expect(calls).toEqual([
      ['approve', 'job-1'],
      ['approve', 'job-1'],
      ['dismiss', 'job-1'],
      ['dismiss', 'job-1'],
    ]);
  });
});

describe('createSyncHandler: binding ids in route parameters', () => {
  it('answers BINDING_ID_INVALID with 400', async () => {
    expect(httpStatusForCode('BINDING_ID_INVALID')).toBe(400);
    const { engine } = await petsEngine();
    const seen: string[] = [];
    const strict: SyncHandlerEngine = {
      ...withRails(engine as SyncEngine).wrapped,
      syncNow: async (id) => {
        seen.push(id);
        throw new BindingError('BINDING_ID_INVALID', `Invalid binding id ${JSON.stringify(id)}.`, {
          hint: 'Use an id such as "petstore".',
        });
      },
    };
    const { origin } = await serveHandler(createSyncHandler(strict));
    // Percent-encoded slashes, so no URL parser folds the dots away; the segment decodes to one id.
    const response = await rawRequest(`${origin}/sources/%2E%2E%2Fetc%2Fpasswd/sync`, { method: 'POST', headers: JSON_TYPE });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe('BINDING_ID_INVALID');
    expect(seen).toEqual(['../etc/passwd']);
  });
});

describe('createSyncHandler: security options are validated', () => {
  it('throws CONFIG_INVALID for malformed allowedHosts, allowedOrigins and protectReads', async () => {
    const { engine } = await petsEngine();
    const bad: Array<Record<string, unknown>> = [
      { allowedHosts: 'localhost' },
      { allowedHosts: ['http://sync.internal'] },
      { allowedHosts: ['sync.internal/path'] },
      { allowedHosts: [''] },
      { allowedHosts: ['sync.internal:99999'] },
      { allowedHosts: [3] },
      { allowedOrigins: 'https://a.example' },
      { allowedOrigins: ['a.example'] },
      { allowedOrigins: ['https://a.example/app'] },
      { allowedOrigins: ['ftp://a.example'] },
      { allowedOrigins: ['*'] },
      { protectReads: 'yes' },
    ];
    for (const options of bad) {
      expect(() => createSyncHandler(engine, options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    expect(() =>
      createSyncHandler(engine, {
        allowedHosts: ['*', 'sync.internal', '[::1]:8080', 'my_service:80'],
        allowedOrigins: ['https://a.example:8443'],
        protectReads: 'sensitive',
      }),
    ).not.toThrow();
  });
});
