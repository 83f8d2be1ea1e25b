import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError, TargetError } from '../errors.js';
import { writeFileAtomic } from '../store/index.js';
import type { SyncTarget, TargetContext } from './types.js';

/** Options of {@link openApiFileTarget}. */
export interface OpenApiFileTargetOptions {
  /** The local OpenAPI file; `.yaml`/`.yml` is written as YAML, anything else as JSON. */
  path: string;
  /** JSON indentation. Default: the file's own (detected on read), else 2. */
  indent?: number;
}

/**
 * A target whose local copy is an OpenAPI document in a JSON or YAML file.
 * Writes are atomic (temporary file, fsync, rename). A local file that does
 * not parse is reported as `TARGET_INVALID` and never overwritten: the sync
 * fails and the user's file stays as it is.
 */
export function openApiFileTarget(options: OpenApiFileTargetOptions): SyncTarget<Record<string, unknown>> {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options?.path)}.`, { hint: 'Pass the file the local OpenAPI copy lives in.' });
  }
  const path = resolve(options.path);
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  let indent = options.indent;
  return {
    kind: 'openapi-file',
    location: path,
    render: (document) => document as Record<string, unknown>,
    async read(): Promise<Record<string, unknown> | undefined> {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new TargetError('TARGET_READ_FAILED', `Could not read ${path}: ${(error as Error).message}`, { cause: error, hint: 'Check the file permissions.' });
      }
      if (indent === undefined && !yaml) indent = /^\{\r?\n(\s+)/.exec(text)?.[1]?.length;
      let value: unknown;
      try {
        value = yaml ? parseYaml(text) : JSON.parse(text);
      } catch (error) {
        throw new TargetError('TARGET_INVALID', `The local file ${path} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`, {
          cause: error,
          hint: 'Fix the syntax error in your local copy; the engine will not overwrite a file it cannot read.',
        });
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TargetError('TARGET_INVALID', `The local file ${path} does not hold a JSON object.`, { hint: 'The local copy must be an OpenAPI document object.' });
      }
      return value as Record<string, unknown>;
    },
    async write(local: Record<string, unknown>, context: TargetContext): Promise<void> {
      context.signal.throwIfAborted();
      const text = yaml ? stringifyYaml(local) : `${JSON.stringify(local, null, indent ?? 2)}\n`;
      try {
        await writeFileAtomic(path, text);
      } catch (error) {
        throw new TargetError('TARGET_WRITE_FAILED', `Could not write ${path}: ${(error as Error).message}`, {
          cause: error,
          retryable: true,
          hint: 'Check free disk space and that the directory exists and is writable.',
        });
      }
    },
  };
}
