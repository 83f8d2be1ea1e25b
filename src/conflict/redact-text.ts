/**
 * Finding secrets inside text (for the AI resolver): token shapes, credentials
 * after `Bearer`/`Basic`, URL userinfo, `key=value` pairs whose key names a
 * secret, PEM private keys. Only the secret span is replaced, so the rest of
 * the text still tells the model what it is about.
 *
 * One precompiled scanner, one left-to-right pass per string. Every part of it
 * is linear: no nested quantifiers over overlapping classes, starts pinned by
 * a lookbehind or a literal, bounded key lengths, and runs that stop at the
 * next place another attempt would start.
 *
 * @module
 */
import { isSecretKey, SECRET_KEY_STEMS } from './secret-names.js';

/** What replaces a secret in anything sent out. */
export const REDACTED = '[REDACTED]';

/** One kind of secret found inside text, as listed in docs/ai-resolver.md. */
export interface RedactionPattern {
  /** A stable short name, e.g. `github-token`. */
  readonly name: string;
  /** What it finds, and which part of it becomes `[REDACTED]`. */
  readonly description: string;
}

/** How a rule treats one match: replace `[index, end)` by `replacement`, or (undefined) leave it. */
type Outcome = { replacement: string; end: number } | undefined;

/** What one scan of one text remembers: the last run of bare value characters, so a value is measured once. */
interface ScanState {
  bareStart: number;
  bareEnd: number;
}

interface Rule extends RedactionPattern {
  /** A regex source with named groups only, their names unique over all rules. */
  readonly source: string;
  /** The replacement of a match; `undefined` leaves the text as it is. */
  readonly redact: (match: RegExpExecArray, text: string, state: ScanState) => Outcome;
  /**
   * After a replacement, scan its span again: it may hide the start of another
   * secret that runs past it (a pair's value that is itself a key, a PEM
   * header after `password=`, `Bearer` inside a credential). Tokens and URL
   * userinfo hide no such start (`https://x-access-token:abc@host` is one
   * userinfo, not a pair that runs into the host).
   */
  readonly rescan?: boolean;
}

/** A start no word character, `_` or `-` touches: a token is not the tail of a longer word. */
const START = String.raw`(?<![A-Za-z0-9_-])`;

/** A word in any letter case, as a regex source (the scanner is case-sensitive for the token shapes). */
function anyCase(word: string): string {
  return [...word].map((letter) => `[${letter.toUpperCase()}${letter.toLowerCase()}]`).join('');
}

const AUTH_SCHEME = `(?:${anyCase('bearer')}|${anyCase('basic')})`;

/** A key that holds a stem of a secret name (a short prefix, the stem, a short suffix); {@link isSecretKey} decides. */
const STEMMED_KEY = String.raw`[A-Za-z0-9_.-]{0,40}?(?:${SECRET_KEY_STEMS.map(anyCase).join('|')})[A-Za-z0-9_.-]{0,24}`;

/** A named group of a scanner match: `''` when the group took no part (an optional one). */
function group(match: RegExpExecArray, name: string): string {
  // Stryker disable next-line OptionalChaining: the scanner has named groups, so a match always has `groups`
  return match.groups?.[name] ?? '';
}

/** Replaces the whole match. */
const whole = (match: RegExpExecArray): Outcome => ({ replacement: REDACTED, end: match.index + match[0].length });

/** A `Bearer`/`Basic` scheme before a pair's value: kept visible, never taken for the value (`Authorization: Bearer <token>` stays). */
const SCHEME_AT = new RegExp(String.raw`${AUTH_SCHEME}[ \t]+`, 'y');
/** A double-quoted value; without its closing quote it runs to the end of the line. */
const DOUBLE_AT = /"((?:[^"\\\r\n]|\\.)*)"?/y;
/** A single-quoted value; without its closing quote it runs to the end of the line. */
const SINGLE_AT = /'([^'\r\n]*)'?/y;
/** A bare value: up to a space, a quote, a backtick, `,`, `;`, `&`, `<` or `>`. */
const BARE_AT = /[^\s"'`,;&<>]+/y;

/** The content span `[start, end)` of the value at `at`, and where the value (with a closing quote) ends. */
function pairValue(text: string, at: number, state: ScanState): { start: number; end: number; valueEnd: number } | undefined {
  SCHEME_AT.lastIndex = at;
  const scheme = SCHEME_AT.exec(text);
  const start = at + (scheme?.[0].length ?? 0);
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    const pattern = quote === '"' ? DOUBLE_AT : SINGLE_AT;
    pattern.lastIndex = start;
    // Both patterns match at a quote (the content may be empty, the closing quote missing): `value` is never null.
    const value = pattern.exec(text);
    // Stryker disable next-line OptionalChaining,StringLiteral: the match is never null (see above)
    const content = value?.[1] ?? '';
    // Stryker disable next-line OptionalChaining: the match is never null (see above)
    return { start: start + 1, end: start + 1 + content.length, valueEnd: start + (value?.[0].length ?? 1) };
  }
  if (start < state.bareStart || start >= state.bareEnd) {
    BARE_AT.lastIndex = start;
    const bare = BARE_AT.exec(text);
    if (bare === null) return undefined;
    state.bareStart = start;
    state.bareEnd = start + bare[0].length;
  }
  return { start, end: state.bareEnd, valueEnd: state.bareEnd };
}

/**
 * A value that only refers to a variable (`{{token}}`, `<<token>>`, `${TOKEN}`,
 * perhaps ending a sentence) is no secret. A bare `$TOKEN` is not taken for
 * one: too many passwords start with `$`.
 */
export const VARIABLE_REFERENCE = /^(?:\{\{[^{}]*\}\}|<<[^<>]*>>|\$\{[^{}]*\})[.)\]]?$/;

/**
 * A credential after `Bearer`/`Basic` outside an `Authorization` pair must look
 * like one, so prose ("a bearer token", "Basic authentication") stays: 20
 * characters or more, or (the scanner asks for 8 or more) a digit, a `+`, `/`
 * or `=`, or an upper-case letter after the first character together with a
 * lower-case one.
 */
function looksLikeCredential(credential: string): boolean {
  if (credential.length >= 20) return true;
  return /[\d+/=]/.test(credential) || (/[A-Z]/.test(credential.slice(1)) && /[a-z]/.test(credential));
}

const RULES: readonly Rule[] = [
  {
    name: 'pem-private-key',
    description:
      'PEM private keys (`-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`, PGP `PRIVATE KEY BLOCK` too): the body between the two lines; a block without its end line loses everything up to the next `-----` or the end of the text',
    source: String.raw`(?<pemHead>-----BEGIN [A-Z0-9 ]{0,40}?PRIVATE KEY(?: BLOCK)?-----)(?:[^-]|-(?!----))*(?<pemTail>-----END [A-Z0-9 ]{0,40}?PRIVATE KEY(?: BLOCK)?-----)?`,
    redact: (match) => ({
      replacement: `${group(match, 'pemHead')}${REDACTED}${group(match, 'pemTail')}`,
      end: match.index + match[0].length,
    }),
    rescan: true,
  },
  {
    name: 'url-userinfo',
    description: 'user and password in a URL (`https://user:pass@host`): the part before `@`; scheme, host and path stay',
    source: String.raw`(?<![A-Za-z0-9+.-])(?<urlScheme>[A-Za-z][A-Za-z0-9+.-]{0,31}://)[^\s/?#@"'<>\\\x60{}|^\[\]]+@`,
    redact: (match) => ({ replacement: `${group(match, 'urlScheme')}${REDACTED}@`, end: match.index + match[0].length }),
  },
  {
    name: 'bearer-basic-credential',
    description:
      'the credential after `Bearer` or `Basic` (any case), in an `Authorization:` line or alone; alone it must look like one (20 characters or more, or 8 or more with a digit or mixed case), so "a bearer token" stays',
    source: String.raw`${START}(?<authScheme>${AUTH_SCHEME})[ \t]+(?<authCredential>[A-Za-z0-9._~+/-]{8,}=*)`,
    redact: (match) => {
      const credential = group(match, 'authCredential');
      if (!looksLikeCredential(credential)) return undefined;
      return { replacement: `${match[0].slice(0, match[0].length - credential.length)}${REDACTED}`, end: match.index + match[0].length };
    },
    rescan: true,
  },
  {
    name: 'openai-key',
    description: 'OpenAI-style keys `sk-…`, `sk-proj-…`, `rk-…` (20 characters or more after the dash): the whole key',
    source: String.raw`${START}(?:sk|rk)-[A-Za-z0-9_-]{20,}`,
    redact: whole,
  },
  {
    name: 'stripe-key',
    description: 'Stripe-style keys `sk_live_…`, `sk_test_…`, `rk_live_…`, `rk_test_…`, `pk_live_…`, `pk_test_…`: the whole key',
    source: String.raw`${START}(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}`,
    redact: whole,
  },
  {
    name: 'github-token',
    description: 'GitHub tokens `ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…` and `github_pat_…`: the whole token',
    source: String.raw`${START}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})`,
    redact: whole,
  },
  {
    name: 'aws-access-key-id',
    description:
      'AWS access key ids `AKIA…` and `ASIA…` (16 more upper-case letters or digits): the whole id; an `aws_secret_access_key=…` pair is a secret key pair',
    source: String.raw`${START}(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`,
    redact: whole,
  },
  {
    name: 'slack-token',
    description: 'Slack tokens `xoxa-…`, `xoxb-…`, `xoxp-…`, `xoxr-…`, `xoxs-…`: the whole token',
    source: String.raw`${START}xox[abprs]-[A-Za-z0-9-]{10,}`,
    redact: whole,
  },
  {
    name: 'jwt',
    description: 'JSON Web Tokens: three base64url parts joined by dots, the first starting `eyJ`: the whole token',
    source: String.raw`${START}eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`,
    redact: whole,
  },
  {
    name: 'secret-key-pair',
    description:
      '`key=value`, `key: value` and `"key": "value"` whose key names a secret (the same names as for members: password, pwd, secret, token, api_key, access_key, client_secret, private_key, auth, authorization, credential, `aws_secret_access_key`, …): only the value, quotes and a `Bearer`/`Basic` scheme stay; a bare value ends at a space, a quote, `,`, `;`, `&`, `<` or `>`; a value that only names a variable (`{{token}}`, `<<token>>`, `${TOKEN}`) stays',
    source: String.raw`(?<![A-Za-z0-9_.-])(?<pairQuote>["']?)(?<pairKey>${STEMMED_KEY})\k<pairQuote>[ \t]*[:=][ \t]*`,
    redact: (match, text, state) => {
      if (!isSecretKey(group(match, 'pairKey'))) return undefined;
      const value = pairValue(text, match.index + match[0].length, state);
      if (value === undefined || value.end === value.start) return undefined;
      if (VARIABLE_REFERENCE.test(text.slice(value.start, value.end))) return undefined;
      return {
        replacement: `${text.slice(match.index, value.start)}${REDACTED}${text.slice(value.end, value.valueEnd)}`,
        end: value.valueEnd,
      };
    },
    rescan: true,
  },
];

/**
 * What {@link redactSecrets} finds inside strings (values, object keys, and the
 * `instructions` sent to the model), by name and description, in the order the
 * scanner tries them. docs/ai-resolver.md lists the same names (a test checks).
 */
export const redactionPatterns: readonly RedactionPattern[] = RULES.map(({ name, description }) => ({ name, description }));

const SCANNER = new RegExp(RULES.map((rule, index) => `(?<rule${index}>${rule.source})`).join('|'), 'g');

/**
 * `text` with every secret span the patterns find replaced by
 * {@link REDACTED}, in one left-to-right pass; `redacted` says whether
 * anything was. A match that starts inside a span already replaced (see
 * `rescan`) and runs past it hides the rest of its own span too.
 */
export function redactText(text: string): { text: string; redacted: boolean } {
  const state: ScanState = { bareStart: 0, bareEnd: 0 };
  let out = '';
  let copied = 0;
  SCANNER.lastIndex = 0;
  for (let found = SCANNER.exec(text); found !== null; found = SCANNER.exec(text)) {
    const match = found;
    SCANNER.lastIndex = match.index + 1;
    // Exactly one alternative of the scanner matched.
    // Stryker disable next-line OptionalChaining: the scanner has named groups, so a match always has `groups`
    const rule = RULES.find((_, index) => match.groups?.[`rule${index}`] !== undefined) as Rule;
    const outcome = rule.redact(match, text, state);
    if (outcome === undefined || outcome.end <= copied) continue;
    out += match.index < copied ? REDACTED : text.slice(copied, match.index) + outcome.replacement;
    copied = outcome.end;
    if (rule.rescan !== true) SCANNER.lastIndex = outcome.end;
  }
  return copied > 0 ? { text: out + text.slice(copied), redacted: true } : { text, redacted: false };
}
