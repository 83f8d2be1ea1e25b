/**
 * Fencing for files: a target that writes a file in a deployment of several
 * workers (see docs/scale-out.md) records, beside the file, the epoch (the
 * lease's fencing token) of the last write, and refuses a write from an
 * older epoch. The store is fenced by Redis itself; a file needs this.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError, TargetError } from '../errors.js';
import { TEMP_SUFFIX, writeFileAtomic } from '../store/index.js';

/** How a write is fenced: see {@link fencedFileWrite}. */
export interface FileFence {
  /** The fencing token of the write: the epoch of the lease the sync holds. A whole number from 1 up. */
  readonly token: number;
  /**
   * Called inside the file's lock once the recorded epoch let the write
   * through, before anything is written; throw to refuse the write (nothing
   * is written then). Pass a check that the lease is still held, such as
   * `() => confirmLease(redis, lease, { marginMs })` from `api-live-sync/redis`.
   */
  readonly confirm?: () => Promise<void>;
  /** How long to wait for another writer's lock, in milliseconds. Default 10000. */
  readonly lockTimeoutMs?: number;
  /**
   * A lock taken on another host (a shared network file system) whose
   * holder cannot be checked is broken after this many milliseconds.
   * Default 60000. A lock of a process on this host is broken only when
   * that process is gone.
   */
  readonly staleLockMs?: number;
}

/** What a lock file holds. */
interface LockHolder {
  pid: number;
  host: string;
  nonce: string;
  token: number;
  since: number;
}

const EPOCH_SUFFIX = '.als-epoch';
/** The suffix of the lock file beside a fenced file: `.<name>.als-lock`. */
export const LOCK_SUFFIX = '.als-lock';

/** The file beside `path` that records the epoch of its last fenced write: `.<name>.als-epoch`. */
export function fileEpochPath(path: string): string {
  return join(dirname(path), `.${basename(path)}${EPOCH_SUFFIX}`);
}

/** The lock file beside `path` that serialises fenced writes: `.<name>.als-lock`. */
function lockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}${LOCK_SUFFIX}`);
}

/** The epoch of the last fenced write of `path`, or `undefined` when none was recorded. */
export async function readFileEpoch(path: string): Promise<number | undefined> {
  const record = fileEpochPath(path);
  let text: string;
  try {
    text = await readFile(record, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TargetError('TARGET_READ_FAILED', `Could not read the epoch record ${record}: ${(error as Error).message}`, {
      cause: error,
      details: { path, record },
    });
  }
  if (!/^\d{1,15}\n?$/.test(text)) {
    throw new TargetError('TARGET_INVALID', `The epoch record ${record} holds ${JSON.stringify(text.slice(0, 40))}, not an epoch.`, {
      hint: 'Something other than the engine wrote it. Delete it only when no worker of an older epoch can still write the file (stop them first).',
      details: { path, record },
    });
  }
  return Number(text.trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Take the lock beside `path` (create-if-absent with `link`, so a lock file always holds its holder); returns its release. */
async function takeLock(path: string, token: number, timeoutMs: number, staleLockMs: number): Promise<() => Promise<void>> {
  const lock = lockPath(path);
  const me: LockHolder = { pid: process.pid, host: hostname(), nonce: randomUUID(), token, since: Date.now() };
  const temp = `${lock}.${me.nonce}${TEMP_SUFFIX}`;
  const deadline = Date.now() + timeoutMs;
  let holder: LockHolder | undefined;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    await writeFile(temp, JSON.stringify(me), { flag: 'w' });
    try {
      await link(temp, lock);
      await unlink(temp).catch(() => undefined);
      return async () => {
        if ((await readHolder(lock))?.nonce === me.nonce) await unlink(lock).catch(() => undefined);
      };
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    holder = await readHolder(lock);
    const gone = holder === undefined ? false : holder.host === me.host ? !alive(holder.pid) : Date.now() - holder.since > staleLockMs;
    if (holder && gone) {
      // Move the dead holder's lock aside, and put it back if it was not the one judged (another waiter broke it first and locked).
      const aside = `${lock}.${me.nonce}.broken`;
      const moved = await rename(lock, aside).then(
        () => true,
        () => false,
      );
      if (moved) {
        if ((await readHolder(aside))?.nonce !== holder.nonce) await link(aside, lock).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new TargetError(
        'TARGET_WRITE_FAILED',
        `Could not lock ${path} within ${timeoutMs} ms: ${holder ? `process ${holder.pid} on ${holder.host} (epoch ${holder.token}) holds it since ${new Date(holder.since).toISOString()}` : `${lock} exists`}.`,
        {
          retryable: true,
          hint: 'Another worker is writing this file (or is paused while writing it); the next attempt tries again. A lock of a process that is gone is removed by the next writer.',
          details: { path, lock, ...(holder ? { holderPid: holder.pid, holderHost: holder.host, holderToken: holder.token } : {}) },
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Run `write` (your target's own write of the file at `path`) fenced by
 * `fence.token`:
 *
 * 1. take a lock beside the file (`.<name>.als-lock`), so that fenced writes
 *    of the file, from any process on this host, run one at a time;
 * 2. refuse with `STALE_LEASE` (a `TargetError`, not retryable) when the
 *    epoch recorded beside the file (`.<name>.als-epoch`) is greater than the
 *    token;
 * 3. run `fence.confirm` (throw there to refuse);
 * 4. record the token as the file's epoch (atomically, before the write, so
 *    a crash during the write still fences older epochs out);
 * 5. run `write`, and release the lock.
 *
 * So a write from an older epoch never lands after a write from a newer
 * one. Called with a `write` that does nothing, it claims the file for the
 * token: a sync that takes a lease can claim its files first, so that a
 * stale worker cannot write them even when the new holder writes nothing.
 *
 * @example
 * ```ts
 * await fencedFileWrite(file.path, { token: lease.token, confirm: () => confirmLease(redis, lease) }, () => file.write(bytes, before));
 * ```
 */
export async function fencedFileWrite<T>(path: string, fence: FileFence, write: () => Promise<T>): Promise<T> {
  if (typeof path !== 'string' || path === '')
    throw new ConfigError(`Expected \`path\` to be a file path, got ${JSON.stringify(path)}.`, {
      hint: 'Pass the path of the file the target writes.',
    });
  const token = fence?.token;
  if (!Number.isSafeInteger(token) || token < 1) {
    throw new ConfigError(`Expected \`token\` to be a whole number from 1 up, got ${JSON.stringify(token) ?? String(token)}.`, {
      hint: "Pass the lease's token (the epoch acquireLease returned).",
    });
  }
  for (const [name, value] of [
    ['lockTimeoutMs', fence.lockTimeoutMs],
    ['staleLockMs', fence.staleLockMs],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new ConfigError(`Expected \`${name}\` to be a whole number of milliseconds from 0 up, got ${JSON.stringify(value)}.`, {
        hint: 'Leave it out for the default.',
      });
    }
  }
  await mkdir(dirname(path), { recursive: true });
  const release = await takeLock(path, token, fence.lockTimeoutMs ?? 10_000, fence.staleLockMs ?? 60_000);
  try {
    const recorded = await readFileEpoch(path);
    if (recorded !== undefined && recorded > token) {
      throw new TargetError(
        'STALE_LEASE',
        `Refused to write ${path} with fencing token ${token}: a sync with the newer epoch ${recorded} has written or claimed it.`,
        {
          retryable: false,
          hint: 'This worker lost the lease of the binding (it expired while the sync ran or the process was paused); the newer holder owns the file. Nothing was written.',
          details: { path, token, epoch: recorded },
        },
      );
    }
    await fence.confirm?.();
    if (recorded !== token) await writeFileAtomic(fileEpochPath(path), `${token}\n`);
    return await write();
  } finally {
    await release();
  }
}
