import { ConfigError, SourceError, SpecError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { canonicalHash } from '../json/index.js';
import { inspectTree } from './inspect.js';
import { NOT_JSON_OBJECT, tryJsonObjectBytes } from '../json/index.js';
import { decodeBytes, type ParseOptions, parseText } from './parse.js';
import { DEFAULT_MAX_BYTES } from './read-limited.js';
import type { LoadedSpec, LoadOptions } from './types.js';
import { upgradeSwagger2 } from './upgrade.js';
import { validateDocument } from './validate.js';

/** Default of {@link LoadOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 256;
/** Default of {@link LoadOptions.maxAliasCount}: the `yaml` package's own. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

/** The keys of {@link LoadOptions}, for checking an options object that carries them. */
export const LOAD_OPTION_KEYS = optionKeys<LoadOptions>()([
  'maxBytes',
  'maxDepth',
  'maxAliasCount',
  'allowRemoteRefs',
  'allowEmptyPaths',
  'location',
  'contentType',
]);

/**
 * Turn bytes (JSON or YAML) or an already-parsed value into a validated
 * OpenAPI 3.x document with its canonical hash.
 *
 * - JSON and YAML 1.2 are both read; YAML alias expansion is capped
 *   (`maxAliasCount`), nesting is capped (`maxDepth`) before the parser can
 *   exhaust the stack or the heap, and input size is capped (`maxBytes`).
 * - Swagger 2.0 is upgraded to OpenAPI 3.0 (`sourceVersion` stays `'2.0'`);
 *   OpenAPI 3.0 and 3.1 are kept as they are, internal `$ref`s as written.
 * - `$ref`s to other documents are refused unless `allowRemoteRefs`.
 *
 * Throws a `SpecError` (codes `SPEC_*`, or `SOURCE_TOO_LARGE`) whose message
 * names what was received when the input is not a usable OpenAPI document.
 *
 * @example
 * ```ts
 * const { document, hash, warnings } = await loadSpec(await readFile('openapi.yaml'));
 * ```
 */
export async function loadSpec(input: string | Uint8Array | object, options: LoadOptions = {}): Promise<LoadedSpec> {
  const loaded = await loadSharing(input, checkOptions<LoadOptions>('loadSpec options', options, LOAD_OPTION_KEYS), undefined);
  return { ...loaded, hash: canonicalHash(loaded.document) };
}

/**
 * {@link loadSpec} without the hash, sharing with `previous` (a document the
 * engine loaded and froze before) every part equal to the part at the same
 * place in it, instead of copying it; see `InspectOptions.share`. Internal:
 * the engine passes the base, so a new version of a document costs the
 * memory of what changed, and walks over both skip the rest; it hashes the
 * document once it has frozen it, so that the hash of the next version
 * serialises only what changed.
 */
export async function loadSharing(
  input: string | Uint8Array | object,
  options: LoadOptions,
  previous: unknown,
): Promise<Omit<LoadedSpec, 'hash'>> {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  const maxBytes = positive(options.maxBytes, 'maxBytes', DEFAULT_MAX_BYTES);
  const maxDepth = positive(options.maxDepth, 'maxDepth', DEFAULT_MAX_DEPTH);
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  if (!Number.isInteger(maxAliasCount) || maxAliasCount < -1) {
    throw new ConfigError(`Expected \`maxAliasCount\` to be an integer from -1 up, got ${String(maxAliasCount)}.`, {
      hint: 'Use -1 to disable the check, 0 to refuse every alias.',
    });
  }
  const where = options.location === undefined ? '' : ` from ${options.location}`;
  const allowRemoteRefs = options.allowRemoteRefs ?? false;

  let value: unknown;
  let format: LoadedSpec['format'];
  let clone: boolean;
  const warnings: string[] = [];
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > maxBytes) {
      throw new SourceError('SOURCE_TOO_LARGE', `The document${where} is ${size} bytes, over the limit of ${maxBytes}.`, {
        retryable: false,
        hint: 'Raise `maxBytes` if the document really is that large.',
        details: { size, maxBytes },
      });
    }
    ({ value, format, clone } = parseBytes(input, { maxDepth, maxAliasCount, contentType: options.contentType, where }, warnings));
  } else {
    if (input === null || input === undefined) {
      throw new SpecError('SPEC_EMPTY', `Expected an OpenAPI document${where}, got ${String(input)}.`, {
        hint: 'Return the parsed OpenAPI document from the source.',
      });
    }
    value = input;
    format = 'object';
    // A private copy: later changes to the caller's object must not change the loaded document or its hash.
    clone = true;
  }

  // A Swagger 2.0 document is shared only after the upgrade: the converter changes what it is given.
  const swagger = value !== null && typeof value === 'object' && (value as { swagger?: unknown }).swagger !== undefined;
  value = inspectTree(value, { maxDepth, allowRemoteRefs, clone, where, share: swagger ? undefined : previous });
  const checked = validateDocument(value, where, options.allowEmptyPaths ?? false);
  warnings.push(...checked.warnings);
  let document = value as Record<string, unknown>;
  if (checked.version === '2.0') {
    const upgraded = await upgradeSwagger2(document, where);
    warnings.push(...upgraded.warnings);
    // The converter may share nodes between places; make it a tree again and check it like any input.
    const tree = inspectTree(upgraded.document, { maxDepth, allowRemoteRefs, clone: true, where, share: previous });
    const again = validateDocument(tree, where, options.allowEmptyPaths ?? false);
    warnings.push(...again.warnings.filter((warning) => !warnings.includes(warning)));
    document = tree as Record<string, unknown>;
  }
  return { document, sourceVersion: checked.version, format, warnings };
}

/**
 * Parse text or bytes (JSON or YAML) into a value, refusing what is not a
 * document (`SPEC_EMPTY`, `SPEC_HTML`, `SPEC_PARSE`, the YAML limits).
 * `clone` says the value needs a plain-JSON copy (see `ParsedText.needsCopy`).
 * Internal: the loader and the bundler read every file through it.
 */
export function parseBytes(
  input: string | Uint8Array,
  options: ParseOptions,
  warnings: string[],
): { value: unknown; format: 'json' | 'yaml'; clone: boolean } {
  // The common case first: UTF-8 bytes of a JSON object, parsed as a one-byte string (see json-bytes.ts).
  const fast = typeof input === 'string' ? NOT_JSON_OBJECT : tryJsonObjectBytes(input);
  if (fast !== NOT_JSON_OBJECT) return { value: fast, format: 'json', clone: false };
  return parseInput(input, options, warnings);
}

/** Text input, or bytes that are not plainly a JSON object: decode, refuse what is not a document, parse JSON or YAML. */
function parseInput(
  input: string | Uint8Array,
  options: ParseOptions,
  warnings: string[],
): { value: unknown; format: 'json' | 'yaml'; clone: boolean } {
  const { where } = options;
  const whole = (typeof input === 'string' ? input : decodeBytes(input, where)).replace(/^\uFEFF/, '');
  const text = whole.trim();
  if (text === '') {
    throw new SpecError('SPEC_EMPTY', `Expected an OpenAPI document${where}, got an empty body.`, {
      hint: 'Check that the server or file actually serves the OpenAPI document (an empty 200 often means a misrouted request).',
    });
  }
  if (text.startsWith('<')) {
    const html = /^<(!doctype\s+html|html|head|body|!--)/i.test(text);
    throw new SpecError(
      'SPEC_HTML',
      `Expected an OpenAPI document${where}, got ${html ? 'an HTML page' : 'markup'} starting ${JSON.stringify(text.slice(0, 80))}.`,
      {
        hint: 'The location probably points at the docs UI, a login page or an error page; point it at the JSON or YAML document (for example /openapi.json).',
      },
    );
  }
  const parsed = parseText(whole, options);
  warnings.push(...parsed.warnings);
  return { value: parsed.value, format: parsed.format, clone: parsed.needsCopy };
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ConfigError(`Expected \`${name}\` to be a number above 0, got ${String(value)} (${typeof value}).`, {
      hint: `Leave \`${name}\` out to use the default of ${fallback}.`,
    });
  }
  return value;
}
