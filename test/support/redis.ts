/**
 * A real redis-server for the tests (Debian's package, installed by
 * scripts/test-setup.sh): started on a free loopback port with no
 * persistence (`--save ''`, `--appendonly no`) in a fresh temporary folder,
 * awaited until it answers PING, and stopped at the end.
 *
 * A server never outlives its test process, however that process ends: a
 * tiny watchdog child (`sh`, reading a pipe from this process) kills the
 * server with SIGKILL when the pipe closes, which the kernel does when the
 * test process exits or is killed, even with SIGKILL. A normal `stop()`
 * stops the server with SIGTERM and then dismisses the watchdog.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A running redis-server. */
export interface RedisServer {
  /** 127.0.0.1 */
  host: string;
  port: number;
  /** `redis://127.0.0.1:<port>` (with `:<password>@` when started with one). */
  url: string;
  /** The server's process id. */
  pid: number;
  /** Stop the server (SIGTERM, then SIGKILL after 5 s) and remove its folder. Safe to call twice. */
  stop(): Promise<void>;
  /** Freeze the server (SIGSTOP): it accepts nothing until {@link RedisServer.resume}. */
  pause(): void;
  /** Let a paused server run again (SIGCONT). */
  resume(): void;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Require this password (`--requirepass`). */
  password?: string;
  /** Run as a one-node Redis Cluster holding every slot (so cross-slot commands fail as in a real cluster). */
  cluster?: boolean;
}

const REDIS_SERVER = 'redis-server';

/** A port nothing listens on right now (the kernel's choice); another process may take it before us, hence the retries below. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Send one command in the inline protocol; returns its reply: the line of a
 * simple reply (`+PONG`, `-ERR …`), the body of a bulk reply, or `undefined`
 * when nothing answers.
 */
async function ask(port: number, command: string, password?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('connect', () => socket.write(`${password === undefined ? '' : `AUTH ${password}\r\n`}${command}\r\n`));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      // Skip AUTH's reply line.
      const reply = password === undefined ? text : text.slice(text.indexOf('\r\n') + 2);
      const end = reply.indexOf('\r\n');
      if ((password !== undefined && !text.includes('\r\n')) || end < 0) return;
      if (!reply.startsWith('$')) return done(reply.slice(0, end));
      const length = Number(reply.slice(1, end));
      if (length < 0) return done('');
      if (Buffer.byteLength(reply) >= end + 2 + length + 2)
        done(
          Buffer.from(reply)
            .subarray(end + 2, end + 2 + length)
            .toString('utf8'),
        );
    });
  });
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Belt and braces beside the watchdog: a normal process exit kills every server still running. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** Start a watchdog that SIGKILLs `pid` when our end of its stdin pipe closes (this process exited or died). */
function watchdog(pid: number): ChildProcess {
  const dog = spawn('sh', ['-c', `cat >/dev/null; kill -KILL ${pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] });
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return dog;
}

async function startOnce(port: number, options: RedisServerOptions): Promise<RedisServer | undefined> {
  // The cluster bus needs a port too (by default port + 10000, which may pass 65535).
  const busPort = options.cluster ? await freePort() : 0;
  const dir = await mkdtemp(join(tmpdir(), 'als-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.cluster)
    args.push(
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-announce-ip',
      '127.0.0.1',
      '--cluster-port',
      String(busPort),
    );
  let child: ChildProcess;
  try {
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `Could not start ${REDIS_SERVER} (${spawned.message}). Run scripts/test-setup.sh (npm test runs it first): it installs Debian's redis-server package.`,
    );
  }
  children.add(child);
  installExitHook();
  const dog = watchdog(child.pid!);
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    children.delete(child);
    dog.kill('SIGKILL');
  });

  const deadline = Date.now() + 15_000;
  while (!gone && (await ask(port, 'PING', options.password)) !== '+PONG') {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not answer on port ${port} within 15 s. Its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (gone) {
    await rm(dir, { recursive: true, force: true });
    if (/Address already in use|Could not create server TCP listening socket/i.test(log)) return undefined;
    throw new Error(`redis-server exited before answering. Its log:\n${log}`);
  }

  if (options.cluster) {
    await ask(port, 'CLUSTER ADDSLOTSRANGE 0 16383', options.password);
    while (!(await ask(port, 'CLUSTER INFO', options.password))?.startsWith('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not reach cluster_state:ok within 15 s.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  let stopped: Promise<void> | undefined;
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    host: '127.0.0.1',
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    pid: child.pid!,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: () =>
      (stopped ??= (async () => {
        if (!gone) {
          child.kill('SIGCONT');
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** Start a redis-server on a free loopback port; see the module comment. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await startOnce(await freePort(), options);
    if (server) return server;
  }
  throw new Error('redis-server could not bind a free loopback port in 5 attempts.');
}

/**
 * One redis-server for the test file: started before its first test,
 * stopped after its last. Read `.current` inside tests and hooks.
 */
export function useRedisServer(options: RedisServerOptions = {}): { readonly current: RedisServer } {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get current(): RedisServer {
      if (!server) throw new Error('useRedisServer: the server starts in beforeAll; read .current inside a test or hook.');
      return server;
    },
  };
}
