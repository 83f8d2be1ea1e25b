/**
 * `postmanTarget`: a sync target whose local copy is a Postman Collection
 * v2.1 file: the Postman format (render, parse, key, nest, write) made a
 * target by `clientTarget` of ../collection/, which does the rest for every
 * client. See docs/postman.md and docs/collections.md.
 *
 * @module
 */
import { resolve } from 'node:path';
import { ConfigError, TargetError } from '../../errors.js';
import { isJsonRoundTrip, parseJsonBytes } from '../../json/index.js';
import { checkOptions, optionKeys } from '../../options.js';
import {
  checkFilter,
  clientTarget,
  nameMark,
  type KeyedCollection,
  type ModelRequestCache,
  type OperationFilter,
  type RemovalMark,
} from '../collection/index.js';
import { LocalFile } from '../local-file.js';
import type { SyncTarget } from '../types.js';
import { parsePostmanCollection } from './parse.js';
import { renderPostmanTree } from './render.js';
import type { PostmanCollection, PostmanVariable } from './schema.js';
import {
  type PostmanTree,
  collectionOf,
  keyPostmanTree,
  nestPostmanTree,
  postmanIdentityRules,
  postmanOperationHints,
  treeOf,
} from './tree.js';

/** The store record (per binding) holding the identity map of the last write. */
export const POSTMAN_IDENTITY_RECORD = 'postman-identities';

const POSTMAN_TARGET_KEYS = optionKeys<PostmanTargetOptions>()(['path', 'baseUrlVariable', 'indent', 'filter']);

/** Options of {@link postmanTarget}. */
export interface PostmanTargetOptions {
  /** The collection file (JSON), e.g. `petstore.postman_collection.json`. */
  path: string;
  /** The collection variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** JSON indentation of the file. Default 2 (what the Postman app exports with is 4, or tabs). */
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
 * A target whose local copy is a Postman Collection v2.1 file. Every sync
 * keeps the user's edits: the engine merges the rendered base, the file and
 * the rendered remote in the keyed form of the shared collection model,
 * where each request is found by its operation identity (its item `id`, or
 * for an item the Postman app gave an id of its own, its method, URL, name
 * and place), whichever folder it was moved to and whatever it was renamed to.
 *
 * Kept from the file: pre-request and test scripts (`event`), `disabled`
 * flags of query parameters and headers (an update never checks again a
 * parameter the user unchecked), descriptions, saved responses, item ids,
 * user requests and folders, and every field this target does not know.
 * See docs/postman.md for what a sync overwrites.
 *
 * - `read`: a missing file is no local copy yet; a file that is not JSON or
 *   not a Postman Collection v2.1 is a `TargetError` `TARGET_INVALID`, and
 *   the sync stops without touching it;
 * - `write`: blanks the values of secret variables, checks the collection
 *   (an invalid one is never written), writes atomically and
 *   compare-and-swap (a save made while the sync ran is never overwritten);
 * - `snapshot`/`restore`: a rollback restores the file byte for byte.
 */
export function postmanTarget(options: PostmanTargetOptions): SyncTarget<KeyedCollection> {
  checkOptions('postmanTarget options', options, POSTMAN_TARGET_KEYS);
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options?.path)}.`, {
      hint: 'Pass the Postman collection file, e.g. { path: "petstore.postman_collection.json" }.',
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
      { hint: 'Leave it out for "baseUrl".' },
    );
  }
  if (options.filter !== undefined) checkFilter(options.filter, 'postmanTarget options.filter');
  const path = resolve(options.path);
  const renderOptions = {
    ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
  };
  // Model requests by operation object, so a new version of a document renders only the operations that changed.
  const cache: ModelRequestCache = new WeakMap();
  return clientTarget<PostmanTree>({
    kind: 'postman',
    location: path,
    recordKey: POSTMAN_IDENTITY_RECORD,
    identityRules: postmanIdentityRules,
    marker: postmanMark,
    variables: { list: 'variable', value: 'value' },
    storage: new LocalFile(path),
    render: (document) => renderPostmanTree(document, renderOptions, cache),
    hints: postmanOperationHints,
    key: keyPostmanTree,
    nest: nestPostmanTree,
    parse: (bytes) => treeOf(parsePostmanBytes(bytes, path)),
    serialise(tree) {
      const collection = blankSecrets(collectionOf(tree));
      const text = `${JSON.stringify(collection, null, indent)}\n`;
      // What the file will hold, checked as a read would check it: the next read of the same bytes takes this.
      const parsed = parsePostmanCollection(isJsonRoundTrip(collection) ? collection : JSON.parse(text));
      return { bytes: Buffer.from(text), parsed: treeOf(parsed) };
    },
  });
}

/**
 * The removal mark of a Postman request: the shared name prefix and
 * description note, except that a request whose only description was the
 * note gets no description back when the mark goes (Postman writes none, not `null`).
 */
const postmanMark: RemovalMark = {
  isMarked: nameMark.isMarked,
  mark: nameMark.mark,
  unmark(entry) {
    const unmarked = nameMark.unmark(entry);
    if (unmarked === entry || unmarked.request.description !== null) return unmarked;
    const { description: _none, ...request } = unmarked.request;
    return { ...unmarked, request };
  },
};

/**
 * Read and check a Postman collection file: `undefined` when it does not
 * exist; a `TargetError` `TARGET_INVALID` when it is not JSON or not a
 * Postman Collection v2.1.
 */
export async function readPostmanCollectionFile(path: string): Promise<PostmanCollection | undefined> {
  const bytes = await new LocalFile(resolve(path)).read();
  return bytes === undefined ? undefined : parsePostmanBytes(bytes, path);
}

function parsePostmanBytes(bytes: Buffer, path: string): PostmanCollection {
  let value: unknown;
  try {
    value = parseJsonBytes(bytes);
  } catch (error) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} is not valid JSON: ${(error as Error).message}. Expected a Postman Collection v2.1 exported as JSON.`,
      {
        cause: error,
        hint: 'Fix the syntax error, or export the collection from Postman again; the engine does not overwrite a file it cannot read.',
      },
    );
  }
  try {
    return parsePostmanCollection(value);
  } catch (error) {
    throw new TargetError('TARGET_INVALID', `The collection file ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: (error as TargetError).hint ?? 'Export the collection from Postman again (Collection v2.1).',
      details: { path, ...((error as { details?: object }).details ?? {}) },
    });
  }
}

/** The collection with the value of every secret variable (collection and folders) blanked: `secret: true` or `type: "secret"`. */
function blankSecrets(collection: PostmanCollection): PostmanCollection {
  const blank = (variables: unknown): unknown =>
    Array.isArray(variables)
      ? (variables as PostmanVariable[]).map((v) => (v.secret === true || v.type === 'secret' ? { ...v, value: '' } : v))
      : variables;
  const visit = <T extends { variable?: unknown; item?: unknown }>(node: T): T => {
    const out = { ...node };
    if (out.variable !== undefined) out.variable = blank(out.variable);
    if (Array.isArray(out.item))
      out.item = (out.item as Array<{ variable?: unknown; item?: unknown }>).map((child) =>
        Array.isArray(child.item) ? visit(child) : child,
      );
    return out;
  };
  return visit(collection);
}
