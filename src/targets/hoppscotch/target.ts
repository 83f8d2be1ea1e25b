/**
 * `hoppscotchTarget`: a sync target whose local copy is a Hoppscotch
 * collection file: the Hoppscotch format (render, parse, nest, write) made a
 * target by `clientTarget` of ../collection/, which does the rest for every
 * client. See docs/hoppscotch.md and docs/collections.md.
 *
 * @module
 */
import { resolve } from 'node:path';
import { ConfigError, TargetError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../options.js';
import { isJsonRoundTrip, parseJsonBytes } from '../../json/index.js';
import { LocalFile } from '../local-file.js';
import type { SyncTarget } from '../types.js';
import { type OperationFilter, checkFilter, clientTarget } from '../collection/index.js';
import { operationHints } from './match.js';
import { type NormalisedCollection, denormaliseCollection, hoppscotchTargetIdentityRules, normaliseCollection } from './normalise.js';
import { parseCollection } from './parse.js';
import { type RequestCache, renderWithCache } from './render.js';
import type { HoppCollection } from './schema.js';

/** The store record (per binding) holding the identity map of the last write. */
export const HOPP_IDENTITY_RECORD = 'hoppscotch-identities';

export {
  DEPRECATED_NOTE as HOPP_DEPRECATED_NOTE,
  DEPRECATED_PREFIX as HOPP_DEPRECATED_PREFIX,
  prepareCollectionMerge,
  reconcileCollection,
} from '../collection/index.js';

const HOPPSCOTCH_TARGET_KEYS = optionKeys<HoppscotchTargetOptions>()(['path', 'version', 'baseUrlVariable', 'indent', 'filter']);

/** Options of {@link hoppscotchTarget}. */
export interface HoppscotchTargetOptions {
  /** The collection file (JSON), e.g. `petstore.hoppscotch.json`. */
  path: string;
  /** Collection version to render: 12 (default) or 11 for Hoppscotch releases without collection scripts. */
  version?: 12 | 11;
  /** The collection variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** JSON indentation of the file. Default 2. */
  indent?: number;
  /**
   * Which operations the collection holds: include and exclude by tag, path
   * glob, operationId and `deprecated`. Applied before the merge, so an
   * operation filtered out is neither added nor removed (see
   * docs/collections.md, "Filters"). All by default.
   */
  filter?: OperationFilter;
}

/**
 * A target whose local copy is a Hoppscotch collection file (collection
 * v12, requests `"17"`; v11 with `version: 11`). Every sync keeps the user's
 * customisations: the engine merges the rendered base, the file and the
 * rendered remote in a keyed form ({@link NormalisedCollection}) where each
 * request is found by its operation identity, whichever folder it was moved
 * to and whatever it was renamed to.
 *
 * - `read`: a missing file is no local copy yet; a file that is not JSON or
 *   not a valid collection is a `TargetError` `TARGET_INVALID`, and the
 *   sync stops without touching it. Requests whose `id` was lost (a
 *   collection exported again from the Hoppscotch app) are matched with the
 *   identity map stored after the last write and what was just rendered, by
 *   every signal there is (see `matchRequests`); a tie is reported.
 * - `prepareMerge`: a request kept marked whose operation is back upstream
 *   merges against what the engine kept of it; ties of the read become
 *   `ambiguous-identity` conflicts (see docs/hoppscotch.md).
 * - `reconcile`: applies the removal policy to operations removed upstream
 *   (`remove`: untouched ones go, edited ones stay marked; `deprecate`: all
 *   stay, marked `[deprecated] ` with a description note; `keep`: all stay
 *   as they are).
 * - `write`: blanks every variable's `currentValue` and the values of
 *   `secret` variables, validates the collection (an invalid one is never
 *   written), writes atomically and compare-and-swap ({@link LocalFile}: a
 *   save made while the sync ran is never overwritten) and stores the
 *   identity map with the upstream requests of marked ones.
 * - `snapshot`/`restore`: a rollback restores the file byte for byte.
 *
 * One target object serves one binding: `read` uses what the same object
 * rendered in the same sync (passed to it as `ReadInfo.rendered`).
 */
export function hoppscotchTarget(options: HoppscotchTargetOptions): SyncTarget<NormalisedCollection> {
  checkOptions('hoppscotchTarget options', options, HOPPSCOTCH_TARGET_KEYS);
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options?.path)}.`, {
      hint: 'Pass the Hoppscotch collection file, e.g. { path: "petstore.hoppscotch.json" }.',
    });
  }
  const version = options.version ?? 12;
  if (version !== 12 && version !== 11) {
    throw new ConfigError(`Expected \`version\` to be 12 or 11, got ${JSON.stringify(options.version)}.`, {
      hint: 'Leave it out for the newest collection format (12); use 11 for Hoppscotch releases that predate collection scripts.',
    });
  }
  const indent = options.indent ?? 2;
  if (!Number.isInteger(indent) || indent < 0 || indent > 10) {
    throw new ConfigError(`Expected \`indent\` to be an integer from 0 to 10, got ${JSON.stringify(options.indent)}.`, {
      hint: 'Leave it out for 2.',
    });
  }
  if (options.baseUrlVariable !== undefined && !/^[A-Za-z_][\w.-]*$/.test(options.baseUrlVariable)) {
    throw new ConfigError(
      `Expected \`baseUrlVariable\` to be a variable name (letters, digits, _ . -), got ${JSON.stringify(options.baseUrlVariable)}.`,
      {
        hint: 'Leave it out for "baseUrl".',
      },
    );
  }
  if (options.filter !== undefined) checkFilter(options.filter, 'hoppscotchTarget options.filter');
  const path = resolve(options.path);
  // Not validated here: every collection is validated before it is written.
  const renderOptions = {
    collectionVersion: version,
    validate: false,
    ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
  };
  // Requests by operation object, so a new version of a document renders only the operations that changed.
  const requests: RequestCache = new WeakMap();
  return clientTarget<HoppCollection>({
    kind: 'hoppscotch',
    location: path,
    recordKey: HOPP_IDENTITY_RECORD,
    identityRules: hoppscotchTargetIdentityRules,
    storage: new LocalFile(path),
    variables: { list: 'variables', value: 'initialValue' },
    render: (document) => renderWithCache(document, renderOptions, requests).collection,
    hints: operationHints,
    key: normaliseCollection,
    nest: (keyed) => denormaliseCollection(keyed),
    parse: (bytes) => parseCollectionBytes(bytes, path),
    serialise(collection) {
      blankSecrets(collection);
      const text = `${JSON.stringify(collection, null, indent)}\n`;
      // What the file will hold, parsed as a read would parse it: the next read of the same bytes takes this.
      // A collection of plain JSON values stands for the parse of its own text (no second parse).
      const parsed = parseCollection(isJsonRoundTrip(collection) ? collection : JSON.parse(text)) as HoppCollection;
      return { bytes: Buffer.from(text), parsed };
    },
  });
}

/**
 * Read and validate a collection file: `undefined` when it does not exist;
 * a `TargetError` `TARGET_INVALID` when it is not JSON, not a collection,
 * or an "export all" array of more than one collection.
 */
export async function readCollectionFile(path: string): Promise<HoppCollection | undefined> {
  const bytes = await new LocalFile(resolve(path)).read();
  return bytes === undefined ? undefined : parseCollectionBytes(bytes, path);
}

/** Decode, parse and validate the bytes of a collection file (see {@link readCollectionFile}). */
function parseCollectionBytes(bytes: Buffer, path: string): HoppCollection {
  let value: unknown;
  try {
    value = parseJsonBytes(bytes);
  } catch (error) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} is not valid JSON: ${(error as Error).message}. Expected a Hoppscotch collection exported as JSON.`,
      {
        cause: error,
        hint: 'Fix the syntax error, or export the collection from Hoppscotch again; the engine does not overwrite a file it cannot read.',
      },
    );
  }
  if (Array.isArray(value) && value.length === 1) value = value[0];
  if (Array.isArray(value)) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} holds ${value.length} collections ("Export all"); expected one collection.`,
      {
        hint: 'Export the one collection to sync ("Export" on the collection), or point each binding at its own file.',
      },
    );
  }
  try {
    return parseCollection(value) as HoppCollection;
  } catch (error) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} is not a valid Hoppscotch collection. ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Fix the file at that path, or export it again from Hoppscotch; the engine does not overwrite a file it cannot read.',
        details: { path, ...((error as { details?: object }).details ?? {}) },
      },
    );
  }
}

/** Blank every collection and folder variable's `currentValue`, and both values of `secret` variables. Mutates `collection` (a fresh copy). */
function blankSecrets(collection: HoppCollection): void {
  const visit = (node: HoppCollection): void => {
    node.variables = node.variables.map((variable) => ({
      ...variable,
      currentValue: '',
      ...(variable.secret ? { initialValue: '' } : {}),
    }));
    node.folders.forEach(visit);
  };
  visit(collection);
}
