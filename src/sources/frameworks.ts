/**
 * What the library knows about web frameworks that publish OpenAPI
 * documents: where they serve the document by default, which development
 * port they listen on, and the marks they leave in response headers and in
 * the documents they generate. Plain data, read by `discoverSpec` and by the
 * HTTP source's error hints; docs/discovery.md explains each entry.
 *
 * @module
 */

/** One well-known place where a framework serves its OpenAPI document. */
export interface FrameworkPath {
  /** The framework (and, where it matters, the plugin) that serves this path. */
  readonly framework: string;
  /** Path (and query) relative to the API's base URL, starting with `/`. */
  readonly path: string;
  /** Lower is tried earlier. Paths shared by several frameworks take the lowest priority of them. */
  readonly priority: number;
}

/**
 * Well-known document paths, most likely first. A path listed for several
 * frameworks is probed once; the first framework listed for it is the one
 * named when nothing else tells them apart.
 */
export const FRAMEWORK_PATHS: readonly FrameworkPath[] = [
  { framework: 'FastAPI', path: '/openapi.json', priority: 1 },
  { framework: 'Hono', path: '/openapi.json', priority: 1 },
  { framework: 'Flask-smorest', path: '/openapi.json', priority: 1 },
  { framework: 'Spring Boot (springdoc)', path: '/v3/api-docs', priority: 2 },
  { framework: 'NestJS', path: '/api-json', priority: 3 },
  { framework: 'ASP.NET Core (Swashbuckle)', path: '/swagger/v1/swagger.json', priority: 4 },
  { framework: 'ASP.NET Core (NSwag)', path: '/swagger/v1/swagger.json', priority: 4 },
  { framework: 'Express (swagger-jsdoc)', path: '/swagger.json', priority: 5 },
  { framework: 'Django (drf-yasg)', path: '/swagger.json', priority: 5 },
  { framework: 'ASP.NET Core (NSwag)', path: '/swagger.json', priority: 5 },
  { framework: 'Express (express-openapi)', path: '/api-docs', priority: 6 },
  { framework: 'Express (swagger-jsdoc)', path: '/api-docs.json', priority: 6 },
  { framework: 'Fastify (@fastify/swagger)', path: '/documentation/json', priority: 7 },
  { framework: 'Django (drf-spectacular)', path: '/api/schema/', priority: 8 },
  { framework: 'Go (swaggo/swag)', path: '/swagger/doc.json', priority: 9 },
  { framework: 'Hono', path: '/doc', priority: 10 },
  { framework: 'NestJS', path: '/docs-json', priority: 11 },
  { framework: 'Quarkus', path: '/q/openapi', priority: 12 },
  { framework: 'Flask-smorest', path: '/api/openapi.json', priority: 13 },
  { framework: 'Flask (flasgger)', path: '/apispec_1.json', priority: 14 },
  { framework: 'Laravel (L5-Swagger)', path: '/docs/api-docs.json', priority: 15 },
  { framework: 'Django (drf-spectacular)', path: '/schema/', priority: 16 },
  { framework: 'Django (drf-yasg)', path: '/swagger/?format=openapi', priority: 17 },
  { framework: 'ASP.NET Core (Microsoft.AspNetCore.OpenApi)', path: '/openapi/v1.json', priority: 18 },
  { framework: 'Spring Boot (springdoc)', path: '/v3/api-docs.yaml', priority: 19 },
  { framework: 'Spring Boot (springfox)', path: '/v2/api-docs', priority: 20 },
  { framework: 'Rails (rswag)', path: '/api-docs/v1/swagger.yaml', priority: 21 },
  { framework: 'Rails (rswag)', path: '/api-docs/v1/openapi.yaml', priority: 22 },
  { framework: 'NestJS', path: '/api-yaml', priority: 23 },
  { framework: 'Fastify (@fastify/swagger)', path: '/documentation/yaml', priority: 24 },
  { framework: 'Quarkus', path: '/openapi', priority: 25 },
  { framework: 'Litestar', path: '/schema/openapi.json', priority: 26 },
  { framework: 'Rust (utoipa)', path: '/api-docs/openapi.json', priority: 27 },
  { framework: 'Go (Huma)', path: '/openapi.yaml', priority: 28 },
  { framework: 'Django (drf-yasg)', path: '/swagger.yaml', priority: 29 },
];

/** A response header that betrays the framework or server behind an API. */
export interface HeaderSignature {
  /** Lower-case header name. */
  readonly header: string;
  /** Matched against the header value. */
  readonly pattern: RegExp;
  /** The frameworks it points at, most likely first (NestJS runs on Express and says so). */
  readonly frameworks: readonly string[];
}

/** Response headers that name a framework. Checked on every probe response, 404s included. */
export const HEADER_SIGNATURES: readonly HeaderSignature[] = [
  { header: 'server', pattern: /^(uvicorn|hypercorn)\b/i, frameworks: ['FastAPI', 'Django', 'Litestar'] },
  { header: 'x-powered-by', pattern: /^express\b/i, frameworks: ['Express', 'NestJS'] },
  { header: 'server', pattern: /^kestrel\b/i, frameworks: ['ASP.NET Core'] },
  { header: 'server', pattern: /^werkzeug\//i, frameworks: ['Flask'] },
  { header: 'server', pattern: /^wsgiserver\/.*cpython/i, frameworks: ['Django'] },
  { header: 'x-powered-by', pattern: /^php\b/i, frameworks: ['Laravel'] },
  { header: 'x-runtime', pattern: /^\d+(\.\d+)?$/, frameworks: ['Rails'] },
  { header: 'x-powered-by', pattern: /^hono\b/i, frameworks: ['Hono'] },
  { header: 'server', pattern: /^micronaut\b/i, frameworks: ['Micronaut'] },
];

/** A mark a framework's generator leaves in the document it produces. */
export interface ContentSignature {
  /** The framework it points at. */
  readonly framework: string;
  /** What the evidence line says when the test passes. */
  readonly evidence: string;
  /** True when the document carries the mark. */
  readonly test: (document: Record<string, unknown>) => boolean;
}

/** Marks that generators leave in the documents they produce. */
export const CONTENT_SIGNATURES: readonly ContentSignature[] = [
  {
    framework: 'FastAPI',
    evidence: 'components.schemas has HTTPValidationError and ValidationError (FastAPI defaults)',
    test: (doc) => {
      const schemas = field(field(doc, 'components'), 'schemas');
      return schemas !== undefined && 'HTTPValidationError' in schemas && 'ValidationError' in schemas;
    },
  },
  {
    framework: 'Spring Boot (springdoc)',
    evidence: 'servers[0].description is "Generated server url" (springdoc default)',
    test: (doc) => {
      const servers = doc.servers;
      return Array.isArray(servers) && isRecord(servers[0]) && servers[0].description === 'Generated server url';
    },
  },
  {
    framework: 'ASP.NET Core (NSwag)',
    evidence: 'x-generator names NSwag',
    test: (doc) => typeof doc['x-generator'] === 'string' && /^nswag\b/i.test(doc['x-generator']),
  },
  {
    framework: 'ASP.NET Core (Swashbuckle)',
    evidence: 'components.schemas has ProblemDetails (ASP.NET Core)',
    test: (doc) => {
      const schemas = field(field(doc, 'components'), 'schemas');
      return schemas !== undefined && 'ProblemDetails' in schemas && doc['x-generator'] === undefined;
    },
  },
  {
    framework: 'NestJS',
    evidence: 'operationIds look like <Name>Controller_<method> (@nestjs/swagger)',
    test: (doc) => operationIds(doc).some((id) => /^[A-Z]\w*Controller_\w+$/.test(id)),
  },
  {
    framework: 'Fastify (@fastify/swagger)',
    evidence: 'info.title is "@fastify/swagger" (its default)',
    test: (doc) => field(doc, 'info')?.title === '@fastify/swagger',
  },
  {
    framework: 'Django (drf-spectacular)',
    evidence: 'OpenAPI 3 operationIds end in _retrieve / _partial_update / _destroy (drf-spectacular)',
    test: (doc) => typeof doc.openapi === 'string' && operationIds(doc).some((id) => /_(retrieve|partial_update|destroy)$/.test(id)),
  },
  {
    framework: 'Django (drf-yasg)',
    evidence: 'Swagger 2.0 operationIds end in _read / _partial_update / _delete (drf-yasg)',
    test: (doc) => doc.swagger === '2.0' && operationIds(doc).some((id) => /_(read|partial_update|delete)$/.test(id)),
  },
  {
    framework: 'Flask (flasgger)',
    evidence: 'info.title is "A swagger API" (flasgger default)',
    test: (doc) => field(doc, 'info')?.title === 'A swagger API',
  },
];

/** Default development ports and the frameworks that use them, for "connection refused" hints. */
export const FRAMEWORK_PORTS: Readonly<Record<number, string>> = {
  1323: 'Echo (Go)',
  1337: 'Sails.js',
  3000: 'Express, NestJS, Rails, Fastify examples, Hono on Node, Next.js',
  3001: 'a second Node dev server (Express, NestJS)',
  3333: 'AdonisJS',
  4000: 'Phoenix',
  4200: 'Angular dev server',
  5000: 'Flask, ASP.NET Core',
  5001: 'ASP.NET Core (HTTPS)',
  5173: 'Vite',
  8000: 'FastAPI (uvicorn), Django runserver, Laravel artisan serve',
  8080: 'Spring Boot, Quarkus, Micronaut, Go net/http',
  8081: 'Spring Boot (second instance), Metro bundler',
  8787: 'Hono on Cloudflare Workers (wrangler dev)',
  9000: 'Play Framework, PHP-FPM',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  const inner = value[key];
  return isRecord(inner) ? inner : undefined;
}

function operationIds(doc: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const paths = field(doc, 'paths');
  if (paths === undefined) return ids;
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue;
    for (const operation of Object.values(item)) {
      if (isRecord(operation) && typeof operation.operationId === 'string') ids.push(operation.operationId);
      if (ids.length >= 200) return ids;
    }
  }
  return ids;
}
