/**
 * JSON layout of the OpenAPI file target: keep the file's own indentation,
 * line endings, byte order mark and final newline.
 *
 * @module
 */

/** How a JSON file is laid out. */
export interface JsonLayout {
  /** `JSON.stringify` indentation: a number of spaces, `'\t'`, or 0 for one line. */
  readonly indent: number | '\t';
  /** Lines end with CRLF. */
  readonly crlf: boolean;
  /** The text starts with a byte order mark. */
  readonly bom: boolean;
  /** The text ends with a line break. */
  readonly finalNewline: boolean;
}

/** The layout of a new file: two spaces, LF, a final newline. */
export const defaultJsonLayout: JsonLayout = Object.freeze({ indent: 2, crlf: false, bom: false, finalNewline: true });

/**
 * Detect the layout of JSON text: the indentation of the first indented
 * line (tabs or 1 to 10 spaces); a one-line file that holds something stays
 * on one line; an empty `{}` gets the default.
 */
export function detectJsonLayout(text: string): JsonLayout {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const first = /\n([ \t]+)\S/.exec(body)?.[1];
  let indent: number | '\t' = defaultJsonLayout.indent;
  if (first !== undefined) indent = first.startsWith('\t') ? '\t' : Math.min(10, first.length);
  else if (!body.trim().includes('\n') && !/^\s*(\{\s*\}|\[\s*\])\s*$/.test(body)) indent = 0;
  return { indent, crlf: body.includes('\r\n'), bom: body !== text, finalNewline: /\n$/.test(body) };
}

/** Serialise a value in a layout; key order is the value's own. */
export function formatJson(value: unknown, layout: JsonLayout): string {
  let text = JSON.stringify(value, null, layout.indent);
  if (layout.finalNewline) text += '\n';
  if (layout.crlf) text = text.replace(/\n/g, '\r\n');
  return layout.bom ? `\uFEFF${text}` : text;
}
