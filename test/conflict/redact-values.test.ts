/**
 * Secrets inside values never reach the model: the resolver runs the real
 * `openai` client against a real loopback server that records request bodies.
 */
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runResolver } from '../../src/conflict/index.js';
import { openAIResolver, type OpenAIResolverOptions } from '../../src/conflict/openai.js';
import { VARIABLE_REFERENCE } from '../../src/conflict/redact-text.js';
import type { MergeConflict } from '../../src/merge/index.js';
import { decisions, FakeOpenAI, type ReceivedRequest } from './fake-openai.js';
import { conflict, makeContext } from './support.js';
import { propertyRuns } from '../support/mutation.js';

let fake: FakeOpenAI;
let client: OpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
  client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0 });
  fake.reply = (request) => ({ body: decisions(FakeOpenAI.conflictsOf(request).map((item) => ({ path: item.path, take: 'local' }))) });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

async function send(conflicts: MergeConflict[], options: Partial<OpenAIResolverOptions> = {}) {
  const resolver = openAIResolver({ client, model: 'test-model', budgetTokens: 100_000_000, maxFragmentChars: 10_000_000, ...options });
  const outcome = await runResolver(resolver, conflicts, makeContext());
  const request = fake.requests.at(-1);
  return { outcome, request, sent: request === undefined ? [] : FakeOpenAI.conflictsOf(request) };
}

/** Every string a request carries: the raw body, each message, and each key and string of the conflicts JSON. */
function stringsOf(request: ReceivedRequest): string[] {
  const strings = [request.text];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, member] of Object.entries(value)) {
        strings.push(key);
        walk(member);
      }
    }
  };
  walk(request.json);
  walk(FakeOpenAI.conflictsOf(request));
  return strings;
}

function leaks(request: ReceivedRequest | undefined, secrets: readonly string[]): string[] {
  expect(request).toBeDefined();
  const strings = stringsOf(request as ReceivedRequest);
  return secrets.filter((secret) => strings.some((text) => text.includes(secret)));
}

const OPENAI_KEY = 'sk-live-4eC39HqLyjWDarjtT1zdp7dc9Xq2';
const GITHUB_TOKEN = 'ghp_R2d2C3poK9x8Lm4Nq7Ws1Vb6Tz0Yh5Jg3Fk8';

describe('secrets inside values (the reported cases)', () => {
  it('a description with password=hunter2 and an sk- key: only the secrets are hidden, the conflict is sent hidden', async () => {
    const local = `Log in first: curl -X POST https://api.example.com/login -d 'user=bob&password=hunter2' -H "X-Trace: 1" then call with ${OPENAI_KEY} as the key.`;
    const { request, sent, outcome } = await send([conflict('/paths/~1pets/get/description', local, 'List all pets.')]);
    expect(leaks(request, ['hunter2', OPENAI_KEY, '4eC39HqLyjWDarjtT1zdp7dc'])).toEqual([]);
    expect(sent[0]).toMatchObject({
      hidden: true,
      local: `Log in first: curl -X POST https://api.example.com/login -d 'user=bob&password=[REDACTED]' -H "X-Trace: 1" then call with [REDACTED] as the key.`,
      remote: 'List all pets.',
    });
    expect(outcome.decisions[0]).toMatchObject({ take: 'local', resolver: 'openai' });
  });

  it('a ghp_ token in the example of an X-Api-Key header is hidden by its key, and in any other header by its shape', async () => {
    const byKey = conflict(
      '/paths/~1pets/get/parameters/0',
      { name: 'X-Api-Key', in: 'header', example: GITHUB_TOKEN },
      { name: 'X-Api-Key', in: 'header' },
    );
    const byShape = conflict(
      '/paths/~1pets/get/parameters/1',
      { name: 'X-Forwarded-Client', in: 'header', example: `token ${GITHUB_TOKEN}` },
      { name: 'X-Forwarded-Client', in: 'header' },
    );
    const { request, sent } = await send([byKey, byShape]);
    expect(leaks(request, [GITHUB_TOKEN, GITHUB_TOKEN.slice(4)])).toEqual([]);
    expect(sent.map((item) => [item.hidden, item.local])).toEqual([
      [true, { name: 'X-Api-Key', in: 'header', example: '[REDACTED]' }],
      [true, { name: 'X-Forwarded-Client', in: 'header', example: 'token [REDACTED]' }],
    ]);
  });

  it('a curl line with an Authorization header and a URL with a password keeps the scheme and the host', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const local = `curl -H "Authorization: Bearer ${jwt}" https://bob:s3cr3t-pw@db.example.com:5432/pets`;
    const { request, sent } = await send([conflict('/paths/~1pets/get/x-example', local, 'remote')]);
    expect(leaks(request, [jwt, 's3cr3t-pw', 'bob:'])).toEqual([]);
    expect(sent[0]?.local).toBe('curl -H "Authorization: Bearer [REDACTED]" https://[REDACTED]@db.example.com:5432/pets');
  });

  it('secrets in object keys, in the instructions and in a path never leave either', async () => {
    const keyed = conflict('/paths/~1pets/get/x-tokens', { [OPENAI_KEY]: 'owner: bob' }, {});
    const inPath = conflict(`/paths/~1hooks~1${GITHUB_TOKEN}/post/summary`, 'Hook', 'Webhook');
    const { request, sent, outcome } = await send([keyed, inPath], { instructions: `Our staging key is ${OPENAI_KEY}; prefer local.` });
    expect(leaks(request, [OPENAI_KEY, GITHUB_TOKEN])).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ hidden: true, local: { '[REDACTED]': 'owner: bob' } });
    expect(request?.json.messages[0]?.content).toContain('Our staging key is [REDACTED]; prefer local.');
    const byPath = Object.fromEntries(outcome.decisions.map((decision) => [decision.path, decision]));
    expect(byPath[inPath.path]).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(byPath[inPath.path]?.reason).toContain('path');
  });
});

describe('ordinary text is not mangled', () => {
  it('sends prose about tokens, operation ids and URLs unchanged and not hidden', async () => {
    const texts = [
      'The token endpoint returns a bearer token; pass it as `Authorization: Bearer <token>`.',
      'Basic authentication and Bearer tokens are both accepted. See https://example.com/docs/auth?page=2#tokens or mail api@example.com.',
      'Tokens expire after 3600 s (token_type is "bearer", expires_in: 3600). The password policy needs 12 characters.',
      'risk-assessment-report-for-2024, task-scheduler-v2-preview, pk_users_id, AKIA is a prefix, eyJ starts a JWT.',
      'Set `token` in the body: { "tokenUrl": "https://auth.example.com/oauth/token", "scopes": ["read"] }',
      'Variables, not secrets: password={{password}}, "api_key": "<<apiKey>>", Authorization: Bearer <<accessToken>>, token: ${TOKEN}.',
    ];
    const conflicts = [
      ...texts.map((text, index) => conflict(`/paths/~1tokens/get/x-notes/${index}`, text, `${text} (remote)`)),
      conflict('/paths/~1tokens~1{id}/get/operationId', 'getTokenInfo', 'getTokenDetails'),
      conflict('/servers/0/url', 'https://api.example.com/v1', 'https://api.example.com/v2'),
    ];
    const { sent } = await send(conflicts);
    expect(sent.map((item) => [item.local, item.remote, item.hidden])).toEqual(conflicts.map((item) => [item.local, item.remote, false]));
  });
});

// --- the property ------------------------------------------------------------

/** Text around secrets never holds a `Q`; every generated secret does, so a secret can only show up where it was put. */
const MARK = 'Q';
const textChar = fc.constantFrom(
  ...[...Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index)), '\n', '\t'].filter((char) => char !== MARK),
);
const text = (maxLength = 24) => fc.string({ unit: textChar, maxLength });
/** `minLength` to `maxLength` characters of `alphabet`, one of them the mark. */
const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...alphabet), minLength: minLength - 1, maxLength: maxLength - 1 }), fc.nat())
    .map(([body, at]) => {
      const position = at % (body.length + 1);
      return `${body.slice(0, position)}${MARK}${body.slice(position)}`;
    });
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BASE62 = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`;
const BASE64URL = `${BASE62}-_`;

/** A text holding a secret, and the parts of it that must never be sent. */
interface Embedded {
  text: string;
  secrets: string[];
}
const whole = (secret: fc.Arbitrary<string>): fc.Arbitrary<Embedded> => secret.map((value) => ({ text: value, secrets: [value] }));

const secretShapes: Record<string, fc.Arbitrary<Embedded>> = {
  openai: whole(
    fc.tuple(fc.constantFrom('sk-', 'sk-proj-', 'sk-live-', 'rk-'), chars(BASE64URL, 20, 60)).map(([prefix, body]) => prefix + body),
  ),
  stripe: whole(
    fc.tuple(fc.constantFrom('sk_live_', 'sk_test_', 'rk_live_', 'pk_live_'), chars(BASE62, 16, 40)).map(([prefix, body]) => prefix + body),
  ),
  github: whole(
    fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), chars(BASE62, 36, 36)).map(([prefix, body]) => prefix + body),
  ),
  githubPat: whole(chars(`${BASE62}_`, 82, 82).map((body) => `github_pat_${body}`)),
  awsKeyId: whole(fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars(`${UPPER}0123456789`, 16, 16)).map(([prefix, body]) => prefix + body)),
  awsSecret: fc
    .tuple(fc.constantFrom('aws_secret_access_key=', 'AWS_SECRET_ACCESS_KEY = ', 'aws_secret_access_key: '), chars(`${BASE62}+/`, 40, 40))
    .map(([pair, secret]) => ({ text: pair + secret, secrets: [secret] })),
  slack: whole(
    fc
      .tuple(fc.constantFrom('xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-'), chars(`${BASE62}-`, 20, 50))
      .map(([prefix, body]) => prefix + body),
  ),
  jwt: whole(
    fc
      .tuple(chars(BASE64URL, 10, 40), chars(BASE64URL, 10, 80), chars(BASE64URL, 1, 43))
      .map(([header, payload, signature]) => `eyJ${header}.${payload}.${signature}`),
  ),
  bearer: fc
    .tuple(
      fc.constantFrom('Bearer ', 'bearer ', 'Basic ', 'Authorization: Bearer ', 'authorization: Basic ', 'Proxy-Authorization: Bearer '),
      chars(`${BASE64URL}.~+/`, 20, 60),
      fc.constantFrom('', '=', '=='),
    )
    .map(([prefix, credential, padding]) => ({ text: prefix + credential + padding, secrets: [credential] })),
  urlUserinfo: fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'postgres://', 'redis://'),
      chars(BASE62, 3, 12),
      chars(`${BASE62}-_.~!$*+`, 6, 30),
      fc.constantFrom('db.example.com', 'example.org:8080/path'),
    )
    .map(([scheme, user, password, host]) => ({
      text: `${scheme}${user}:${password}@${host}`,
      secrets: [`${user}:${password}`, password],
    })),
  keyValue: fc
    .tuple(
      fc.constantFrom(
        'password',
        'passwd',
        'pwd',
        'secret',
        'token',
        'api_key',
        'apikey',
        'access_key',
        'client_secret',
        'private_key',
        'auth',
        'credential',
        'db_password',
        'X-Api-Key',
        'accessToken',
        'Authorization',
      ),
      fc.constantFrom('=', ': ', ':', ' = '),
      fc.boolean(),
      chars(`${BASE62}!#$%()*+-./:=?@[]^_{|}~`, 6, 40),
      chars(`${BASE62} !#$%&()*+,-./:;<=>?@[]^_{|}~`, 6, 40),
    )
    // A value that only names a variable ({{token}}) is documented as no secret.
    .filter(([, , quoted, bare, spaced]) => !VARIABLE_REFERENCE.test(quoted ? spaced : bare))
    .map(([key, separator, quoted, bare, spaced]) =>
      quoted
        ? { text: `"${key}"${separator === '=' ? ': ' : separator}"${spaced}"`, secrets: [spaced] }
        : { text: `${key}${separator}${bare}`, secrets: [bare] },
    ),
  pem: fc
    .tuple(
      fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '),
      fc.array(chars(`${BASE62}+/`, 20, 64), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
    )
    .map(([label, lines, ended]) => ({
      text: `-----BEGIN ${label}PRIVATE KEY-----\n${lines.join('\n')}\n${ended ? `-----END ${label}PRIVATE KEY-----` : ''}`,
      secrets: lines,
    })),
};

/** Separators between a secret and the random text around it (a secret glued to a longer word is not a token). */
const delimiter = fc.constantFrom(
  ' ',
  '\n',
  '\t',
  ',',
  ';',
  '(',
  ')',
  '"',
  "'",
  '<',
  '>',
  '[',
  ']',
  '{',
  '}',
  '|',
  '!',
  '/',
  ':',
  '=',
  '@',
  '#',
  '?',
  '*',
  '`',
);

/** Text next to a secret: random, or pieces that start other patterns (a scanner that stops early or resumes late leaks). */
const around = fc.oneof(
  text(),
  fc
    .array(
      fc.constantFrom(
        ...[
          'password=',
          'pwd: ',
          "secret='",
          'x=',
          'note: ',
          'Bearer',
          'Bearer ',
          'basic ',
          'Authorization: ',
          '"token": "',
          '"api_key":',
          "'",
          '"',
          '\\',
          '\n',
          ' ',
        ],
        ...[
          'https://',
          'http://u@',
          '://',
          '@',
          '-----BEGIN PRIVATE KEY-----',
          '-----END PRIVATE KEY-----',
          '-----',
          '{{',
          '}}',
          '${',
          '=',
          ':',
          '.',
          '-',
          '_',
        ],
        ...['sk-', 'sk_live_', 'ghp_', 'github_pat_', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9.', 'AKIA', 'xoxb-'],
      ),
      { maxLength: 4 },
    )
    .map((pieces) => pieces.join('')),
);

const embedded: fc.Arbitrary<Embedded> = fc
  .tuple(fc.oneof(...Object.values(secretShapes)), fc.boolean(), around, delimiter, delimiter, around)
  .map(([secret, surrounded, before, open, close, after]) =>
    surrounded ? { text: `${before}${open}${secret.text}${close}${after}`, secrets: secret.secrets } : secret,
  );

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON tree of plain text with embedded secrets placed anywhere: in strings, as members (under plain keys) and in arrays. */
const withSecrets: fc.Arbitrary<{ value: Json; secrets: string[] }> = fc
  .tuple(
    fc.jsonValue({ maxDepth: 3, stringUnit: textChar }) as fc.Arbitrary<Json>,
    fc.array(fc.tuple(embedded, fc.nat(), fc.constantFrom('member', 'element', 'string'), text(8)), { minLength: 1, maxLength: 3 }),
  )
  .map(([tree, items]) => {
    let value = structuredClone(tree);
    for (const [secret, at, how, key] of items) value = place(value, secret.text, at, how, key);
    return { value, secrets: items.flatMap(([secret]) => secret.secrets) };
  });

/** Put `secret` into the `at`-th container of `tree` (or around the tree when it has none). */
function place(tree: Json, secret: string, at: number, how: 'member' | 'element' | 'string', key: string): Json {
  const containers: (Json[] | { [key: string]: Json })[] = [];
  const collect = (node: Json): void => {
    if (Array.isArray(node)) {
      containers.push(node);
      node.forEach(collect);
    } else if (typeof node === 'object' && node !== null) {
      containers.push(node);
      Object.values(node).forEach(collect);
    }
  };
  collect(tree);
  const item: Json = how === 'member' ? { [key]: secret } : how === 'element' ? ['plain', secret] : secret;
  const target = containers[at % Math.max(containers.length, 1)];
  if (target === undefined) return [tree, item];
  if (Array.isArray(target)) target.splice(at % (target.length + 1), 0, item);
  else target[`${key}${at}`] = item;
  return tree;
}

describe('property: a secret of any known shape, anywhere in a value, never reaches the request body', () => {
  it('holds for every shape, embedded in text, as a member value and in arrays, on local and remote', async () => {
    await fc.assert(
      fc.asyncProperty(withSecrets, withSecrets, fc.jsonValue({ maxDepth: 2, stringUnit: textChar }), async (local, remote, base) => {
        fake.requests.length = 0;
        const { request, sent } = await send([
          { path: '/paths/~1pets/get/x-notes', kind: 'both-changed', base, local: local.value, remote: remote.value },
        ]);
        expect(leaks(request, [...local.secrets, ...remote.secrets])).toEqual([]);
        // Only secrets hold the mark: not one character of a secret next to it was sent either.
        expect(stringsOf(request as ReceivedRequest).filter((sentText) => sentText.includes(MARK))).toEqual([]);
        expect(sent[0]?.hidden).toBe(true);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('every shape is generated (the property is not vacuous for any of them)', () => {
    for (const [shape, arbitrary] of Object.entries(secretShapes)) {
      for (const sample of fc.sample(arbitrary, 20)) {
        expect(sample.secrets.length, shape).toBeGreaterThan(0);
        for (const secret of sample.secrets) expect(secret, shape).toContain(MARK);
      }
    }
  });
});
