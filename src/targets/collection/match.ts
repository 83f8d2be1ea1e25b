/**
 * Which local request is which operation when ids do not say it: every
 * signal there is, weighed together, a match taken only where it is the best
 * both ways, and a tie reported instead of guessed. Client-neutral: a client
 * format shows its requests as {@link MatchableRequest}s. See
 * docs/collections.md and docs/hoppscotch.md, "Identity without ids".
 *
 * @module
 */
import { LEADING_VARIABLE, endpointPath, endpointSignature, normaliseEndpoint } from './identity.js';

/**
 * What matching reads of a request, in any client: its `id` (an operation
 * identity when the client keeps one), method, name, and endpoint written
 * with the server variable first (`<<baseUrl>>/pets/<<id>>`; path
 * parameters may be written `{id}`, `<<id>>`, `{{id}}` or `:id`).
 */
export interface MatchableRequest {
  readonly id?: unknown;
  readonly method: unknown;
  readonly name: unknown;
  readonly endpoint: unknown;
}

/**
 * The shape of a request (see `requestShape`): its path variable, query and
 * body field names; two operations on the same path shape rarely share it.
 * Only used to break ties.
 */
export type ShapeOf<R> = (request: R) => string;

/** What identity matching knows of one operation from a render (see {@link operationHints}). */
export interface OperationHint {
  /** The operation identity (the rendered request's `id`). */
  key: string;
  /** `GET`, `POST`, ... */
  method: string;
  /** The rendered request name. */
  name: string;
  /** Every spelling of its endpoint a collection may hold (`<<baseUrl>>/…`, the literal server URL + path). */
  endpoints: readonly string[];
  /**
   * The id the identity rules before issue 12 (no query, no fragment) gave
   * it, without the `#2`, `#3` of repeats, when that differs from `key`.
   */
  legacyId?: string;
  /** Path variable, query, header and body field names, see {@link ShapeOf}. */
  shape: string;
}

/** A stored record entry (see `HoppIdentityRecord`): where a request was written, under which key, name and endpoint. */
export interface StoredHint {
  path: string;
  key: string;
  name: string;
  /**
   * `METHOD /signature` ({@link endpointSignature}); in records of version 1,
   * `METHOD /path` ({@link endpointPath}).
   */
  endpoint: string;
  /** Whether `endpoint` is of a version 1 record. */
  legacy: boolean;
}

/** A request to match: where it is (JSON Pointer) and what it holds. */
export interface RequestToMatch<R extends MatchableRequest = MatchableRequest> {
  path: string;
  request: R;
}

/** An operation that several local requests (or none certainly) could be. */
export interface IdentityAmbiguity {
  /** The operation identity nobody got. */
  key: string;
  /** The requests that could each be it, equally well: JSON Pointer in the collection and name. */
  requests: Array<{ path: string; name: string }>;
}

/** What {@link matchRequests} returns. */
export interface MatchResult {
  /** The operation identity of each request, `undefined` for requests that are the user's own (or ambiguous). */
  keys: Array<string | undefined>;
  /** Operations that could not be tied to one request. */
  ambiguities: IdentityAmbiguity[];
}

interface Candidate {
  key: string;
  methods: Set<string>;
  names: Set<string>;
  /** `METHOD /normalised` with query and fragment. */
  full: Set<string>;
  /** `METHOD /signature`. */
  signatures: Set<string>;
  /** `METHOD /path`, without query and fragment. */
  paths: Set<string>;
  /** Whether an endpoint of it has a query or fragment. */
  suffixed: boolean;
  /** The rendered operations behind it, for their shapes (computed when a tie needs them). */
  hints: OperationHint[];
  shapes?: Set<string>;
  legacyIds: Set<string>;
  place?: string;
}

/** Weights of the signals; a name or the place counts for less than the endpoint, a shape only breaks ties. */
const WEIGHT = { full: 8, signature: 2, path: 2, name: 4, place: 2, shape: 1, id: 4 } as const;

/**
 * Tie each request to an operation identity, or to none (the user's own).
 *
 * `trusted(id)` says whether a request's own `id` is an operation identity
 * to take as it is; such ids are handed out first (each once; when several
 * requests carry the same id, as a Hoppscotch "Duplicate" does, the signals
 * below pick the one that is it). Every other request is weighed against every
 * operation not yet taken that it could be, by:
 * - the method (required, except for a request at its stored place under its stored name);
 * - the endpoint with query and fragment, with parameter names
 *   (`/v2/{sinkName}` is not `/v2/{name}`), and without query and fragment
 *   (only together with the name or the place, and never between two
 *   endpoints whose fragments or queries differ);
 * - the name (the rendered one, the one last written, or the operationId);
 * - the place it was last written at (the stored record), together with the
 *   name only: deleting a request moves the next one into its place;
 * - an id written before query and fragment were kept;
 * - the shape (`shapeOf`, see {@link ShapeOf}).
 *
 * A pair is matched when each is the other's single best; rounds repeat
 * until no pair is. What is left with candidates is a tie: those operations
 * are reported in `ambiguities` and their requests stay the user's own.
 * Position alone never decides.
 */
export function matchRequests<R extends MatchableRequest>(
  requests: readonly RequestToMatch<R>[],
  trusted: (id: string) => boolean,
  rendered: Iterable<OperationHint>,
  stored: readonly StoredHint[],
  shapeOf: ShapeOf<R> = () => '',
): MatchResult {
  const keys: Array<string | undefined> = requests.map(() => undefined);
  const ambiguities: IdentityAmbiguity[] = [];

  // 1. Trusted ids, each to the one request that carries it (several carriers are weighed below).
  const carriers = new Map<string, number[]>();
  requests.forEach(({ request }, index) => {
    const id = request.id;
    if (typeof id === 'string' && id !== '' && trusted(id)) {
      const list = carriers.get(id);
      if (list === undefined) carriers.set(id, [index]);
      else list.push(index);
    }
  });
  const taken = new Set<string>(carriers.keys());
  let rest = requests.length;
  let shared = false;
  for (const [id, indexes] of carriers) {
    rest -= indexes.length;
    if (indexes.length === 1) keys[indexes[0] as number] = id;
    else shared = true;
  }
  // The usual case, ids intact: nothing to weigh.
  if (rest === 0 && !shared) return { keys, ambiguities };

  // What is known of every operation a request could still be.
  const candidates = new Map<string, Candidate>();
  const candidate = (key: string): Candidate | undefined => {
    let found = candidates.get(key);
    if (found === undefined) {
      if (taken.has(key) && (carriers.get(key)?.length ?? 0) < 2) return undefined;
      found = {
        key,
        methods: new Set(),
        names: new Set([key]),
        full: new Set(),
        signatures: new Set(),
        paths: new Set(),
        suffixed: false,
        hints: [],
        legacyIds: new Set(),
      };
      candidates.set(key, found);
    }
    return found;
  };
  const addEndpoint = (c: Candidate, method: string, endpoint: string) => {
    const signature = endpointSignature(endpoint);
    c.signatures.add(`${method} ${signature}`);
    c.full.add(`${method} ${normaliseEndpoint(signature)}`);
    c.paths.add(`${method} ${endpointPath(signature)}`);
    if (/[?#]/.test(signature)) c.suffixed = true;
  };
  for (const hint of rendered) {
    const c = candidate(hint.key);
    if (c === undefined) continue;
    const method = hint.method.toUpperCase();
    c.methods.add(method);
    c.names.add(hint.name);
    c.hints.push(hint);
    for (const endpoint of hint.endpoints) addEndpoint(c, method, endpoint);
    if (hint.legacyId !== undefined) c.legacyIds.add(hint.legacyId);
  }
  for (const entry of stored) {
    const c = candidate(entry.key);
    if (c === undefined) continue;
    const space = entry.endpoint.indexOf(' ');
    const method = space < 0 ? '' : entry.endpoint.slice(0, space).toUpperCase();
    const endpoint = space < 0 ? entry.endpoint : entry.endpoint.slice(space + 1);
    c.methods.add(method);
    c.names.add(entry.name);
    c.place = entry.path;
    if (entry.legacy) c.paths.add(`${method} ${endpointPath(endpoint)}`);
    else addEndpoint(c, method, endpoint);
  }
  const signals: Array<Signals | undefined> = [];
  const signalsAt = (index: number): Signals => (signals[index] ??= signalsOf(requests[index] as RequestToMatch<R>, shapeOf));

  // Several requests carry one id (a Hoppscotch "Duplicate"): the best of them is it; a tie gives it to none.
  for (const [id, indexes] of carriers) {
    if (indexes.length < 2) continue;
    const c = candidates.get(id);
    let chosen: number | undefined = indexes[0];
    if (c !== undefined) {
      const scores = indexes.map((i) => score(signalsAt(i), c) ?? 0);
      const best = Math.max(...scores);
      const at = indexes.filter((_i, n) => scores[n] === best);
      chosen = at.length === 1 ? at[0] : undefined;
      if (chosen === undefined) ambiguities.push({ key: id, requests: at.map((i) => describe(requests[i] as RequestToMatch<R>)) });
    }
    if (chosen !== undefined) keys[chosen] = id;
  }
  const carried = new Set([...carriers.values()].flat());

  // 2. Every other request against every operation not taken that it could be.
  const byPath = new Map<string, Candidate[]>();
  const byPlace = new Map<string, Candidate>();
  const byLegacy = new Map<string, Candidate[]>();
  for (const c of candidates.values()) {
    if (taken.has(c.key)) continue;
    for (const path of c.paths) listAt(byPath, path).push(c);
    if (c.place !== undefined) byPlace.set(c.place, c);
    for (const id of c.legacyIds) listAt(byLegacy, id).push(c);
  }
  const open = new Map<number, Map<string, number>>();
  requests.forEach((entry, index) => {
    if (carried.has(index)) return;
    const s = signalsAt(index);
    const scored = new Map<string, number>();
    const consider = (c: Candidate) => {
      if (scored.has(c.key)) return;
      const value = score(s, c);
      if (value !== undefined) scored.set(c.key, value);
    };
    for (const c of byPath.get(s.path) ?? []) consider(c);
    const placed = byPlace.get(entry.path);
    if (placed !== undefined) consider(placed);
    if (s.id !== undefined) for (const c of byLegacy.get(withoutRepeat(s.id)) ?? []) consider(c);
    if (scored.size > 0) open.set(index, scored);
  });

  const matched = new Set<string>();
  for (;;) {
    const bestOfRequest = new Map<number, { score: number; keys: string[] }>();
    const bestOfKey = new Map<string, { score: number; requests: number[] }>();
    for (const [index, scored] of open) {
      for (const [key, value] of scored) {
        if (matched.has(key)) continue;
        const r = bestOfRequest.get(index);
        if (r === undefined || value > r.score) bestOfRequest.set(index, { score: value, keys: [key] });
        else if (value === r.score) r.keys.push(key);
        const k = bestOfKey.get(key);
        if (k === undefined || value > k.score) bestOfKey.set(key, { score: value, requests: [index] });
        else if (value === k.score) k.requests.push(index);
      }
    }
    let progress = false;
    for (const [index, best] of bestOfRequest) {
      const key = best.keys[0] as string;
      const other = bestOfKey.get(key);
      if (best.keys.length === 1 && other?.requests.length === 1 && other.requests[0] === index) {
        keys[index] = key;
        matched.add(key);
        open.delete(index);
        progress = true;
      }
    }
    if (!progress) {
      // What is left is a tie: report each operation with the requests that could be it.
      const tied = new Map<string, number[]>();
      for (const [index, best] of bestOfRequest) for (const key of best.keys) listAt(tied, key).push(index);
      for (const [key, indexes] of tied)
        ambiguities.push({ key, requests: indexes.map((i) => describe(requests[i] as RequestToMatch<R>)) });
      break;
    }
  }
  return { keys, ambiguities };
}

interface Signals {
  method: string;
  full: string;
  signature: string;
  path: string;
  suffixed: boolean;
  name: string;
  place: string;
  id: string | undefined;
  shape: () => string;
}

function signalsOf<R extends MatchableRequest>({ path, request }: RequestToMatch<R>, shapeOf: ShapeOf<R>): Signals {
  const method = String(request.method).toUpperCase();
  const signature = endpointSignature(String(request.endpoint));
  let shape: string | undefined;
  return {
    method,
    full: `${method} ${normaliseEndpoint(signature)}`,
    signature: `${method} ${signature}`,
    path: `${method} ${endpointPath(signature)}`,
    suffixed: /[?#]/.test(signature),
    name: String(request.name),
    place: path,
    id: typeof request.id === 'string' && request.id !== '' ? request.id : undefined,
    shape: () => (shape ??= shapeOf(request)),
  };
}

/** How well a request fits an operation, or `undefined` when it cannot be it. */
function score(s: Signals, c: Candidate): number | undefined {
  const method = c.methods.has(s.method);
  const full = method && c.full.has(s.full);
  const path = method && c.paths.has(s.path);
  const name = c.names.has(s.name);
  const place = c.place === s.place;
  const id = method && s.id !== undefined && c.legacyIds.has(withoutRepeat(s.id));
  // Path alone is a weak sign, and none where both carry a different query or fragment.
  const pathOnly = path && !full && !(s.suffixed && c.suffixed) && (name || place);
  if (!(full || pathOnly || id || (place && name))) return undefined;
  return (
    (full ? WEIGHT.full : 0) +
    (method && c.signatures.has(s.signature) ? WEIGHT.signature : 0) +
    (path ? WEIGHT.path : 0) +
    (name ? WEIGHT.name : 0) +
    // The place counts only with the name: a request deleted before another moves that one into its place.
    (place && name ? WEIGHT.place : 0) +
    (id ? WEIGHT.id : 0) +
    ((c.shapes ??= new Set(c.hints.map((hint) => hint.shape))).has(s.shape()) ? WEIGHT.shape : 0)
  );
}

function describe({ path, request }: RequestToMatch): { path: string; name: string } {
  return { path, name: String(request.name) };
}

function listAt<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  return list;
}

/**
 * What {@link matchRequests} needs of each request of a rendered collection:
 * its identity (`id`), method, name, shape and every spelling of its
 * endpoint: as written (`<<baseUrl>>/pets`, `{{baseUrl}}/pets`) and with the collection
 * variable it starts with replaced by the variable's value (`values`; older
 * importers wrote the literal server URL), and the id the identity rules
 * before issue 12 gave it when that differs (see {@link endpointPath}).
 * Requests without an `id` are skipped.
 */
export function operationHintsOf<R extends MatchableRequest>(
  requests: Iterable<R>,
  values: ReadonlyMap<string, string>,
  shapeOf: ShapeOf<R>,
): OperationHint[] {
  const hints: OperationHint[] = [];
  for (const request of requests) {
    if (typeof request.id !== 'string') continue;
    const endpoint = String(request.endpoint);
    const endpoints = [endpoint];
    const lead = LEADING_VARIABLE.exec(endpoint);
    const value = lead === null ? undefined : values.get((lead[1] ?? lead[2]) as string);
    if (lead !== null && value !== undefined && value !== '') endpoints.push(value + endpoint.slice(lead[0].length));
    const method = String(request.method).toUpperCase();
    let shape: string | undefined;
    const hint: OperationHint = {
      key: request.id,
      method,
      name: String(request.name),
      endpoints,
      // Computed when a tie needs it: it may parse the body.
      get shape() {
        return (shape ??= shapeOf(request));
      },
    };
    // Identities of operations without an operationId are `METHOD /path…`, with `#2`, `#3` for repeats.
    const current = `${method} ${normaliseEndpoint(endpoint)}`;
    const legacy = `${method} ${endpointPath(endpoint)}`;
    if (legacy !== current && withoutRepeat(request.id) === current) hint.legacyId = legacy;
    hints.push(hint);
  }
  return hints;
}

/** An identity without the `#2`, `#3`, ... that tells repeats apart. */
export function withoutRepeat(id: string): string {
  return id.replace(/#\d+$/, '');
}
