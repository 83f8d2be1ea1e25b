import { ConfigError, isSyncError, SourceError, syncErrorOf } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import {
  COMPONENT_KINDS,
  combineDocuments,
  LOAD_OPTION_KEYS,
  loadSpec,
  type CombineMember,
  type ComponentKind,
  type LoadedSpec,
  type LoadOptions,
} from '../document/index.js';
import { canonicalHash, canonicalJson } from '../json/index.js';
import type { FetchValidators, SourceFetchContext, SourceFetchResult, SpecSource } from './types.js';

const VALIDATOR_PREFIX = 'composite:';

/** One member of a {@link compositeSource}: where its document comes from, and how it is combined (see `CombineMember`). */
export interface CompositeMember extends CombineMember {
  /** Where this member's document comes from. */
  source: SpecSource;
}

/** Options of {@link compositeSource}. */
export interface CompositeSourceOptions {
  /** The members, merged in this order: the first one's `info`, `servers` and extensions win. */
  sources: CompositeMember[];
  /** Fields of the merged document's `info`, over the first member's. */
  info?: Record<string, unknown>;
  /** Options for loading each member's document (limits, `allowRemoteRefs`). */
  load?: LoadOptions;
}

interface Cached {
  key: string;
  loaded: LoadedSpec;
}

interface Fetched {
  member: CompositeMember;
  /** The member's document: freshly loaded, or the one held from an earlier round; undefined when not held. */
  loaded: LoadedSpec | undefined;
  /** True when the member said not-modified. */
  unchanged: boolean;
  validators: FetchValidators;
}

/**
 * A source that serves several APIs as one OpenAPI 3 document: it fetches
 * every member in parallel, loads each (Swagger 2.0 members are upgraded),
 * and merges their paths, webhooks, components and tags.
 *
 * A path or component defined by two members with different content is a
 * `SOURCE_CLASH` (not retryable) naming both members, unless a `prefix` or a
 * `rename` rule keeps them apart; identical definitions are merged silently.
 * The result is `not-modified` when every member says so. Member validators
 * are kept, encoded, in the composite's `etag` validator.
 *
 * @example
 * ```ts
 * compositeSource({
 *   sources: [
 *     { id: 'users', source: httpSource({ url: 'http://127.0.0.1:3001/openapi.json' }) },
 *     { id: 'billing', source: fileSource({ path: 'billing.yaml' }), prefix: '/billing', rename: { schemas: { Error: 'BillingError' } } },
 *   ],
 *   info: { title: 'Platform API' },
 * });
 * ```
 */
export function compositeSource(options: CompositeSourceOptions): SpecSource {
  return new CompositeSource(options);
}

class CompositeSource implements SpecSource {
  readonly kind = 'composite';
  readonly location: string;
  readonly watch?: (onChange: () => void) => Promise<() => Promise<void>>;
  readonly #members: CompositeMember[];
  readonly #info: Record<string, unknown> | undefined;
  readonly #load: LoadOptions;
  readonly #cache = new Map<string, Cached>();

  constructor(options: CompositeSourceOptions) {
    this.#members = checkMembers(options);
    this.#info = options.info;
    this.#load = options.load ?? {};
    this.location = `composite(${this.#members.map((member) => member.id).join(', ')})`;
    const watchers = this.#members.filter((member) => typeof member.source.watch === 'function');
    if (watchers.length > 0) {
      this.watch = async (onChange) => {
        const started = await Promise.allSettled(
          watchers.map(async (member) => (member.source.watch as NonNullable<SpecSource['watch']>)(onChange)),
        );
        const stops = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
        const stopAll = async (): Promise<void> => {
          await Promise.allSettled(stops.map(async (stop) => stop()));
        };
        const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        if (failed !== undefined) {
          // Do not leave the members that did start watching behind.
          await stopAll();
          throw failed.reason;
        }
        return stopAll;
      };
    }
  }

  async fetch(context: SourceFetchContext): Promise<SourceFetchResult> {
    context.signal.throwIfAborted();
    const previous = decodeValidators(context.validators.etag);
    const controller = new AbortController();
    const signal = AbortSignal.any([context.signal, controller.signal]);
    const run = async <T>(member: CompositeMember, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        controller.abort();
        throw wrap(error, member, context.signal);
      }
    };

    const first = await Promise.all(
      this.#members.map((member) =>
        run(member, async (): Promise<Fetched> => {
          const given = previous[member.id] ?? {};
          const result = await member.source.fetch({ validators: given, signal });
          if (result.kind === 'not-modified') {
            const validators = result.validators ?? given;
            const cached = this.#cache.get(member.id);
            const held =
              cached !== undefined && (cached.key === canonicalJson(given) || cached.key === canonicalJson(validators))
                ? cached.loaded
                : undefined;
            if (held !== undefined) this.#cache.set(member.id, { key: canonicalJson(validators), loaded: held });
            return { member, loaded: held, unchanged: true, validators };
          }
          return { member, loaded: await this.#loadResult(member, result), unchanged: false, validators: result.validators ?? {} };
        }),
      ),
    );
    if (first.every((entry) => entry.unchanged)) {
      return { kind: 'not-modified', validators: { etag: encodeValidators(first) } };
    }
    // Some member changed. Members that said not-modified but whose document this instance
    // does not hold (a fresh process) are asked again without validators.
    const complete = await Promise.all(
      first.map((entry) =>
        entry.loaded !== undefined
          ? entry
          : run(entry.member, async (): Promise<Fetched> => {
              const result = await entry.member.source.fetch({ validators: {}, signal });
              if (result.kind === 'not-modified') {
                throw new SourceError(
                  'SOURCE_FAILED',
                  `Member "${entry.member.id}" of ${this.location} said not-modified to a fetch without validators.`,
                  {
                    retryable: false,
                    hint: 'A source must return the document when it is given no validators; fix that source.',
                  },
                );
              }
              return {
                member: entry.member,
                loaded: await this.#loadResult(entry.member, result),
                unchanged: false,
                validators: result.validators ?? {},
              };
            }),
      ),
    );
    for (const entry of complete)
      this.#cache.set(entry.member.id, { key: canonicalJson(entry.validators), loaded: entry.loaded as LoadedSpec });
    const document = combineDocuments(
      complete.map((entry) => ({ member: entry.member, document: (entry.loaded as LoadedSpec).document })),
      this.#info,
    );
    return {
      kind: 'document',
      document,
      location: this.location,
      validators: { etag: encodeValidators(complete), contentHash: canonicalHash(document) },
    };
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await Promise.allSettled(this.#members.map(async (member) => member.source.close?.()));
  }

  async #loadResult(member: CompositeMember, result: Exclude<SourceFetchResult, { kind: 'not-modified' }>): Promise<LoadedSpec> {
    const location = result.location ?? member.source.location ?? member.id;
    const options: LoadOptions = { ...this.#load, location: `member "${member.id}" (${location})` };
    if (result.kind === 'raw') {
      if (result.contentType !== undefined) options.contentType = result.contentType;
      return loadSpec(result.body, options);
    }
    return loadSpec(result.document as object, options);
  }
}

const COMPOSITE_KEYS = optionKeys<CompositeSourceOptions>()(['sources', 'info', 'load']);
const MEMBER_KEYS = optionKeys<CompositeMember>()(['id', 'source', 'prefix', 'rename', 'operationIdPrefix']);

function checkMembers(options: CompositeSourceOptions): CompositeMember[] {
  checkOptions('compositeSource options', options, COMPOSITE_KEYS);
  if (options.load !== undefined) checkOptions('`load`', options.load, LOAD_OPTION_KEYS, 'load.');
  if (!Array.isArray(options.sources) || options.sources.length === 0) {
    throw new ConfigError(`Expected \`sources\` to be a non-empty array of { id, source }, got ${describeValue(options?.sources)}.`, {
      hint: 'compositeSource({ sources: [{ id: "users", source: ... }, { id: "billing", source: ... }] })',
    });
  }
  const ids = new Set<string>();
  return options.sources.map((member, index) => {
    if (member === null || typeof member !== 'object' || typeof member.id !== 'string' || member.id === '') {
      throw new ConfigError(`Expected sources[${index}].id to be a non-empty string, got ${describeValue(member?.id)}.`, {
        hint: 'Give every member a unique id.',
      });
    }
    checkOptions(`sources[${index}] ("${member.id}")`, member, MEMBER_KEYS);
    if (ids.has(member.id)) throw new ConfigError(`Two members share the id "${member.id}".`, { hint: 'Give every member a unique id.' });
    ids.add(member.id);
    if (member.source === null || typeof member.source !== 'object' || typeof member.source.fetch !== 'function') {
      throw new ConfigError(
        `Expected sources[${index}].source ("${member.id}") to be a SpecSource with a fetch method, got ${describeValue(member.source)}.`,
        { hint: 'Use fileSource(), httpSource() or your own SpecSource.' },
      );
    }
    if (
      member.prefix !== undefined &&
      (typeof member.prefix !== 'string' || !/^\/[^{}?#]*$/.test(member.prefix) || member.prefix === '/')
    ) {
      throw new ConfigError(`Expected the prefix of "${member.id}" to be a path such as "/billing", got ${describeValue(member.prefix)}.`, {
        hint: 'Start the prefix with "/" and leave out templates, queries and fragments.',
      });
    }
    for (const [kind, map] of Object.entries(member.rename ?? {})) {
      if (!COMPONENT_KINDS.includes(kind as ComponentKind)) {
        throw new ConfigError(`Unknown component kind "${kind}" in the rename rules of "${member.id}".`, {
          hint: `Use one of ${COMPONENT_KINDS.join(', ')}.`,
        });
      }
      for (const [from, to] of Object.entries(map ?? {})) {
        if (typeof to !== 'string' || to === '')
          throw new ConfigError(`Expected rename.${kind}["${from}"] of "${member.id}" to be a non-empty name, got ${describeValue(to)}.`, {
            hint: 'Map each old name to a new one.',
          });
      }
    }
    return member;
  });
}

/** Keep an abort as it is; give any other failure the member's name, keeping its code and retryability. */
function wrap(error: unknown, member: CompositeMember, signal: AbortSignal): unknown {
  // Cancelled by the caller: the caller's reason, whatever shape the member gave its abort.
  if (signal.aborted) return signal.reason;
  if (isSyncError(error)) {
    return syncErrorOf(error.code, `Member "${member.id}": ${error.message}`, {
      cause: error,
      retryable: error.retryable,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      details: { ...error.details, member: member.id },
    });
  }
  return new SourceError('SOURCE_FAILED', `Member "${member.id}" failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    hint: 'See the cause; the member source threw something that is not a SyncError.',
    details: { member: member.id },
  });
}

function encodeValidators(entries: readonly Fetched[]): string {
  const record: Record<string, FetchValidators> = {};
  for (const entry of entries) record[entry.member.id] = entry.validators;
  return VALIDATOR_PREFIX + Buffer.from(canonicalJson(record)).toString('base64url');
}

function decodeValidators(etag: string | undefined): Record<string, FetchValidators> {
  if (etag === undefined || !etag.startsWith(VALIDATOR_PREFIX)) return {};
  try {
    const value = JSON.parse(Buffer.from(etag.slice(VALIDATOR_PREFIX.length), 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, FetchValidators>) : {};
  } catch {
    // Unreadable validators only cost a full fetch.
    return {};
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

// ---------------------------------------------------------------------------
// Merging
