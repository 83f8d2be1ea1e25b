import { parse as parseYaml } from 'yaml';
import { SpecError } from '../errors.js';
import { canonicalHash } from './hash.js';
import type { LoadedSpec, LoadOptions, SpecVersion } from './types.js';

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Turn bytes (JSON or YAML) or an already-parsed value into a validated
 * OpenAPI 3.x document with its canonical hash. Throws a `SpecError` naming
 * what was received when the input is not a usable OpenAPI document.
 */
export async function loadSpec(input: string | Uint8Array | object, options: LoadOptions = {}): Promise<LoadedSpec> {
  let value: unknown;
  let format: LoadedSpec['format'];
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > (options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      throw new SpecError('SPEC_INVALID', `The document is ${size} bytes, over the limit of ${options.maxBytes ?? DEFAULT_MAX_BYTES}.`, {
        hint: 'Raise `maxBytes` if the document is really that large.',
      });
    }
    const trimmed = text.trim();
    if (trimmed === '') throw new SpecError('SPEC_EMPTY', `The document${where(options)} is empty.`, { hint: 'Check that the server or file serves the OpenAPI document.' });
    if (/^<(!doctype|html|\?xml|head|body)/i.test(trimmed)) {
      throw new SpecError('SPEC_HTML', `Expected an OpenAPI document${where(options)}, got an HTML page starting "${trimmed.slice(0, 60)}".`, {
        hint: 'The URL probably points at the docs UI or an error page; point it at the JSON or YAML document.',
      });
    }
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        value = JSON.parse(trimmed);
        format = 'json';
      } catch (error) {
        throw new SpecError('SPEC_PARSE', `The document${where(options)} is not valid JSON: ${(error as Error).message}.`, { cause: error, hint: 'Fix the JSON syntax.' });
      }
    } else {
      try {
        value = parseYaml(trimmed, { maxAliasCount: 100 });
        format = 'yaml';
      } catch (error) {
        throw new SpecError('SPEC_PARSE', `The document${where(options)} is neither JSON nor valid YAML: ${(error as Error).message}.`, { cause: error, hint: 'Fix the YAML syntax.' });
      }
    }
  } else {
    value = input;
    format = 'object';
  }
  const { document, version, warnings } = validate(value, options);
  return { document, hash: canonicalHash(document), sourceVersion: version, format, warnings };
}

function where(options: LoadOptions): string {
  return options.location === undefined ? '' : ` from ${options.location}`;
}

function validate(value: unknown, options: LoadOptions): { document: Record<string, unknown>; version: SpecVersion; warnings: string[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError('SPEC_NOT_OPENAPI', `Expected an OpenAPI document${where(options)}, got ${Array.isArray(value) ? 'an array' : typeof value}.`, {
      hint: 'Point the source at the OpenAPI JSON or YAML document.',
    });
  }
  const document = value as Record<string, unknown>;
  const warnings: string[] = [];
  let version: SpecVersion;
  if (typeof document.openapi === 'string' && /^3\.0\./.test(document.openapi)) version = '3.0';
  else if (typeof document.openapi === 'string' && /^3\.1\./.test(document.openapi)) version = '3.1';
  else if (document.swagger === '2.0') version = '2.0';
  else if (document.openapi !== undefined || document.swagger !== undefined) {
    throw new SpecError('SPEC_UNSUPPORTED_VERSION', `Unsupported OpenAPI version ${JSON.stringify(document.openapi ?? document.swagger)}${where(options)}.`, {
      hint: 'The engine reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents.',
    });
  } else {
    const keys = Object.keys(document).slice(0, 5).join(', ');
    throw new SpecError('SPEC_NOT_OPENAPI', `Expected an OpenAPI document${where(options)}, got a JSON object with keys ${keys || '(none)'}.`, {
      hint: 'The response looks like an error or another API; point the source at the OpenAPI document.',
    });
  }
  if (document.info === null || typeof document.info !== 'object') warnings.push('The document has no `info` object.');
  const paths = document.paths;
  if (paths !== undefined && (paths === null || typeof paths !== 'object' || Array.isArray(paths))) {
    throw new SpecError('SPEC_INVALID', `\`paths\`${where(options)} must be an object.`, { hint: 'Fix the document so `paths` maps path templates to path items.' });
  }
  if (paths === undefined && document.webhooks === undefined) {
    throw new SpecError('SPEC_NO_PATHS', `The document${where(options)} has no \`paths\`.`, { hint: 'Check that the server registered its routes before serving the document.' });
  }
  return { document, version, warnings };
}
