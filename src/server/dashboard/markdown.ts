/**
 * A Markdown renderer for the changelogs the handler serves, and nothing
 * more: headings, list items, paragraphs, code spans, bold and backslash
 * escapes. It builds DOM nodes and sets only their text, never HTML, so
 * whatever the spec's text holds (`<script>`, `<img onerror>`) shows as text.
 */

/** Inline text: `` `code` ``, `**bold**`, `\x` escapes; everything else literal. */
export function renderInline(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let plain = '';
  const flush = (): void => {
    if (plain !== '') fragment.append(document.createTextNode(plain));
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      plain += text[++i];
      continue;
    }
    if (char === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) {
        flush();
        const code = document.createElement('code');
        code.textContent = text.slice(i + 1, end);
        fragment.append(code);
        i = end;
        continue;
      }
    }
    if (char === '*' && text[i + 1] === '*') {
      const end = text.indexOf('**', i + 2);
      if (end > i + 1) {
        flush();
        const strong = document.createElement('strong');
        strong.append(renderInline(text.slice(i + 2, end)));
        fragment.append(strong);
        i = end + 1;
        continue;
      }
    }
    plain += char;
  }
  flush();
  return fragment;
}

/** A stable anchor for a heading's text. */
export function anchorOf(prefix: string, text: string): string {
  return `${prefix}-${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/**
 * Render `markdown` into a new element. `#` becomes a level-`baseLevel`
 * heading, `##` the next level, and so on; each operation heading (`###`)
 * links to itself, so it can be shared.
 */
export function renderMarkdown(markdown: string, baseLevel: number, anchorPrefix: string): HTMLElement {
  const root = document.createElement('div');
  root.className = 'markdown';
  let list: HTMLUListElement | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (line.startsWith('- ')) {
      if (!list) root.append((list = document.createElement('ul')));
      const item = document.createElement('li');
      item.append(renderInline(line.slice(2)));
      list.append(item);
      continue;
    }
    list = undefined;
    if (heading) {
      const depth = heading[1]!.length;
      const element = document.createElement(`h${Math.min(6, baseLevel + depth - 1)}`);
      if (depth === 3) {
        const link = document.createElement('a');
        element.id = anchorOf(anchorPrefix, heading[2]!);
        link.href = `#${element.id}`;
        link.append(renderInline(heading[2]!));
        element.append(link);
      } else {
        element.append(renderInline(heading[2]!));
      }
      root.append(element);
    } else if (line.trim() !== '') {
      const paragraph = document.createElement('p');
      paragraph.append(renderInline(line));
      root.append(paragraph);
    }
  }
  return root;
}
