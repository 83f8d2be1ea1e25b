/** Applying a merged value onto a parsed YAML Document: only what changed is touched. */
import fc from 'fast-check';
import { parse, parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyToDocument, detectYamlLayout, formatYaml, toPlain } from '../../src/targets/openapi-yaml.js';

const jsonEqualPlain = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(JSON.parse(JSON.stringify(b)));

/** Parse `text`, apply `next`, and return the outcome and the text in the file's own layout. */
function apply(text: string, next: unknown): { outcome: string; text: string } {
  const document = parseDocument(text, { merge: true });
  const outcome = applyToDocument(document, next);
  return { outcome, text: formatYaml(document, detectYamlLayout(text)) };
}

describe('applyToDocument', () => {
  it('reports unchanged and leaves the text alone when the value is the same', () => {
    const text = '# c\na: 1 # one\nb: [x, y]\n';
    expect(apply(text, { a: 1, b: ['x', 'y'] })).toEqual({ outcome: 'unchanged', text });
  });

  it('updates scalars in place, keeping comments and quoting style', () => {
    const text = 'a: \'one\' # keep\nb: "two"\nc: |\n  line\n';
    expect(apply(text, { a: 'uno', b: 'dos', c: 'first\nsecond\n' }).text).toBe('a: \'uno\' # keep\nb: "dos"\nc: |\n  first\n  second\n');
  });

  it('replaces a scalar whose type changes, keeping its comment', () => {
    const text = 'a: yes-ish # note\nb: 1\n';
    const result = apply(text, { a: { nested: true }, b: '1' });
    expect(result.text).toContain('# note');
    expect(parse(result.text)).toEqual({ a: { nested: true }, b: '1' });
  });

  it('drops removed keys with their comments and appends new keys in the order of the value', () => {
    const text = 'z: 1\n# about y\ny: 2\nx: 3 # x\n';
    expect(apply(text, { c: 0, x: 3, z: 1, a: 9 }).text).toBe('z: 1\nx: 3 # x\nc: 0\na: 9\n');
  });

  it('keeps each comment with its sequence item when an item is inserted or removed in the middle', () => {
    const text = [
      'list:',
      '  - name: a # first',
      '    in: query',
      '  - name: b # second',
      '    in: query',
      '  - name: c # third',
      '    in: query',
      '',
    ].join('\n');
    const next = {
      list: [
        { name: 'a', in: 'query' },
        { name: 'new', in: 'query' },
        { name: 'c', in: 'query', required: true },
      ],
    };
    expect(apply(text, next).text).toBe(
      [
        'list:',
        '  - name: a # first',
        '    in: query',
        '  - name: new',
        '    in: query',
        '  - name: c # third',
        '    in: query',
        '    required: true',
        '',
      ].join('\n'),
    );
  });

  it('matches a changed parameter by (in, name) even when the list is reordered', () => {
    const text = 'p:\n  - name: a # A\n    in: query\n    x: 1\n  - name: b # B\n    in: query\n';
    const result = apply(text, {
      p: [
        { name: 'b', in: 'query' },
        { name: 'a', in: 'query', x: 2 },
      ],
    });
    expect(result.text).toBe('p:\n  - name: b # B\n    in: query\n  - name: a # A\n    in: query\n    x: 2\n');
  });

  it('keeps an anchor and hands the old value to an alias when the anchored node changes', () => {
    const text = 'schemas:\n  # the pet\n  Pet: &pet\n    type: object # always\n  Copy: *pet\n';
    const result = apply(text, { schemas: { Pet: { type: 'object', required: ['id'] }, Copy: { type: 'object' } } });
    expect(result.outcome).toBe('patched');
    expect(result.text).toContain('  # the pet\n  Pet: &pet\n    type: object # always\n    required:');
    expect(parse(result.text)).toEqual({ schemas: { Pet: { type: 'object', required: ['id'] }, Copy: { type: 'object' } } });
  });

  it('keeps an alias whose value still matches, and materialises it when its anchor goes away', () => {
    const text = 'a: &x {k: 1}\nb: *x\nc: *x\n';
    expect(apply(text, { a: { k: 1 }, b: { k: 1 }, c: { k: 1 }, d: 1 }).text).toBe('a: &x { k: 1 }\nb: *x\nc: *x\nd: 1\n');
    const removed = apply(text, { b: { k: 1 }, c: { k: 2 } });
    expect(removed.text).not.toContain('*x');
    expect(parse(removed.text)).toEqual({ b: { k: 1 }, c: { k: 2 } });
  });

  it('keeps a merge key when what it brings in is unchanged, overriding only what changed', () => {
    const text = 'base: &base\n  a: 1\n  b: 2\nuse:\n  <<: *base # shared\n  c: 3\n';
    const same = apply(text, { base: { a: 1, b: 2 }, use: { a: 1, b: 5, c: 3 } });
    expect(same.text).toBe('base: &base\n  a: 1\n  b: 2\nuse:\n  <<: *base # shared\n  c: 3\n  b: 5\n');
    expect(parse(same.text, { merge: true })).toEqual({ base: { a: 1, b: 2 }, use: { a: 1, b: 5, c: 3 } });
    const dropped = apply(text, { base: { a: 1, b: 2 }, use: { a: 1, c: 3 } });
    expect(dropped.text).not.toContain('<<');
    expect(parse(dropped.text, { merge: true })).toEqual({ base: { a: 1, b: 2 }, use: { a: 1, c: 3 } });
  });

  it('writes a string that looks like another type quoted', () => {
    const text = 'a: hello\nb: world\n';
    const result = apply(text, { a: 'true', b: '1.0', c: 'null' });
    expect(parse(result.text)).toEqual({ a: 'true', b: '1.0', c: 'null' });
  });

  it('always ends holding exactly the new value, with every untouched comment (property)', () => {
    const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__' && k !== '<<');
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    })).map as fc.Arbitrary<Record<string, unknown>>;
    fc.assert(
      fc.property(json, json, fc.boolean(), (before, after, overlap) => {
        const next = overlap ? { ...before, ...after } : after;
        const document = parseDocument(stringify(before, { aliasDuplicateObjects: false }), { merge: true });
        applyToDocument(document, next);
        const text = formatYaml(document, detectYamlLayout(undefined));
        expect(toPlain(document)).toEqual(JSON.parse(JSON.stringify(next)));
        expect(parse(text)).toEqual(JSON.parse(JSON.stringify(next)));
        const again = parseDocument(text, { merge: true });
        expect(applyToDocument(again, next)).toBe('unchanged');
        expect(formatYaml(again, detectYamlLayout(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('holds exactly the new value after a few edits deep inside the document (property)', () => {
    const key = fc.string({ minLength: 1, maxLength: 4 }).filter((k) => k !== '__proto__' && k !== '<<');
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 8 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        tie('list'),
        tie('map'),
      ),
      list: fc.array(tie('value'), { maxLength: 5 }),
      map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    }));
    const edit = fc.record({ steps: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), action: fc.nat(3), key, value: json.value });
    /** Walk down by `steps`, then replace, delete, insert or add at the place reached. */
    const mutate = (value: unknown, e: { steps: number[]; action: number; key: string; value: unknown }, depth = 0): unknown => {
      const step = e.steps[depth];
      if (Array.isArray(value) && value.length > 0 && step !== undefined) {
        const i = step % value.length;
        const copy = [...value];
        if (e.action === 0 || depth === e.steps.length - 1) copy[i] = mutate(copy[i], e, depth + 1);
        if (e.action === 1) copy.splice(i, 1);
        if (e.action === 2) copy.splice(i, 0, e.value);
        return copy;
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && step !== undefined) {
        const keys = Object.keys(value);
        const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
        if (keys.length === 0 || e.action === 2) copy[e.key] = e.value;
        else if (e.action === 1) delete copy[keys[step % keys.length]!];
        else copy[keys[step % keys.length]!] = mutate(copy[keys[step % keys.length]!], e, depth + 1);
        return copy;
      }
      return depth === 0 ? value : e.value;
    };
    fc.assert(
      fc.property(json.map, fc.array(edit, { minLength: 1, maxLength: 4 }), (before, edits) => {
        const next = JSON.parse(JSON.stringify(edits.reduce<unknown>((v, e) => mutate(v, e), before))) as unknown;
        const text = stringify(before, { aliasDuplicateObjects: false }).replace(/^(\s*)([^\s#-][^\n]*)$/gm, '$1$2 # c');
        const document = parseDocument(text, { merge: true });
        fc.pre(document.errors.length === 0 && jsonEqualPlain(toPlain(document), before));
        const outcome = applyToDocument(document, next);
        expect(outcome).not.toBe('rebuilt');
        expect(toPlain(document)).toEqual(next);
        expect(parse(formatYaml(document, detectYamlLayout(text)))).toEqual(next);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every comment of keys that stay (property)', () => {
    const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1 });
    fc.assert(
      fc.property(names, names, (before, after) => {
        const text = before.map((k) => `${k}: 1 # comment ${k}\n`).join('');
        const next = Object.fromEntries(after.map((k) => [k, 2]));
        const result = apply(text, next).text;
        for (const k of after) if (before.includes(k)) expect(result).toContain(`${k}: 2 # comment ${k}`);
        const kept = before.filter((k) => after.includes(k));
        expect(Object.keys(parse(result) as object).slice(0, kept.length)).toEqual(kept);
      }),
      { numRuns: 200 },
    );
  });
});
