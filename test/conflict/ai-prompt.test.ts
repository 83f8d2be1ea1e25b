/** What the AI resolver sends and how it reads the answer, on their own (the resolver itself: openai.test.ts). */
import { describe, expect, it } from 'vitest';
import { containsMarker, parseAnswer, prepareConflict, removesLocalContent, systemPrompt } from '../../src/conflict/ai-prompt.js';
import { REDACTED } from '../../src/conflict/redact.js';
import { conflict, makeContext } from './support.js';

describe('prepareConflict', () => {
  it('withholds a conflict whose path holds a secret, sending nothing of it', () => {
    const prepared = prepareConflict(conflict('/info/x-note/sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t', 'a', 'b'), makeContext(), 1000);
    expect(prepared.withheld).toMatch(/\S/);
    expect(prepared.prompt).toStrictEqual({ path: REDACTED, kind: 'both-changed', absent: [], hidden: true });
  });

  it('sends a side of exactly the limit, and omits one a character longer', () => {
    const side = 'x'.repeat(98); // 100 characters of JSON
    expect(prepareConflict(conflict('/info/title', side, 'r'), makeContext(), 100).prompt).toMatchObject({ local: side, hidden: false });
    expect(prepareConflict(conflict('/info/title', side, 'r'), makeContext(), 99).prompt).toMatchObject({
      local: '[OMITTED: 100 characters of JSON]',
      hidden: true,
    });
  });
});

describe('systemPrompt', () => {
  it('adds the project guidance trimmed and redacted, and nothing for blank guidance', () => {
    const plain = systemPrompt(undefined);
    expect(systemPrompt('   \n ')).toBe(plain);
    expect(systemPrompt('  descriptions follow the code; token=abc123  ')).toBe(
      `${plain}\nProject guidance: descriptions follow the code; token=${REDACTED}`,
    );
    expect(plain.split('\n').length).toBeGreaterThan(3);
  });
});

describe('parseAnswer: refusals', () => {
  const problem = (content: string | null) => {
    const answer = parseAnswer(content);
    return answer.ok ? undefined : answer.problem;
  };

  it('says what is wrong with an answer', () => {
    expect(problem('  \n ')).toBe('the answer had no content');
    expect(problem(`{"decisions": [${'x'.repeat(60)}`)).toBe(
      `the answer is not valid JSON (starts ${JSON.stringify(`{"decisions": [${'x'.repeat(60)}`.slice(0, 40))})`,
    );
    for (const content of ['null', '5', '"text"', '{"decisions": {}}'])
      expect(problem(content), content).toBe('the answer is out of schema: expected an object with a `decisions` array');
    expect(problem('{"decisions": [5]}')).toBe('the answer is out of schema: decisions[0] is not an object');
    expect(problem('{"decisions": [{"path": "/a", "take": "local", "reason": "r"}, []]}')).toBe(
      'the answer is out of schema: decisions[1] is not an object',
    );
    expect(problem('{"decisions": [{"path": 5, "take": "local", "reason": "r"}]}')).toContain('decisions[0] needs a string path');
    expect(problem('{"decisions": [{"path": "/a", "take": "local", "reason": "r", "value_json": 5}]}')).toBe(
      'the answer is out of schema: decisions[0].value_json must be a string or null',
    );
  });

  it('reads a value only for take "value", and only from JSON text or a value member', () => {
    expect(parseAnswer('{"decisions": [{"path": "/a", "take": "remote", "reason": "r", "value_json": "\\"x\\""}]}')).toStrictEqual({
      ok: true,
      decisions: [{ path: '/a', take: 'remote', reason: 'r' }],
    });
    expect(parseAnswer('{"decisions": [{"path": "/a", "take": "value", "reason": "r", "value_json": null}]}')).toStrictEqual({
      ok: true,
      decisions: [{ path: '/a', take: 'value', reason: 'r' }],
    });
    expect(parseAnswer('{"decisions": [{"path": "/a", "take": "value", "reason": "r", "value_json": "{not json"}]}')).toStrictEqual({
      ok: true,
      decisions: [{ path: '/a', take: 'value', reason: 'r' }],
    });
  });
});

describe('containsMarker', () => {
  it('finds either marker anywhere in a value', () => {
    expect(containsMarker(`a ${REDACTED} b`)).toBe(true);
    expect(containsMarker({ a: ['[OMITTED: 5 characters of JSON]'] })).toBe(true);
    expect(containsMarker({ a: 'plain', b: [1] })).toBe(false);
    expect(containsMarker(undefined)).toBe(false);
  });
});

describe('removesLocalContent: edges', () => {
  it('takes undefined members as absent and null as a plain value', () => {
    expect(removesLocalContent(undefined, undefined)).toBe(false);
    expect(removesLocalContent(null, 'x')).toBe(false);
    expect(removesLocalContent({ a: undefined }, {})).toBe(false);
    expect(removesLocalContent({ a: 1 }, null)).toBe(true);
    expect(removesLocalContent({}, 'x')).toBe(false);
    expect(removesLocalContent({ 0: 'x' }, ['x'])).toBe(true);
  });

  it('counts an array replaced by a non-array as a removal only when it held something', () => {
    expect(removesLocalContent([1], 'x')).toBe(true);
    expect(removesLocalContent([], 'x')).toBe(false);
    expect(removesLocalContent([1, 2], [3, 4])).toBe(false);
  });
});
