import { SpecError } from '../errors.js';

interface ConvertResult {
  openapi?: unknown;
}
type ConvertObj = (swagger: unknown, options: Record<string, unknown>) => Promise<ConvertResult>;

let converter: Promise<ConvertObj> | undefined;

/** Load swagger2openapi only when a Swagger 2.0 document actually arrives: most users never need it. */
async function loadConverter(): Promise<ConvertObj> {
  // @ts-expect-error swagger2openapi ships no type declarations; the one function we use is typed above.
  const module = (await import('swagger2openapi')) as { convertObj?: ConvertObj; default?: { convertObj?: ConvertObj } };
  const convertObj = module.convertObj ?? module.default?.convertObj;
  if (typeof convertObj !== 'function') throw new TypeError('swagger2openapi has no convertObj function');
  return convertObj;
}

/**
 * Upgrade a Swagger 2.0 document to OpenAPI 3.0 with swagger2openapi, in its
 * forgiving mode (`patch`: fix small mistakes; `warnOnly`: mark what it cannot
 * fix instead of failing). The marks (`x-s2o-warning`) are moved out of the
 * document into the returned warnings.
 */
export async function upgradeSwagger2(
  document: Record<string, unknown>,
  where: string,
): Promise<{ document: unknown; warnings: string[] }> {
  let result: ConvertResult;
  try {
    converter ??= loadConverter();
    const convertObj = await converter;
    // `text` is only used by swagger2openapi to keep a YAML rendering of the input we never read; giving one skips that work.
    result = await convertObj(document, { patch: true, warnOnly: true, resolve: false, text: '-' });
  } catch (error) {
    throw new SpecError(
      'SPEC_UPGRADE_FAILED',
      `The Swagger 2.0 document${where} could not be upgraded to OpenAPI 3.0: ${(error as Error)?.message ?? String(error)}.`,
      {
        cause: error,
        hint: 'Fix the Swagger document (the message says where), or serve OpenAPI 3 directly.',
      },
    );
  }
  const upgraded = result.openapi;
  if (upgraded === null || typeof upgraded !== 'object') {
    throw new SpecError(
      'SPEC_UPGRADE_FAILED',
      `The Swagger 2.0 document${where} could not be upgraded: the converter returned no document.`,
      {
        hint: 'Serve OpenAPI 3 directly, or report the document to swagger2openapi.',
      },
    );
  }
  return { document: upgraded, warnings: collectMarks(upgraded) };
}

/** Remove every `x-s2o-warning` mark (iteratively) and return them as sentences. */
function collectMarks(root: object): string[] {
  const warnings: string[] = [];
  const stack: object[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    if (seen.has(node)) continue;
    seen.add(node);
    if (!Array.isArray(node) && 'x-s2o-warning' in node) {
      warnings.push(`Swagger 2.0 upgrade: ${String(node['x-s2o-warning'])}`);
      delete node['x-s2o-warning'];
    }
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') stack.push(value);
  }
  return warnings;
}
