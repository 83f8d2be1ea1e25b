/**
 * Which operations of a document a client target keeps: include and
 * exclude by tag, path glob, operationId and `deprecated`. Applied to the
 * render, before the merge: base and remote are rendered with the same
 * filter, so an operation filtered out is neither added to the collection
 * nor removed from it (a request for it that the collection already holds
 * stays as the user's). See docs/collections.md, "Filters".
 *
 * @module
 */
import { ConfigError } from '../../errors.js';
import { checkOptions, describeValue, optionKeys } from '../../options.js';

/**
 * What an operation is matched by; it matches when any listed criterion
 * does (an empty or absent list matches nothing).
 */
export interface OperationMatch {
  /** Tag names: an operation with any of them matches. */
  tags?: readonly string[];
  /**
   * Path templates as the document writes them, with globs: `*` is any text
   * within one segment, `**` any text across segments (`/admin/**`,
   * `/pets/*`). Parameters are written as in the document (`/pets/{petId}`).
   */
  paths?: readonly string[];
  /** Operation ids, exactly. */
  operationIds?: readonly string[];
  /** `true` matches deprecated operations, `false` those that are not. */
  deprecated?: boolean;
}

/**
 * The operations a binding syncs: those matching `include` (all when it is
 * absent), less those matching `exclude`.
 *
 * @example
 * { include: { tags: ['pets', 'store'] }, exclude: { deprecated: true, paths: ['/internal/**'] } }
 */
export interface OperationFilter {
  include?: OperationMatch;
  exclude?: OperationMatch;
}

/** Whether an operation (at `path`, the object itself) is kept; see {@link operationFilter}. */
export type OperationPredicate = (path: string, operation: Record<string, unknown>) => boolean;

const FILTER_KEYS = optionKeys<OperationFilter>()(['include', 'exclude']);
const MATCH_KEYS = optionKeys<OperationMatch>()(['tags', 'paths', 'operationIds', 'deprecated']);

/**
 * Check a filter at the edge (`name` is where it was given, for messages,
 * e.g. `hoppscotchTarget options.filter`) and return it. Throws a
 * `ConfigError` (`CONFIG_INVALID`) naming the field otherwise.
 */
export function checkFilter(value: unknown, name: string): OperationFilter {
  const filter = checkOptions<OperationFilter>(name, value, FILTER_KEYS, 'filter.');
  for (const side of ['include', 'exclude'] as const) {
    const match = filter[side];
    if (match === undefined) continue;
    checkOptions<OperationMatch>(`${name}.${side}`, match, MATCH_KEYS, `filter.${side}.`);
    for (const list of ['tags', 'paths', 'operationIds'] as const) {
      const items: unknown = match[list];
      if (items === undefined) continue;
      if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' || item === '')) {
        throw new ConfigError(`Expected \`filter.${side}.${list}\` to be an array of non-empty strings, got ${describeValue(items)}.`, {
          hint:
            list === 'paths'
              ? 'Write path templates with globs, e.g. ["/pets/**", "/store/*"].'
              : `Write the ${list} as strings, e.g. ["pets"].`,
          details: { option: `filter.${side}.${list}` },
        });
      }
    }
    if (match.deprecated !== undefined && typeof match.deprecated !== 'boolean') {
      throw new ConfigError(`Expected \`filter.${side}.deprecated\` to be a boolean, got ${describeValue(match.deprecated)}.`, {
        hint: 'Use `exclude: { deprecated: true }` to leave deprecated operations out.',
        details: { option: `filter.${side}.deprecated` },
      });
    }
  }
  return filter;
}

/** The predicate of a (checked) filter; `undefined` when it keeps every operation. */
export function operationFilter(filter: OperationFilter | undefined): OperationPredicate | undefined {
  if (filter === undefined || (filter.include === undefined && filter.exclude === undefined)) return undefined;
  const include = filter.include === undefined ? undefined : matcher(filter.include);
  const exclude = filter.exclude === undefined ? undefined : matcher(filter.exclude);
  return (path, operation) => (include === undefined || include(path, operation)) && !(exclude?.(path, operation) ?? false);
}

function matcher(match: OperationMatch): OperationPredicate {
  const tags = new Set(match.tags ?? []);
  const ids = new Set(match.operationIds ?? []);
  const paths = (match.paths ?? []).map(globPattern);
  return (path, operation) =>
    (tags.size > 0 && Array.isArray(operation.tags) && operation.tags.some((tag) => typeof tag === 'string' && tags.has(tag))) ||
    (ids.size > 0 && typeof operation.operationId === 'string' && ids.has(operation.operationId)) ||
    paths.some((pattern) => pattern.test(path)) ||
    (match.deprecated !== undefined && (operation.deprecated === true) === match.deprecated);
}

/** A path glob as a regular expression: `**` any text, `*` any text without `/`, everything else literal. */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
