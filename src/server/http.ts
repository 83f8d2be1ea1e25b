/**
 * Small HTTP helpers of the handler: JSON responses, errors mapped to
 * statuses, and a bounded body reader.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSyncError, type SyncErrorCode } from '../errors.js';
import type { ErrorResponseBody, ServerErrorCode } from './types.js';

/** An error of the HTTP layer, answered as JSON with its status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ServerErrorCode;
  readonly hint: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ServerErrorCode, message: string, options: { hint?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.hint = options.hint;
    this.headers = options.headers ?? {};
  }
}

const STATUS_BY_CODE: Partial<Record<SyncErrorCode, number>> = {
  CONFIG_INVALID: 400,
  BINDING_ID_INVALID: 400,
  CONFLICT_DECISION_INVALID: 400,
  POINTER_INVALID: 400,
  BINDING_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  BINDING_EXISTS: 409,
  DEPENDENCY_MISSING: 409,
  DEPENDENCY_CYCLE: 409,
  JOB_NOT_PENDING: 409,
  ROLLBACK_REFUSED: 409,
  JOB_CANCELLED: 409,
  CIRCUIT_OPEN: 503,
  ENGINE_STOPPED: 503,
};

/**
 * The HTTP status the handler answers an engine error code with:
 * `CONFIG_INVALID`, `BINDING_ID_INVALID` and bad decisions 400, unknown binding or job 404,
 * conflicting state (`JOB_NOT_PENDING`, `ROLLBACK_REFUSED`, …) 409, `CIRCUIT_OPEN` and `ENGINE_STOPPED` 503, failures
 * of the upstream API (`SOURCE_*`, `SPEC_*`, `DISCOVERY_FAILED`) 502, and
 * anything else (targets, stores, merge, resolvers) 500.
 */
export function httpStatusForCode(code: SyncErrorCode): number {
  const mapped = STATUS_BY_CODE[code];
  if (mapped !== undefined) return mapped;
  if (code.startsWith('SOURCE_') || code.startsWith('SPEC_') || code === 'DISCOVERY_FAILED') return 502;
  return 500;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/** Answer with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body === undefined ? { ok: true } : body);
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * Answer an error: an {@link HttpError} with its status, a `SyncError` with
 * its serialised form and a status from its code, anything else as a
 * generic 500 (whose details go to `report`, never to the client).
 */
export function sendError(res: ServerResponse, error: unknown, report: (error: unknown) => void): void {
  if (error instanceof HttpError) {
    const body: ErrorResponseBody = {
      error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) },
    };
    sendJson(res, error.status, body, error.headers);
    return;
  }
  if (isSyncError(error)) {
    const serialised = error.toJSON();
    const headers: Record<string, string> = {};
    const status = httpStatusForCode(serialised.code);
    if (status === 503) {
      headers['retry-after'] = String(Math.max(1, Math.ceil((serialised.retryAfterMs ?? 1000) / 1000)));
    }
    sendJson(res, status, { error: serialised } satisfies ErrorResponseBody, headers);
    return;
  }
  report(error);
  sendJson(res, 500, {
    error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred while handling the request.', hint: 'See the server log.' },
  } satisfies ErrorResponseBody);
}

/**
 * When an earlier middleware already consumed the stream, the body it left in
 * `req.body` (Express's `json()`, or one copied there for Fastify and Koa);
 * a consumed stream without one counts as an empty body.
 */
function preParsedBody(req: IncomingMessage): { found: boolean; value: unknown } {
  if (!req.readableEnded) return { found: false, value: undefined };
  return { found: true, value: (req as IncomingMessage & { body?: unknown }).body };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'REQUEST_INVALID', `The request body is not valid JSON: ${(error as Error).message}`, {
      hint: 'Send a JSON object, or no body.',
    });
  }
}

/**
 * Read the request body, at most `limit` bytes; a stream an earlier
 * middleware already consumed gives an empty buffer. Throws
 * {@link HttpError} 413 over the limit (by `content-length` before reading
 * anything, or as soon as the streamed bytes pass it), with
 * `connection: close` so the rest of the body is never read.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.readableEnded) return Buffer.alloc(0);
  const tooLarge = (): HttpError =>
    new HttpError(413, 'REQUEST_TOO_LARGE', `The request body exceeds ${limit} bytes.`, {
      hint: 'Send a smaller body, or raise `maxBodyBytes`.',
      headers: { connection: 'close' },
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFailure);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        cleanup();
        // Stop here: the 413 goes out with `connection: close`, and closing the connection ends the body.
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => {
      cleanup();
      resolve();
    };
    const onFailure = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new HttpError(400, 'REQUEST_INVALID', 'The client closed the connection before the body ended.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFailure);
    req.on('close', onClose);
  });
  return Buffer.concat(chunks, size);
}

/**
 * Read a JSON request body of at most `limit` bytes (see {@link readBody}),
 * or use the one an earlier middleware parsed. An empty body gives
 * `undefined`. Throws {@link HttpError}: 413 over the limit, 400 for
 * malformed JSON. The content type is checked before, by the handler.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const parsed = preParsedBody(req);
  if (parsed.found) {
    const value = parsed.value;
    if (typeof value === 'string') return parseJson(value);
    if (Buffer.isBuffer(value)) return parseJson(value.toString('utf8'));
    // Express 4's json() leaves `{}` for a request without a body.
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
    return value;
  }
  const bytes = await readBody(req, limit);
  return bytes.length === 0 ? undefined : parseJson(bytes.toString('utf8'));
}
