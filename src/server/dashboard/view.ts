/**
 * Small DOM helpers of the dashboard: elements built with text only (never
 * `innerHTML`), times, and the side-by-side JSON view of a conflict.
 */

type Child = Node | string | undefined | false;

/** An element with attributes and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}

/** A time as the reader's clock shows it. */
export function time(ms: number | undefined): string {
  return ms === undefined ? '—' : new Date(ms).toLocaleTimeString();
}

/** A value as pretty JSON; `undefined` (absent on that side) says so. */
export function json(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value, null, 2);
}

/**
 * One side of a conflict as a `<pre>`: lines that are not in the base
 * version are marked (`<mark>`), so the eye finds what each side changed.
 */
function side(title: string, value: unknown, base: unknown, compare: boolean): HTMLElement {
  const baseLines = new Set(json(base).split('\n'));
  const pre = h('pre', { tabindex: '0', 'aria-label': `${title} value` });
  for (const line of json(value).split('\n')) {
    const changed = compare && !baseLines.has(line);
    pre.append(changed ? h('mark', {}, line) : line, '\n');
  }
  return h('div', { class: 'side' }, h('h5', {}, title), pre);
}

/** Base, local and remote side by side (stacked on a narrow window). */
export function threeWay(base: unknown, local: unknown, remote: unknown): HTMLElement {
  return h(
    'div',
    { class: 'three-way' },
    side('Base', base, base, false),
    side('Local', local, base, true),
    side('Remote', remote, base, true),
  );
}
