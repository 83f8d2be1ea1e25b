import { describe, expect, it } from 'vitest';
import { parseAnswer, prepareConflict, removesLocalContent } from '../../src/conflict/ai-prompt.js';
import { isSecretKey, isSecretLocation, REDACTED, redactionPatterns, redactSecrets, redactText } from '../../src/conflict/redact.js';
import { SECRET_KEY_ENDINGS, SECRET_KEY_NAMES, SECRET_KEY_STEMS } from '../../src/conflict/secret-names.js';
import { conflict, makeContext } from './support.js';
import { MUTATION_RUN } from '../support/mutation.js';

describe('isSecretKey', () => {
  it('knows secret names in any spelling', () => {
    for (const key of [
      'auth',
      'Authorization',
      'password',
      'token',
      'apiKey',
      'api_key',
      'X-API-Key',
      'secret',
      'bearer',
      'Cookie',
      'Set-Cookie',
      'client_secret',
      'currentValue',
      'accessToken',
      'x-auth-token',
      'db_password',
      'pwd',
      'credential',
      'access_key',
      'aws_secret_access_key',
      'ssh_private_key',
      'spring.datasource.password',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves ordinary OpenAPI keys alone', () => {
    for (const key of [
      'author',
      'authType',
      'bearerFormat',
      'tokenUrl',
      'authorizationUrl',
      'description',
      'name',
      'value',
      'tokens',
      'oauth',
      'publicKey',
      'aws_access_key_id',
      '',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('every secret name and ending holds a stem the text scanner looks for', () => {
    for (const name of [...SECRET_KEY_NAMES, ...SECRET_KEY_ENDINGS]) {
      expect(
        SECRET_KEY_STEMS.some((stem) => name.includes(stem)),
        name,
      ).toBe(true);
    }
  });
});

describe('redactSecrets', () => {
  it('hides secret members, sensitive pairs and secret variables, keeping structure', () => {
    const input = {
      user: 'bob',
      password: 'p',
      auth: { authType: 'bearer', token: 't' },
      headers: [
        { key: 'Authorization', value: 'Bearer x', active: true },
        { key: 'Accept', value: 'application/json' },
      ],
      parameters: [{ name: 'api_key', in: 'query', example: 'k', schema: { default: 'k' } }],
      variables: [{ key: 'session', value: 'v', initialValue: 'i', secret: true }],
      nothing: null,
    };
    const { value, redacted } = redactSecrets(input);
    expect(redacted).toBe(true);
    expect(value).toEqual({
      user: 'bob',
      password: REDACTED,
      auth: REDACTED,
      headers: [
        { key: 'Authorization', value: REDACTED, active: true },
        { key: 'Accept', value: 'application/json' },
      ],
      parameters: [{ name: 'api_key', in: 'query', example: REDACTED, schema: REDACTED }],
      variables: [{ key: 'session', value: REDACTED, initialValue: REDACTED, secret: true }],
      nothing: null,
    });
    expect(input.password).toBe('p');
  });

  it('scans every string and every key, keeping the rest of the text', () => {
    const input = {
      description: 'Call it with password=hunter2 (see docs).',
      examples: ['plain', 'ghp_R2d2C3poK9x8Lm4Nq7Ws1Vb6Tz0Yh5Jg3Fk8'],
      keys: { 'sk-live-4eC39HqLyjWDarjtT1zdp7dc9Xq2': 1, 'sk-test-4eC39HqLyjWDarjtT1zdp7dc9Xq2': 2, '[REDACTED]': 3 },
    };
    const { value, redacted } = redactSecrets(input);
    expect(redacted).toBe(true);
    expect(value).toEqual({
      description: 'Call it with password=[REDACTED] (see docs).',
      examples: ['plain', REDACTED],
      keys: { [REDACTED]: 1, [`${REDACTED} (2)`]: 2, [`${REDACTED} (3)`]: 3 },
    });
  });

  it('keeps a member named __proto__ as a member', () => {
    const input = JSON.parse('{"__proto__": {"note": "token=abc123"}}') as unknown;
    const { value } = redactSecrets(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"note":"token=[REDACTED]"}}');
  });

  it('reports when nothing was hidden', () => {
    expect(redactSecrets({ a: [1, { b: 'c' }] })).toEqual({ value: { a: [1, { b: 'c' }] }, redacted: false });
  });
});

describe('isSecretLocation', () => {
  it('hides a path through a secret key or into a sensitive object', () => {
    const doc = { variables: [{ key: 'k', value: 'v', secret: true }], headers: [{ key: 'Cookie', value: 'c' }] };
    expect(isSecretLocation(['x', 'token'], [doc])).toBe(true);
    expect(isSecretLocation(['variables', '0', 'value'], [doc])).toBe(true);
    expect(isSecretLocation(['variables', '0', 'key'], [doc])).toBe(false);
    expect(isSecretLocation(['headers', '0', 'value'], [undefined, doc])).toBe(true);
    expect(isSecretLocation(['info', 'title'], [doc])).toBe(false);
  });
});

describe('prepareConflict', () => {
  it('lists absent sides, names the operation and omits oversized fragments', () => {
    const big = 'x'.repeat(500);
    const prepared = prepareConflict(
      { path: '/paths/~1pets/get/description', kind: 'changed-vs-deleted', base: 'b', local: big, remote: undefined },
      makeContext(),
      100,
    );
    expect(prepared.prompt).toEqual({
      path: '/paths/~1pets/get/description',
      kind: 'changed-vs-deleted',
      operation: 'GET /pets',
      base: 'b',
      local: '[OMITTED: 502 characters of JSON]',
      absent: ['remote'],
      hidden: true,
    });
    expect(prepareConflict(conflict('/info/title'), makeContext(), 100).prompt.hidden).toBe(false);
  });
});

describe('removesLocalContent', () => {
  it('counts deletions, lost members and shorter arrays, not changed scalars', () => {
    expect(removesLocalContent('a', undefined)).toBe(true);
    expect(removesLocalContent(undefined, 'a')).toBe(false);
    expect(removesLocalContent('a', 'b')).toBe(false);
    expect(removesLocalContent({ a: { b: 1, c: 2 } }, { a: { b: 1 } })).toBe(true);
    expect(removesLocalContent({ a: 1 }, { a: 2, b: 3 })).toBe(false);
    expect(removesLocalContent([1, 2], [1])).toBe(true);
    expect(removesLocalContent([1, 2], [3, 4, 5])).toBe(false);
    expect(removesLocalContent({ a: 1 }, 'text')).toBe(true);
  });
});

describe('parseAnswer', () => {
  it('reads value_json or value, and refuses anything out of shape', () => {
    expect(
      parseAnswer(
        '{"decisions":[{"path":"/a","take":"value","value_json":"[1]","reason":"r"},{"path":"/b","take":"value","value":{"x":1},"reason":"r"}]}',
      ),
    ).toEqual({
      ok: true,
      decisions: [
        { path: '/a', take: 'value', value: [1], reason: 'r' },
        { path: '/b', take: 'value', value: { x: 1 }, reason: 'r' },
      ],
    });
    expect(parseAnswer(null)).toMatchObject({ ok: false });
    expect(parseAnswer('[]')).toMatchObject({ ok: false });
    expect(parseAnswer('{"decisions":[null]}')).toMatchObject({ ok: false });
    expect(parseAnswer('{"decisions":[{"path":"/a","take":"local"}]}')).toMatchObject({ ok: false });
  });
});

describe('redactText', () => {
  const examples: [pattern: string, text: string, expected: string][] = [
    [
      'pem-private-key',
      'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nq9Zt==\n-----END RSA PRIVATE KEY-----\nthanks',
      `key:\n-----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----\nthanks`,
    ],
    [
      'pem-private-key',
      '"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n"',
      `"-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----\\n"`,
    ],
    [
      'pem-private-key',
      'cut off: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA',
      `cut off: -----BEGIN OPENSSH PRIVATE KEY-----${REDACTED}`,
    ],
    [
      'url-userinfo',
      'psql postgres://admin:s3cr3t@db.internal:5432/app and https://example.com/a@b',
      `psql postgres://${REDACTED}@db.internal:5432/app and https://example.com/a@b`,
    ],
    ['url-userinfo', 'git clone https://x-access-token:abc@github.com/o/r.git', `git clone https://${REDACTED}@github.com/o/r.git`],
    ['bearer-basic-credential', 'send Bearer abc.DEF-123_xyz~+/= now', `send Bearer ${REDACTED} now`],
    ['bearer-basic-credential', '-H "authorization: basic dXNlcjpwYXNz"', `-H "authorization: basic ${REDACTED}"`],
    ['openai-key', 'key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t, then', `key ${REDACTED}, then`],
    ['stripe-key', 'stripe sk_live_51HxYz2eZvKYlo2C0 and pk_test_TYooMQauvdEDq54N', `stripe ${REDACTED} and ${REDACTED}`],
    [
      'github-token',
      '(ghs_16C7e42F292c6912E7710c838347Ae178B4a) github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      `(${REDACTED}) ${REDACTED}`,
    ],
    ['aws-access-key-id', 'id=AKIAIOSFODNN7EXAMPLE;ASIAY34FZKBOKMUTVV7A', `id=${REDACTED};${REDACTED}`],
    ['slack-token', 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy', REDACTED],
    ['jwt', 'jwt: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U.', `jwt: ${REDACTED}.`],
    ['secret-key-pair', 'user=bob&password=hunter2&page=2', `user=bob&password=${REDACTED}&page=2`],
    ['secret-key-pair', '{"client_secret": "a b c", "id": "x"}', `{"client_secret": "${REDACTED}", "id": "x"}`],
    ['secret-key-pair', "AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'", `AWS_SECRET_ACCESS_KEY = '${REDACTED}'`],
    ['secret-key-pair', 'X-Api-Key: abc123 and Authorization: Bearer tok', `X-Api-Key: ${REDACTED} and Authorization: Bearer ${REDACTED}`],
    [
      'secret-key-pair',
      '--db-password=p4ss pwd:x credential="unclosed value',
      `--db-password=${REDACTED} pwd:${REDACTED} credential="${REDACTED}`,
    ],
  ];

  it.each(examples)('%s: %j', (_pattern, text, expected) => {
    expect(redactText(text)).toEqual({ text: expected, redacted: true });
  });

  it('has an example for every pattern', () => {
    expect([...new Set(examples.map(([pattern]) => pattern))].sort()).toEqual(redactionPatterns.map((pattern) => pattern.name).sort());
  });

  it('hides a secret whose start hides inside another one', () => {
    expect(redactText('password= -----BEGIN PRIVATE KEY-----\nMIIEvQ\n').text).toBe(`password= ${REDACTED}${REDACTED}`);
    expect(redactText('token:"api_key": "s3cr3t"').text).toBe(`token:"${REDACTED}"${REDACTED}`);
    expect(redactText('basic x/Bearer abcdefghijklmnopqrstuvwxyz').text).toBe(`basic ${REDACTED}${REDACTED}`);
  });

  it('leaves prose, placeholders and variables alone', () => {
    for (const text of [
      'The token endpoint returns a bearer token.',
      'Basic authentication, Bearer JWTs, Bearer <token>, Authorization: Bearer <<token>>',
      'password={{password}} token: ${TOKEN} "api_key": "<<apiKey>>"',
      'getTokenInfo, tokenUrl: https://auth.example.com/token, see https://example.com/a?b=c#d',
      'task-scheduler-v2-preview-release, pk_users_id, AKIA, eyJ, ghp_short',
      'mail bob@example.com, the password policy, author: Ann',
    ]) {
      expect(redactText(text), text).toEqual({ text, redacted: false });
    }
  });

  it('takes linear time on a megabyte of adversarial text', () => {
    // A megabyte; 64 KiB in a mutation run, still far past where backtracking explodes.
    const size = MUTATION_RUN ? 1 << 16 : 1 << 20;
    const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const inputs = [
      ...['a', 'a-', 'a.', 'a=', 'a:', '"a":', 'a'.repeat(70) + '=', `${'x'.repeat(60)}_token=`, 'tokentokentoken'],
      ...[
        'password=',
        'password = ',
        'password="',
        'password="\\"',
        '"token":"',
        '"token":"\\"token\\":\\"',
        "password='",
        'Authorization: Bearer ',
      ],
      ...['-', '-----BEGIN PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n', '----a', 'https://', 'a://', 'https://a:b@'],
      ...['Bearer ', 'Bearer a/', 'basic basic ', 'sk-a', 'sk-', 'eyJ', 'eyJaaaaaaaa.', 'AKIA', 'xoxb-', 'ghp_', 'github_pat_'],
    ].map(fill);
    inputs.push(`-----BEGIN PRIVATE KEY-----${fill('A')}`, `https://${fill('a')}`, `Bearer ${fill('a')}`, `eyJ${fill('a')}`);
    for (const input of inputs) {
      const started = performance.now();
      redactText(input);
      // Linear is tens to hundreds of milliseconds here; catastrophic backtracking is minutes.
      expect(performance.now() - started, JSON.stringify(input.slice(0, 40))).toBeLessThan(3_000);
    }
  });
});

describe('redaction: edges', () => {
  it('says a credential after Bearer alone is one at 20 characters, or at 8 with a digit, + / = or mixed case', () => {
    const hidden = ['send Bearer abcdefghijklmnopqrst now', 'Bearer abcdefg1', 'Bearer abc+defg', 'Bearer abcDefgh'];
    for (const text of hidden) expect(redactText(text).text, text).toContain(REDACTED);
    for (const text of ['send Bearer abcdefghijklmnopqrs now', 'Bearer ABCDEFGH', 'uses Bearer Authentication']) {
      expect(redactText(text), text).toStrictEqual({ text, redacted: false });
    }
  });

  it('reads a pair’s value to its closing quote or the end of the line, and leaves an empty one or a variable alone', () => {
    expect(redactText("password='hunter2 and more\nnext line")).toStrictEqual({ text: `password='${REDACTED}\nnext line`, redacted: true });
    for (const text of ['password="" and more', "password='' and more", 'password={{token}}.', 'token: <<token>>)']) {
      expect(redactText(text), text).toStrictEqual({ text, redacted: false });
    }
    expect(redactText('password=abc{{token}}').text).toBe(`password=${REDACTED}`);
    expect(redactText('password={{token}}abc').text).toBe(`password=${REDACTED}`);
  });

  it('hides a secret that starts inside a private key block and runs past it', () => {
    expect(redactText('-----BEGIN PRIVATE KEY-----AAAA password=abc-----def')).toStrictEqual({
      text: `-----BEGIN PRIVATE KEY-----${REDACTED}${REDACTED}`,
      redacted: true,
    });
  });

  it('describes every pattern', () => {
    for (const pattern of redactionPatterns) expect(pattern.description, pattern.name).toMatch(/\S{8}/);
    expect(new Set(redactionPatterns.map((pattern) => pattern.description)).size).toBe(redactionPatterns.length);
  });

  it('hides nothing in a secret member that holds no value: null, absent or a flag', () => {
    const value = { password: null, token: undefined, secret: false, apiKey: true };
    const out = redactSecrets(value);
    expect(out).toStrictEqual({ value: { password: null, token: undefined, secret: false, apiKey: true }, redacted: false });
  });

  it('keeps visible, in a sensitive object, only what names it and how it is used', () => {
    const header = {
      key: 'Authorization',
      value: 'v',
      name: 'n',
      in: 'header',
      active: 'yes',
      enabled: 'on',
      secret: 'flag',
      type: 'text',
      description: 'd',
    };
    expect(redactSecrets(header)).toStrictEqual({
      // `secret` stays visible as the usual flag (a boolean); a text under that name is a secret like any other.
      value: {
        key: 'Authorization',
        value: REDACTED,
        name: 'n',
        in: 'header',
        active: 'yes',
        enabled: 'on',
        secret: REDACTED,
        type: 'text',
        description: REDACTED,
      },
      redacted: true,
    });
  });

  it('writes plain, writable members, and hides what lies deeper than 200 levels', () => {
    const out = redactSecrets({ a: { b: 1 } }).value as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, 'a')).toStrictEqual({
      value: { b: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const nest = (levels: number): unknown => {
      let doc: unknown = { leaf: 'x' };
      for (let i = 0; i < levels; i++) doc = { d: doc };
      return doc;
    };
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null
        ? 1 + depthOf((value as { d?: unknown; leaf?: unknown }).d ?? (value as { leaf?: unknown }).leaf)
        : 0;
    expect(redactSecrets(nest(200))).toStrictEqual({ value: nest(200), redacted: false });
    const deep = redactSecrets(nest(201));
    expect(deep.redacted).toBe(true);
    expect(depthOf(deep.value)).toBe(201);
  });

  it('takes the conflict’s own value for a value, not for a place: a whole header is redacted, not withheld', () => {
    const doc = { headers: [{ key: 'Authorization', value: 'Bearer x' }], n: null };
    expect(isSecretLocation(['headers', '0'], [doc])).toBe(false);
    expect(isSecretLocation(['headers', '0', 'value'], [doc])).toBe(true);
    expect(isSecretLocation(['n', 'x'], [doc])).toBe(false);
    expect(isSecretLocation(['headers', '5', 'value'], [doc])).toBe(false);
  });
});
