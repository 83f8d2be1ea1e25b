import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The suffix of temporary files written by {@link writeFileAtomic}; readers ignore such files. */
export const TEMP_SUFFIX = '.als-tmp';

/** A fresh temporary name beside `path`: `.<name>.<12 hex>.als-tmp`. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Write `data` to a new temporary file beside `path` and fsync it; returns
 * the temporary file's path. `mode` sets its permissions (default 0o644). On
 * failure nothing is left behind.
 */
export async function writeTempFile(path: string, data: string | Uint8Array, mode = 0o644): Promise<string> {
  const temp = tempNameFor(path);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

/**
 * Write a file atomically: write a temporary file beside it, fsync it,
 * rename it over the destination, then fsync the directory. After a crash
 * the destination holds the old content or the new one, never a mix; at
 * worst a temporary file is left behind (named `.<name>.<random>.als-tmp`).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTempFile(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** fsync a directory, so a rename or link in it survives a power loss. Ignored where the file system refuses. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
