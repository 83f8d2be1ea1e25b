import { extname, resolve } from 'node:path';
import type { Document } from 'yaml';
import { ConfigError, TargetError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { defaultJsonLayout, detectJsonLayout, formatJson } from './openapi-json.js';
import { applyToDocument, createYamlDocument, detectYamlLayout, formatYaml, parseYamlDocument, stripBom } from './openapi-yaml.js';
import { LocalFile } from './local-file.js';
import { reconcileOpenApiDocument } from './openapi-removal.js';
import type { YamlErrorPosition } from '../document/index.js';
import type { SyncTarget, TargetContext, TargetWriteReport } from './types.js';

/** Options of {@link openApiFileTarget}. */
export interface OpenApiFileTargetOptions {
  /** The local OpenAPI file; `.yaml`/`.yml` is written as YAML, anything else as JSON. */
  path: string;
  /**
   * JSON indentation: a number of spaces (0 writes one line) or `'\t'`.
   * Default: the file's own (detected on every write), else 2. YAML files
   * always keep their own indentation.
   */
  indent?: number | '\t';
}

/**
 * The binding record where the target keeps what it last wrote:
 * `{ path, size }`. A file source reading that file (the CLI's `diff`, a
 * chained binding) takes `size` as its byte limit when it is above its own,
 * so a file api-live-sync wrote is a file it reads.
 */
export const WRITTEN_RECORD = 'openapi-file.written';

/** What {@link WRITTEN_RECORD} holds. */
export interface WrittenRecord {
  /** Absolute path of the file written. */
  path: string;
  /** Its size in bytes. */
  size: number;
}

async function recordWritten(context: TargetContext, path: string, size: number): Promise<void> {
  const record: WrittenRecord = { path, size };
  await context.records.set(WRITTEN_RECORD, record);
}

/** The Document last read or written, and the exact text it came from. */
interface YamlSnapshot {
  readonly text: string;
  readonly document: Document;
}

const OPENAPI_FILE_TARGET_KEYS = optionKeys<OpenApiFileTargetOptions>()(['path', 'indent']);

/**
 * A target whose local copy is an OpenAPI document in a JSON or YAML file.
 *
 * - YAML keeps its comments, anchors, quoting and the key order of every
 *   part the sync did not change: the merged document is applied onto the
 *   file's parsed `yaml` Document, node by node; new keys are appended.
 * - JSON keeps its indentation (spaces, tabs or one line), line endings and
 *   final newline; key order follows the merged document.
 * - Writes are atomic (temporary file, fsync, rename), skipped when the
 *   bytes would not change, and compare-and-swap ({@link LocalFile}): a save
 *   made while the sync ran is never overwritten; the engine merges again.
 * - A rollback restores the file byte for byte (`snapshot`/`restore`).
 * - A local file that does not parse is reported as `TARGET_INVALID` and
 *   never overwritten: the sync fails and the user's file stays as it is.
 * - Operations removed upstream follow the binding's removal policy, each
 *   method on its own (`reconcile`, {@link reconcileOpenApiDocument}):
 *   `deprecate` keeps them with `deprecated: true` and an
 *   `x-api-live-sync-removed` note, `remove` drops the untouched ones,
 *   `keep` keeps them as they are.
 *
 * @example
 * ```ts
 * await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path: 'openapi.yaml' }) });
 * ```
 */
export function openApiFileTarget(options: OpenApiFileTargetOptions): SyncTarget<Record<string, unknown>> {
  checkOptions('openApiFileTarget options', options, OPENAPI_FILE_TARGET_KEYS);
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options?.path)}.`, {
      hint: 'Pass the file the local OpenAPI copy lives in.',
    });
  }
  const indent = options.indent;
  if (indent !== undefined && indent !== '\t' && !(Number.isInteger(indent) && indent >= 0 && indent <= 10)) {
    throw new ConfigError(`Expected \`indent\` to be an integer from 0 to 10 or "\\t", got ${JSON.stringify(indent)}.`, {
      hint: 'Leave `indent` out to keep the indentation the file already has.',
    });
  }
  const path = resolve(options.path);
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  const format = yaml ? 'YAML' : 'JSON';
  /** Kept between read() and write() so that write() edits the Document the user's text produced. */
  let snapshot: YamlSnapshot | undefined;
  /** Written compare-and-swap against what the same sync (its context) read. */
  const file = new LocalFile(path);
  const seen = new WeakMap<TargetContext, Buffer | null>();
  let lastRead: Buffer | null | undefined;
  /** What the write in this context must find: what its read saw, else what the last read saw, else the file now. */
  const expectedFor = async (context: TargetContext): Promise<Buffer | null> =>
    seen.has(context) ? (seen.get(context) as Buffer | null) : lastRead !== undefined ? lastRead : ((await file.read()) ?? null);

  /** `at`: where a YAML syntax error is; the message then ends with the line and a caret under the column. */
  const invalid = (detail: string, expected = `valid ${format}`, at?: YamlErrorPosition) =>
    new TargetError(
      'TARGET_INVALID',
      `The local file ${path} is not ${expected}: ${at === undefined ? `${detail}.` : `${detail} (line ${at.line}, column ${at.column}):\n${at.excerpt}`}`,
      {
        hint: 'Fix the local copy (or move it away to start afresh); the engine will not overwrite a file it cannot read.',
        details: { path, format, ...(at === undefined ? {} : { line: at.line, column: at.column }) },
      },
    );

  /** Parse the file's text into its plain value (and, for YAML, its Document); throws `TARGET_INVALID`. */
  function parse(text: string): { value: Record<string, unknown>; document?: Document } {
    let value: unknown;
    let document: Document | undefined;
    if (yaml) {
      const parsed = parseYamlDocument(text);
      if (!parsed.ok) throw invalid(parsed.message, undefined, parsed.at);
      value = parsed.value;
      document = parsed.document;
    } else {
      try {
        value = JSON.parse(stripBom(text));
      } catch (error) {
        throw invalid((error as Error).message);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const got = value === null ? 'null (an empty file?)' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      throw invalid(`it holds ${got}`, 'an OpenAPI document object (a mapping with `openapi`, `info`, `paths`)');
    }
    return document === undefined ? { value: value as Record<string, unknown> } : { value: value as Record<string, unknown>, document };
  }

  /** The text to write for `local`, given the file's current text. */
  function render(local: Record<string, unknown>, current: string | undefined): string {
    if (!yaml) {
      if (current !== undefined) parse(current);
      const layout = current === undefined ? defaultJsonLayout : detectJsonLayout(current);
      return formatJson(local, indent === undefined ? layout : { ...layout, indent });
    }
    let document: Document;
    if (current === undefined) document = createYamlDocument(local);
    else {
      document = snapshot?.text === current ? snapshot.document : parse(current).document!;
      // The Document is edited now: it no longer matches any text until the write succeeds.
      snapshot = undefined;
      applyToDocument(document, local);
    }
    return formatYaml(document, detectYamlLayout(current));
  }

  /** The text behind some bytes: UTF-8 (as `readFile(path, 'utf8')` decodes it). */
  const textOf = (bytes: Uint8Array | null | undefined): string | undefined =>
    bytes === null || bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

  return {
    kind: 'openapi-file',
    location: path,
    render: (document) => document as Record<string, unknown>,
    reconcile: (merged, info) => reconcileOpenApiDocument(merged, info),
    async read(context: TargetContext): Promise<Record<string, unknown> | undefined> {
      snapshot = undefined;
      const bytes = await file.read();
      lastRead = bytes ?? null;
      seen.set(context, lastRead);
      const text = textOf(bytes);
      if (text === undefined) return undefined;
      const { value, document } = parse(text);
      if (document !== undefined) snapshot = { text, document };
      return value;
    },
    async write(local: Record<string, unknown>, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      if (local === null || typeof local !== 'object' || Array.isArray(local)) {
        throw new TargetError(
          'TARGET_INVALID',
          `Expected an OpenAPI document object to write to ${path}, got ${Array.isArray(local) ? 'a list' : local === null ? 'null' : `a ${typeof local}`}.`,
          {
            hint: 'A target writes the merged document; check what the resolver or a custom reconcile step returned.',
            details: { path },
          },
        );
      }
      // The layout (and for YAML the Document) of the copy the merge read; the write below checks the file still holds it.
      const expected = await expectedFor(context);
      const current = textOf(expected);
      const text = render(local, current);
      context.signal.throwIfAborted();
      if (text === current) return {};
      lastRead = undefined;
      const report = await file.write(text, expected, context.fence);
      await recordWritten(context, path, Buffer.byteLength(text));
      return report;
    },
    async claim(context: TargetContext): Promise<void> {
      if (context.fence !== undefined) await file.claim(context.fence);
    },
    snapshot: (context) => seen.get(context) ?? undefined,
    async restore(bytes: Uint8Array, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      snapshot = undefined;
      const expected = await expectedFor(context);
      lastRead = undefined;
      const report = await file.write(bytes, expected, context.fence);
      await recordWritten(context, path, bytes.byteLength);
      return report;
    },
  };
}
