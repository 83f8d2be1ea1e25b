/**
 * Rename detection: pairs an operation that disappeared with one that
 * appeared in the same diff, so a target can carry the user's request over
 * instead of deleting one and creating another.
 *
 * - Same `operationId`: confidence 1.
 * - Otherwise the same method and the same signature (parameters by
 *   location, name and requiredness, path parameters by position; request
 *   body media types and schemas, compared as written, one `$ref` level
 *   resolved): confidence 0.6, plus 0.2 when the
 *   responses are also equal, plus 0.1 when the signature is not empty,
 *   plus 0.1 when the summaries are equal and not empty.
 *
 * Pairs are chosen best first, one to one; a removed operation whose best
 * score is shared by two candidates is left unpaired rather than guessed.
 *
 * @module
 */
import { canonicalText } from './json.js';
import { isObj, type RefResolver } from './resolve.js';
import { parametersOf, type OperationEntry } from './operations.js';
import type { SchemaDiffer } from './schema.js';

/** A detected move. */
export interface Move {
  from: OperationEntry;
  to: OperationEntry;
  confidence: number;
  reason: 'operationId' | 'structure';
}

interface Head {
  entry: OperationEntry;
  head: string;
  body: unknown;
  nonPath: boolean;
}

interface Side {
  entry: OperationEntry;
  signature: string;
  /** Canonical JSON of the responses, made when first scored. */
  responses?: string;
  summary: string;
  empty: boolean;
}

/** Find moves between removed and added operations. */
export function detectMoves(
  removed: readonly OperationEntry[],
  added: readonly OperationEntry[],
  base: RefResolver,
  remote: RefResolver,
  schemas: SchemaDiffer,
  threshold: number,
): Move[] {
  const moves: Move[] = [];
  const takenFrom = new Set<OperationEntry>();
  const takenTo = new Set<OperationEntry>();

  const byId = new Map<string, OperationEntry>();
  for (const entry of added) {
    const id = entry.operation.operationId;
    if (typeof id === 'string' && !byId.has(id)) byId.set(id, entry);
  }
  for (const entry of removed) {
    const id = entry.operation.operationId;
    const to = typeof id === 'string' ? byId.get(id) : undefined;
    if (to === undefined || takenTo.has(to)) continue;
    moves.push({ from: entry, to, confidence: 1, reason: 'operationId' });
    takenFrom.add(entry);
    takenTo.add(to);
  }

  /** The signature up to the request body (`method|parameters|`), and what the rest needs. */
  const headOf = (entry: OperationEntry, resolver: RefResolver): Head => {
    const params = [...parametersOf(entry, resolver).values()].map((p) => p.value);
    let position = 0;
    const parts = params
      .map((p) => {
        const name = p.in === 'path' ? `#${position++}` : String(p.name);
        return `${String(p.in)}:${name}:${p.required === true}:${schemas.json(resolver.deref(p.schema) ?? null)}`;
      })
      .sort();
    return {
      entry,
      head: `${entry.method}|${parts.join(',')}|`,
      body: resolver.deref(entry.operation.requestBody),
      nonPath: params.some((p) => p.in !== 'path'),
    };
  };
  const describe = ({ entry, head, body, nonPath }: Head): Side => {
    // Not through the differ's cache: a body is met once, and its text would stay alive for nothing.
    const bodyText = isObj(body) ? canonicalText(body) : '';
    return {
      entry,
      signature: `${head}${bodyText}`,
      summary: typeof entry.operation.summary === 'string' ? entry.operation.summary : '',
      empty: !nonPath && bodyText === '',
    };
  };

  // Two equal signatures start the same string, so one head starts with the other: only
  // operations with such a counterpart are described (serialising a body costs the most).
  const fromHeads = removed.filter((e) => !takenFrom.has(e)).map((e) => headOf(e, base));
  const toHeads = added.filter((e) => !takenTo.has(e)).map((e) => headOf(e, remote));
  const from = fromHeads.filter(prefixMatched(toHeads)).map(describe);
  const to = toHeads.filter(prefixMatched(fromHeads)).map(describe);
  const candidates: Array<{ a: Side; b: Side; score: number }> = [];
  const bySignature = new Map<string, Side[]>();
  for (const side of to) bySignature.set(side.signature, [...(bySignature.get(side.signature) ?? []), side]);
  for (const a of from) {
    const scored = (bySignature.get(a.signature) ?? []).map((b) => ({ a, b, score: score(a, b) }));
    const best = Math.max(...scored.map((c) => c.score), 0);
    const top = scored.filter((c) => c.score === best);
    if (top.length === 1 && best >= threshold) candidates.push(...top);
  }
  candidates.sort((x, y) => y.score - x.score || x.a.entry.label.localeCompare(y.a.entry.label));
  for (const { a, b, score: confidence } of candidates) {
    if (takenFrom.has(a.entry) || takenTo.has(b.entry)) continue;
    takenFrom.add(a.entry);
    takenTo.add(b.entry);
    moves.push({ from: a.entry, to: b.entry, confidence, reason: 'structure' });
  }
  return moves;
}

/**
 * A test for heads of one side: does one of `others` start with it, or does
 * it start with one of them? Heads end with `|`, so a head that starts
 * another is one of the other's prefixes ending with `|`.
 */
function prefixMatched(others: readonly Head[]): (head: Head) => boolean {
  const heads = new Set(others.map((o) => o.head));
  const prefixes = new Set(others.flatMap((o) => pipePrefixes(o.head)));
  return ({ head }) => prefixes.has(head) || pipePrefixes(head).some((p) => heads.has(p));
}

/** The prefixes of `text` that end with `|`, itself included when it does. */
function pipePrefixes(text: string): string[] {
  const out: string[] = [];
  for (let i = text.indexOf('|'); i >= 0; i = text.indexOf('|', i + 1)) out.push(text.slice(0, i + 1));
  return out;
}

function score(a: Side, b: Side): number {
  a.responses ??= canonicalText(a.entry.operation.responses ?? null);
  b.responses ??= canonicalText(b.entry.operation.responses ?? null);
  let s = 0.6;
  if (a.responses === b.responses) s += 0.2;
  if (!a.empty) s += 0.1;
  if (a.summary !== '' && a.summary === b.summary) s += 0.1;
  return Math.round(s * 10) / 10;
}
