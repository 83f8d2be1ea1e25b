import { canonicalJson, HTTP_METHODS } from '../json/index.js';
import { SpecError } from '../errors.js';
import type { SpecVersion } from './types.js';

/** The checks' outcome: the version family and the tolerated problems. */
export interface Validation {
  version: SpecVersion;
  warnings: string[];
}

/**
 * Check what the engine relies on, strictly: a supported version marker, an
 * `info` object, `paths` (or 3.1 `webhooks`) as an object of path items whose
 * operations are objects. Everything else is tolerated and reported as a warning.
 */
export function validateDocument(value: unknown, where: string, allowEmptyPaths: boolean): Validation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError('SPEC_NOT_OPENAPI', `Expected an OpenAPI document${where}, got ${kindOf(value)}.`, {
      hint: 'Point the source at the OpenAPI JSON or YAML document itself.',
    });
  }
  const document = value as Record<string, unknown>;
  const warnings: string[] = [];
  const version = detectVersion(document, where, warnings);

  const info = document.info;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new SpecError('SPEC_INVALID', `The ${label(version)} document${where} has no \`info\` object (got ${kindOf(info)}).`, {
      hint: 'Add `info: { title, version }` to the document; the engine needs it to name the API.',
    });
  }
  const { title, version: apiVersion } = info as Record<string, unknown>;
  if (typeof title !== 'string') warnings.push('`info.title` is missing or not a string.');
  if (typeof apiVersion !== 'string') warnings.push('`info.version` is missing or not a string.');

  const paths = document.paths;
  const webhooks = document.webhooks;
  checkMap(paths, 'paths', where);
  checkMap(webhooks, 'webhooks', where);
  if (webhooks !== undefined && version !== '3.1')
    warnings.push(`\`webhooks\` is an OpenAPI 3.1 field; this ${label(version)} document has it anyway.`);
  const pathCount = paths === undefined ? 0 : Object.keys(paths as object).filter((key) => !key.startsWith('x-')).length;
  const webhookCount = version === '3.1' && webhooks !== undefined ? Object.keys(webhooks as object).length : 0;
  if (paths === undefined && webhookCount === 0) {
    throw new SpecError(
      'SPEC_NO_PATHS',
      `The ${label(version)} document${where} has no \`paths\`${version === '3.1' ? ' and no `webhooks`' : ''} (its keys: ${keyList(document)}).`,
      {
        hint: 'Check that the server registered its routes before it served the document.',
      },
    );
  }
  if (pathCount === 0 && webhookCount === 0 && !allowEmptyPaths) {
    throw new SpecError('SPEC_NO_PATHS', `The ${label(version)} document${where} has an empty \`paths\` object: no operations at all.`, {
      hint: 'A server often serves this before its routes are registered; retry later, or set `allowEmptyPaths: true` if the API really is empty.',
    });
  }
  const operationIds = new Map<string, string>();
  for (const [mapName, map] of [
    ['paths', paths],
    ['webhooks', webhooks],
  ] as const) {
    if (map === undefined) continue;
    for (const [key, item] of Object.entries(map as Record<string, unknown>)) {
      if (key.startsWith('x-')) continue;
      if (mapName === 'paths' && !key.startsWith('/')) warnings.push(`Path "${key}" does not start with "/".`);
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new SpecError('SPEC_INVALID', `${mapName}["${key}"]${where} must be a path item object, got ${kindOf(item)}.`, {
          hint: 'Give the path at least one operation, or remove it.',
          details: { path: key },
        });
      }
      for (const method of HTTP_METHODS) {
        const operation = (item as Record<string, unknown>)[method];
        if (operation === undefined) continue;
        if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) {
          throw new SpecError(
            'SPEC_INVALID',
            `${mapName}["${key}"].${method}${where} must be an operation object, got ${kindOf(operation)}.`,
            {
              hint: 'Fix or remove that operation.',
              details: { path: key, method },
            },
          );
        }
        const id = (operation as Record<string, unknown>).operationId;
        if (typeof id !== 'string') continue;
        const previous = operationIds.get(id);
        if (previous !== undefined) warnings.push(`operationId "${id}" is used by both ${previous} and ${method.toUpperCase()} ${key}.`);
        else operationIds.set(id, `${method.toUpperCase()} ${key}`);
      }
    }
  }
  const components = document.components;
  if (components !== undefined && (components === null || typeof components !== 'object' || Array.isArray(components))) {
    throw new SpecError('SPEC_INVALID', `\`components\`${where} must be an object, got ${kindOf(components)}.`, {
      hint: 'Fix the document so `components` maps component kinds (schemas, parameters, ...) to named entries.',
    });
  }
  return { version, warnings };
}

function detectVersion(document: Record<string, unknown>, where: string, warnings: string[]): SpecVersion {
  const { openapi, swagger } = document;
  if (typeof openapi === 'string') {
    const match = /^3\.([01])(\.\d+)?(-[\w.]+)?$/.exec(openapi.trim());
    if (match !== null) {
      if (match[2] === undefined) warnings.push(`\`openapi: ${openapi}\` should name a patch release, e.g. "3.${match[1]}.0".`);
      return match[1] === '0' ? '3.0' : '3.1';
    }
  } else if (openapi === 3 || openapi === 3.0 || openapi === 3.1) {
    warnings.push(`\`openapi\` is the number ${openapi}; it should be a string such as "${openapi === 3.1 ? '3.1.0' : '3.0.3'}".`);
    return openapi === 3.1 ? '3.1' : '3.0';
  }
  if (openapi === undefined) {
    if (swagger === '2.0') return '2.0';
    if (swagger === 2 || swagger === 2.0) {
      warnings.push('`swagger` is the number 2; it should be the string "2.0".');
      return '2.0';
    }
  }
  if (openapi !== undefined || swagger !== undefined) {
    throw new SpecError(
      'SPEC_UNSUPPORTED_VERSION',
      `Unsupported version ${openapi !== undefined ? `openapi: ${JSON.stringify(openapi)}` : `swagger: ${JSON.stringify(swagger)}`}${where}; expected swagger "2.0" or openapi "3.0.x" or "3.1.x".`,
      {
        hint: 'The engine reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents; convert the document or have the server emit one of those.',
        details: { openapi, swagger },
      },
    );
  }
  throw new SpecError(
    'SPEC_NOT_OPENAPI',
    `Expected an OpenAPI document${where}, got an object with keys ${keyList(document)}: ${preview(document)}.`,
    {
      hint: 'That looks like an error response or another API; point the source at the OpenAPI document (it has an `openapi` or `swagger` field).',
      details: { keys: Object.keys(document).slice(0, 20) },
    },
  );
}

function checkMap(value: unknown, name: string, where: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError('SPEC_INVALID', `\`${name}\`${where} must be an object, got ${kindOf(value)}.`, {
      hint: `Fix the document so \`${name}\` maps path templates to path item objects.`,
    });
  }
}

function label(version: SpecVersion): string {
  return version === '2.0' ? 'Swagger 2.0' : `OpenAPI ${version}`;
}

function keyList(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return '(none)';
  const shown = keys
    .slice(0, 8)
    .map((key) => `"${key}"`)
    .join(', ');
  return keys.length > 8 ? `${shown} and ${keys.length - 8} more` : shown;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = canonicalJson(value);
  } catch {
    text = '(unprintable)';
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** A short description of a received value, for messages. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}
