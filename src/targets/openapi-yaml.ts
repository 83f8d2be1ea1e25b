/**
 * Comment-preserving YAML edits for the OpenAPI file target: apply a new
 * plain value onto a parsed `yaml` Document so that every node whose value
 * did not change keeps its comments, anchors, quoting style and position.
 *
 * @module
 */
import {
  Document,
  LineCounter,
  Pair,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Node,
  type ToStringOptions,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

import { yamlErrorAt, type YamlErrorPosition } from '../document/index.js';
import { jsonEqual } from '../json/index.js';

/** Node creation options: never turn shared objects of the merged value into anchors and aliases. */
const CREATE = { aliasDuplicateObjects: false } as const;

/** How many alias expansions a local file may use before it is refused. */
const MAX_ALIAS_COUNT = 10_000;

/** Above this many cell comparisons a sequence is matched without the longest common subsequence. */
const LCS_LIMIT = 250_000;

/** What {@link parseYamlDocument} found; a syntax error says where it is (`at`). */
export type YamlParseResult = { ok: true; document: Document; value: unknown } | { ok: false; message: string; at?: YamlErrorPosition };

/**
 * Parse YAML text into a Document (merge keys enabled, as the spec loader
 * does) and its plain JSON value. Never throws: a syntax error, a second
 * document in the stream or too many aliases come back as `ok: false`.
 */
export function parseYamlDocument(text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { merge: true, prettyErrors: false, lineCounter });
  const error = document.errors[0];
  if (error !== undefined)
    return { ok: false, message: error.message.replace(/\.$/, ''), at: yamlErrorAt(text, error.pos[0], lineCounter) };
  try {
    return { ok: true, document, value: toPlain(document) };
  } catch (thrown) {
    return { ok: false, message: (thrown as Error).message };
  }
}

/**
 * The plain JSON value of a Document: aliases expanded into copies, merge
 * keys applied, YAML-only values (timestamps, `.nan`) as JSON would write them.
 */
export function toPlain(document: Document): unknown {
  const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** How {@link applyToDocument} ended. */
export type ApplyOutcome = 'unchanged' | 'patched' | 'rebuilt';

/**
 * Make `document` hold `value`, changing as few nodes as possible.
 *
 * Scalars are updated in place; map keys that stay keep their order, new
 * keys are appended in the order of `value`, removed keys are dropped;
 * sequence items are matched by equality, then by identity (`in` + `name`,
 * `$ref`, `operationId`, `url`, `name`), then by position, so a comment
 * stays with its item. An anchored node that changes or goes away first
 * hands its old value to the aliases that still need it.
 *
 * The result is checked: when the Document does not hold exactly `value`
 * after a few passes (exotic alias layouts), its content is rebuilt from
 * `value`, keeping only the document-level comments (`rebuilt`).
 */
export function applyToDocument(document: Document, value: unknown): ApplyOutcome {
  for (let pass = 0; pass < 3; pass++) {
    let current: unknown;
    try {
      current = toPlain(document);
    } catch {
      break;
    }
    if (jsonEqual(current, value)) return pass === 0 ? 'unchanged' : 'patched';
    document.contents = patchNode(document, document.contents, current, value) as typeof document.contents;
  }
  const root = document.contents;
  const rebuilt = document.createNode(value, CREATE);
  if (isNode(root)) carryComments(root, rebuilt);
  document.contents = rebuilt as typeof document.contents;
  return 'rebuilt';
}

/** A fresh Document for `value`, for a file that does not exist yet. */
export function createYamlDocument(value: unknown): Document {
  return new Document(value, CREATE);
}

/** The file's own layout, so that rewritten parts look like the untouched ones. */
export interface YamlLayout {
  /** Serialiser options for `Document.toString`. */
  readonly options: ToStringOptions;
  /** Lines end with CRLF. */
  readonly crlf: boolean;
  /** The text starts with a byte order mark. */
  readonly bom: boolean;
  /** The text ends with a line break. */
  readonly finalNewline: boolean;
}

/**
 * Detect indentation, sequence indentation, flow-collection padding, the
 * preferred quote, line endings, BOM and final newline of YAML text
 * (`undefined`: a new file, the defaults).
 */
export function detectYamlLayout(text: string | undefined): YamlLayout {
  const source = text ?? '';
  const lines = stripBom(source).split(/\r?\n/);
  const content = lines.filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const width = (line: string) => line.length - line.trimStart().length;
  // A key that opens a block (`key:` alone on its line) and the line under it.
  const opener = /^ *[^\s#-][^#]*:\s*(#.*)?$/;
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let i = 0; i + 1 < content.length && (indent === undefined || indentSeq === undefined); i++) {
    const key = content[i]!;
    const child = content[i + 1]!;
    if (!opener.test(key)) continue;
    const step = width(child) - width(key);
    if (step > 0 && indent === undefined) indent = Math.min(8, step);
    if (/^ *- /.test(child) && indentSeq === undefined) indentSeq = step > 0;
  }
  const flow = /[:-] [[{](.)/.exec(source.replace(/\[\]|\{\}/g, ''));
  const flowCollectionPadding = flow ? flow[1] === ' ' : true;
  const singles = (source.match(/(^|[\s:[{,-])'/gm) ?? []).length;
  const doubles = (source.match(/(^|[\s:[{,-])"/gm) ?? []).length;
  return {
    options: {
      indent: indent ?? 2,
      indentSeq: indentSeq ?? true,
      flowCollectionPadding,
      lineWidth: 0,
      minContentWidth: 0,
      singleQuote: singles > doubles ? true : null,
    },
    crlf: source.includes('\r\n'),
    bom: source.startsWith('\uFEFF'),
    finalNewline: text === undefined || /\n$/.test(source),
  };
}

/** Serialise a Document in a detected layout. */
export function formatYaml(document: Document, layout: YamlLayout): string {
  let text = document.toString(layout.options);
  if (!layout.finalNewline) text = text.replace(/\n$/, '');
  if (layout.crlf) text = text.replace(/\r?\n/g, '\r\n');
  return layout.bom ? `\uFEFF${text}` : text;
}

/** Text without a leading byte order mark. */
export function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

type Kind = 'map' | 'seq' | 'scalar';

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'seq';
  return typeof value === 'object' && value !== null ? 'map' : 'scalar';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return kindOf(value) === 'map';
}

/** Make `node` (whose plain value is `old`) hold `next`; returns the node to put in its place. */
function patchNode(document: Document, node: unknown, old: unknown, next: unknown): Node {
  if (isNode(node) && jsonEqual(old, next)) return node;
  if (isMap(node) && isRecord(old) && isRecord(next)) {
    patchMap(document, node, old, next);
    return node;
  }
  if (isSeq(node) && Array.isArray(old) && Array.isArray(next) && node.items.length === old.length) {
    patchSeq(document, node, old, next);
    return node;
  }
  if (isScalar(node) && canSetScalar(node.value, node.tag, next)) {
    node.value = next;
    return node;
  }
  return replaceNode(document, node, next);
}

const PLAIN_TAGS: Record<string, readonly string[]> = {
  string: ['tag:yaml.org,2002:str'],
  number: ['tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'],
  boolean: ['tag:yaml.org,2002:bool'],
};

/** A scalar can take the new value in place when the type stays and no other explicit tag says otherwise. */
function canSetScalar(current: unknown, tag: string | undefined, next: unknown): boolean {
  const type = typeof next;
  if (next === null || typeof current !== type || !(type in PLAIN_TAGS)) return false;
  return tag === undefined || PLAIN_TAGS[type]!.includes(tag);
}

/** A new node for `next` in place of `old`, keeping the comments around `old`. */
function replaceNode(document: Document, old: unknown, next: unknown): Node {
  const created = document.createNode(next, CREATE);
  if (isNode(old)) {
    releaseAnchors(document, old);
    carryComments(old, created);
    if ((isMap(old) || isSeq(old)) && (isMap(created) || isSeq(created)) && old.flow) created.flow = true;
  }
  return created;
}

function carryComments(from: Node, to: Node): void {
  if (from.commentBefore) to.commentBefore = from.commentBefore;
  if (from.comment) to.comment = from.comment;
  if (from.spaceBefore) to.spaceBefore = from.spaceBefore;
}

/** The string a map key has in the plain value; `undefined` for a merge key (`<<`). */
function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) {
    if (typeof key.value === 'symbol') return key.value.description === '<<' ? undefined : String(key.value.description);
    return String(key.value);
  }
  if (isAlias(key) || isNode(key)) return JSON.stringify(key.toJSON());
  return String(key);
}

function isMergePair(document: Document, pair: Pair): boolean {
  const key = pair.key;
  if (!isScalar(key)) return false;
  if (typeof key.value === 'symbol') return key.value.description === '<<';
  return (
    key.value === '<<' && (!key.type || key.type === 'PLAIN') && document.schema.tags.some((tag) => tag.tag === 'tag:yaml.org,2002:merge')
  );
}

function patchMap(document: Document, map: YAMLMap, old: Record<string, unknown>, next: Record<string, unknown>): void {
  const pairs = map.items as Pair[];
  const mergePairs = pairs.filter((pair) => isMergePair(document, pair));
  const own = new Set<string>();
  for (const pair of pairs) {
    if (mergePairs.includes(pair)) continue;
    const key = keyOf(pair.key);
    if (key !== undefined) own.add(key);
  }
  /** Inherited keys (from `<<`) whose value stays: they need no pair of their own. */
  const inheritedSame = new Set<string>();
  if (mergePairs.length > 0) {
    const inherited = Object.keys(old).filter((key) => !own.has(key));
    if (inherited.every((key) => Object.hasOwn(next, key))) {
      for (const key of inherited) if (jsonEqual(old[key], next[key])) inheritedSame.add(key);
    } else {
      for (const pair of mergePairs) {
        if (isNode(pair.value)) releaseAnchors(document, pair.value);
        map.items.splice(map.items.indexOf(pair), 1);
      }
    }
  }
  const seen = new Set<string>();
  for (const pair of [...pairs]) {
    if (mergePairs.includes(pair)) continue;
    const key = keyOf(pair.key);
    if (key === undefined) continue;
    if (!Object.hasOwn(next, key)) {
      if (isNode(pair.value)) releaseAnchors(document, pair.value);
      map.items.splice(map.items.indexOf(pair), 1);
      continue;
    }
    seen.add(key);
    pair.value = patchNode(document, pair.value, old[key], next[key]);
  }
  for (const [key, value] of Object.entries(next)) {
    if (seen.has(key) || inheritedSame.has(key)) continue;
    map.items.push(new Pair(document.createNode(key), document.createNode(value, CREATE)));
  }
}

/** The identity of a sequence item, for matching items that changed. */
function identityOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
  if (text('name') !== undefined && text('in') !== undefined) return `parameter ${text('in')} ${text('name')}`;
  for (const key of ['$ref', 'operationId', 'url', 'name']) {
    const found = text(key);
    if (found !== undefined) return `${key} ${found}`;
  }
  return undefined;
}

function patchSeq(document: Document, seq: YAMLSeq, old: readonly unknown[], next: readonly unknown[]): void {
  const items = seq.items as unknown[];
  const match = matchItems(old, next);
  const used = new Set(match.filter((index) => index >= 0));
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!used.has(i) && isNode(item)) releaseAnchors(document, item);
  }
  seq.items = next.map((value, j) => {
    const from = match[j]!;
    return from >= 0 ? patchNode(document, items[from], old[from], value) : document.createNode(value, CREATE);
  });
}

/** For each new item, the index of the old item it continues, or -1 for a new one. */
function matchItems(old: readonly unknown[], next: readonly unknown[]): number[] {
  const match = new Array<number>(next.length).fill(-1);
  const taken = new Array<boolean>(old.length).fill(false);
  const pair = (j: number, i: number) => {
    match[j] = i;
    taken[i] = true;
  };
  let start = 0;
  while (start < old.length && start < next.length && jsonEqual(old[start], next[start])) pair(start, start++);
  let endOld = old.length;
  let endNext = next.length;
  while (endOld > start && endNext > start && jsonEqual(old[endOld - 1], next[endNext - 1])) pair(--endNext, --endOld);
  const rows = endOld - start;
  const cols = endNext - start;
  if (rows > 0 && cols > 0 && rows * cols <= LCS_LIMIT) {
    // Longest common subsequence of equal items in the middle.
    const table = Array.from({ length: rows + 1 }, () => new Uint32Array(cols + 1));
    for (let i = rows - 1; i >= 0; i--) {
      for (let j = cols - 1; j >= 0; j--) {
        table[i]![j] = jsonEqual(old[start + i], next[start + j])
          ? table[i + 1]![j + 1]! + 1
          : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < rows && j < cols) {
      if (jsonEqual(old[start + i], next[start + j])) {
        pair(start + j, start + i);
        i++;
        j++;
      } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
      else j++;
    }
  }
  // Same identity (a parameter whose schema changed stays the same parameter).
  const byIdentity = new Map<string, number[]>();
  for (let i = 0; i < old.length; i++) {
    const id = taken[i] ? undefined : identityOf(old[i]);
    if (id !== undefined) byIdentity.set(id, [...(byIdentity.get(id) ?? []), i]);
  }
  for (let j = 0; j < next.length; j++) {
    if (match[j]! >= 0) continue;
    const id = identityOf(next[j]);
    const candidates = id === undefined ? undefined : byIdentity.get(id);
    const i = candidates?.shift();
    if (i !== undefined) pair(j, i);
  }
  // Then by position, between the neighbours already matched, for items of the same kind.
  let previous = -1;
  for (let j = 0; j < next.length; j++) {
    if (match[j]! >= 0) {
      previous = match[j]!;
      continue;
    }
    let bound = old.length;
    for (let k = j + 1; k < next.length; k++) {
      if (match[k]! >= 0) {
        bound = match[k]!;
        break;
      }
    }
    const idNext = identityOf(next[j]);
    for (let i = previous + 1; i < bound; i++) {
      const idOld = identityOf(old[i]);
      if (taken[i] || kindOf(old[i]) !== kindOf(next[j]) || (idOld !== undefined && idNext !== undefined && idOld !== idNext)) continue;
      pair(j, i);
      previous = i;
      break;
    }
  }
  return match;
}

/**
 * Before `removed` leaves the Document (or changes), give every alias
 * outside it that points at an anchor inside it a copy of the anchored
 * node, so that no alias is left dangling.
 */
function releaseAnchors(document: Document, removed: Node): void {
  const anchors = new Map<string, Node>();
  const inside = new Set<unknown>();
  visit(removed, {
    Node(_, node) {
      inside.add(node);
      if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  if (anchors.size === 0) return;
  visit(document, {
    Alias(_, alias) {
      if (inside.has(alias)) return undefined;
      const target = anchors.get(alias.source);
      if (target === undefined) return undefined;
      const copy = target.clone() as Node;
      visit(copy, {
        Node(_, node) {
          delete node.anchor;
        },
      });
      carryComments(alias, copy);
      return copy;
    },
  });
}
