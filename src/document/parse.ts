import { Lexer, LineCounter, parseDocument } from 'yaml';
import { SpecError } from '../errors.js';

/** The outcome of {@link parseText}. */
export interface ParsedText {
  value: unknown;
  format: 'json' | 'yaml';
  /**
   * True when the value needs a plain-JSON copy: YAML output may share nodes
   * (aliases) and hold non-JSON values (`%YAML 1.1` timestamps become `Date`s).
   */
  needsCopy: boolean;
  warnings: string[];
}

/** Options of {@link parseText} and {@link decodeBytes}. */
export interface ParseOptions {
  maxDepth: number;
  maxAliasCount: number;
  contentType: string | undefined;
  where: string;
}

/** Bytes to text: UTF-8 (BOM stripped); gzip and other binary input refused with a clear message. */
export function decodeBytes(bytes: Uint8Array, where: string): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new SpecError('SPEC_PARSE', `Expected an OpenAPI document${where}, got gzip-compressed bytes.`, {
      hint: 'Decompress the body first (HTTP sources do this when the server sends `Content-Encoding: gzip`).',
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SpecError('SPEC_PARSE', `Expected UTF-8 text${where}, got bytes that are not valid UTF-8 (starting ${hex(bytes)}).`, {
      cause: error,
      hint: 'Serve or save the OpenAPI document as UTF-8 JSON or YAML.',
    });
  }
}

/**
 * Parse JSON or YAML text, known not to be empty or markup. Leading blank
 * lines are kept, so that the lines of a YAML error are the file's own.
 */
export function parseText(text: string, options: ParseOptions): ParsedText {
  const start = text.trimStart();
  const looksJson = start.startsWith('{') || start.startsWith('[') || /\bjson\b/i.test(options.contentType ?? '');
  let jsonError: unknown;
  if (looksJson) {
    try {
      return { value: JSON.parse(text), format: 'json', needsCopy: false, warnings: [] };
    } catch (error) {
      jsonError = error;
    }
  }
  checkFlowDepth(text, options);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { merge: true, prettyErrors: false, strict: false, lineCounter });
  const first = document.errors[0];
  if (first !== undefined) {
    if (/call stack/i.test(first.message)) throw tooDeep(options);
    if (jsonError !== undefined) throw notJson(jsonError, options);
    const at = yamlErrorAt(text, first.pos[0], lineCounter);
    throw new SpecError(
      'SPEC_PARSE',
      `The document${options.where} is neither JSON nor valid YAML: ${first.message.replace(/\.$/, '')} (line ${at.line}, column ${at.column}):\n${at.excerpt}`,
      {
        cause: first,
        hint: 'Fix the syntax at that line and column.',
        details: { yamlCode: first.code, line: at.line, column: at.column },
      },
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: options.maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new SpecError(
        'SPEC_ALIAS_LIMIT',
        `The YAML document${options.where} expands its aliases more than ${options.maxAliasCount} times; refused as a possible alias bomb ("billion laughs").`,
        {
          cause: error,
          hint: 'Expand the aliases in the file, or raise `maxAliasCount` if the document is trusted.',
          details: { maxAliasCount: options.maxAliasCount },
        },
      );
    }
    if (error instanceof RangeError) throw tooDeep(options);
    throw new SpecError('SPEC_PARSE', `The YAML document${options.where} could not be read: ${(error as Error).message}.`, {
      cause: error,
      hint: 'Fix the YAML.',
    });
  }
  const warnings = document.warnings.map(
    (warning) => `YAML: ${warning.message.replace(/\.$/, '')} (line ${lineCounter.linePos(warning.pos[0]).line}).`,
  );
  return { value, format: 'yaml', needsCopy: true, warnings };
}

/** Where in a text a YAML error is, for messages: see {@link yamlErrorAt}. */
export interface YamlErrorPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Two lines: the offending line (tabs shown as `→`, long lines cut around the column), and a caret under the column. */
  excerpt: string;
}

/** Characters of a long line shown around the column. */
const EXCERPT_WIDTH = 100;

/** Line, column and a short excerpt of the error at `offset` in `text`, as counted by the parse's `lineCounter`. */
export function yamlErrorAt(text: string, offset: number, lineCounter: LineCounter): YamlErrorPosition {
  const { line, col: column } = lineCounter.linePos(offset);
  const lineStart = lineCounter.lineStarts[line - 1] ?? 0;
  const lineEnd = text.indexOf('\n', lineStart);
  const whole = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  // A window around the column when the line is long.
  const from = Math.max(0, Math.min(column - 1 - EXCERPT_WIDTH / 2, whole.length - EXCERPT_WIDTH));
  const shown =
    `${from > 0 ? '…' : ''}${whole.slice(from, from + EXCERPT_WIDTH)}${from + EXCERPT_WIDTH < whole.length ? '…' : ''}`.replaceAll(
      '\t',
      '→',
    );
  const gutter = String(line);
  const caret = ' '.repeat(column - 1 - from + (from > 0 ? 1 : 0));
  return { line, column, excerpt: `  ${gutter} | ${shown}\n  ${' '.repeat(gutter.length)} | ${caret}^` };
}

/**
 * The `yaml` parser builds its syntax tree with memory proportional to the
 * nesting, and a few megabytes of `[[[[...` (or `- - - ...`) exhaust the heap
 * and kill the process. So measure the nesting first with yaml's own lexer,
 * which streams tokens without building anything: flow brackets, plus the
 * compact `- ` and `? ` indicators that open a collection on the same line.
 */
function checkFlowDepth(text: string, options: ParseOptions): void {
  let flow = 0;
  let line = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') flow++;
    else if (token === ']' || token === '}') flow = flow > 0 ? flow - 1 : 0;
    else if (token === '-' || token === '?') line++;
    else if (token === '\n') line = 0;
    else continue;
    if (flow + line > options.maxDepth) throw tooDeep(options);
  }
}

function tooDeep(options: ParseOptions): SpecError {
  return new SpecError('SPEC_TOO_DEEP', `The document${options.where} is nested deeper than ${options.maxDepth} levels.`, {
    hint: 'Real OpenAPI documents are far shallower; check the generator, or raise `maxDepth` if the nesting is intended.',
    details: { maxDepth: options.maxDepth },
  });
}

function notJson(error: unknown, options: ParseOptions): SpecError {
  return new SpecError('SPEC_PARSE', `The document${options.where} is not valid JSON: ${(error as Error).message}.`, {
    cause: error,
    hint: 'Fix the JSON syntax at that position.',
  });
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
