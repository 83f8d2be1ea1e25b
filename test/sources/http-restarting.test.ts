/**
 * Issue 12, item 8, at the source: a refused or reset connection to a
 * loopback address is marked `restarting` (a local dev server between stop
 * and start), with real sockets; the same failure from another host is not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { httpSource, isSyncError, type HttpSource, type SyncError } from '../../src/index.js';
import { isLoopbackHost } from '../../src/sources/http-errors.js';
import { closedPort, serve } from './http-server.js';

async function failure(source: HttpSource): Promise<SyncError> {
  try {
    await source.fetch({ validators: {}, signal: new AbortController().signal });
  } catch (error) {
    if (isSyncError(error)) return error;
    throw error;
  }
  throw new Error('Expected the fetch to fail.');
}

/** A port with nothing listening on `host`. */
async function freePortOn(host: string): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['::1', true],
    ['[::ffff:127.0.0.1]', true],
    ['0.0.0.0', true],
    ['[::]', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['192.168.1.10', false],
    ['example.com', false],
    ['localhost.example.com', false],
    ['[::2]', false],
    ['127.0.0.1.nip.io', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('httpSource: a dev server restarting', () => {
  it('marks a refused connection to 127.0.0.1 as restarting (retryable, in toJSON too)', async () => {
    const port = await closedPort();
    const error = await failure(httpSource({ url: `http://127.0.0.1:${port}/openapi.json` }));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(error.retryable).toBe(true);
    expect(error.restarting).toBe(true);
    expect(error.toJSON()).toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED', restarting: true });
  });

  it('marks a refused connection to localhost and to [::1] as restarting', async () => {
    const v4 = await closedPort();
    expect((await failure(httpSource({ url: `http://localhost:${v4}/openapi.json` }))).restarting).toBe(true);
    const v6 = await freePortOn('::1');
    const error = await failure(httpSource({ url: `http://[::1]:${v6}/openapi.json` }));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(error.restarting).toBe(true);
  });

  it('marks a connection reset mid-body by a server on 127.0.0.1 as restarting', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"openapi":', () => res.socket?.destroy());
    });
    const error = await failure(httpSource({ url: `${origin}/openapi.json` }));
    expect(error.code).toBe('SOURCE_CONNECTION_RESET');
    expect(error.restarting).toBe(true);
  });

  it('does not mark other failures of a loopback server (an HTTP 500)', async () => {
    const { origin } = await serve((_req, res) => res.writeHead(500).end('boom'));
    const error = await failure(httpSource({ url: `${origin}/openapi.json` }));
    expect(error.code).toBe('SOURCE_HTTP_STATUS');
    expect(error.restarting).toBe(false);
    expect(error.toJSON()).not.toHaveProperty('restarting');
  });

  it.skipIf(external === undefined)('does not mark a refused connection to a non-loopback address of this machine', async () => {
    const port = await freePortOn(external!);
    const error = await failure(httpSource({ url: `http://${external}:${port}/openapi.json` }));
    expect(error.code).toBe('SOURCE_CONNECTION_REFUSED');
    expect(error.retryable).toBe(true);
    expect(error.restarting).toBe(false);
  });
});
