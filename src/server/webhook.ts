/**
 * `webhookNotifier`: POST a signed JSON summary of engine events (by default
 * each applied or held sync) to receivers, with retries. A delivery failure
 * never reaches the engine.
 *
 * @module
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { syncEngineEventNames, type SyncEngineEventName, type SyncEngineEvents } from '../engine/index.js';
import { systemClock } from '../scheduler/index.js';
import type { SyncEventSource, WebhookFailure, WebhookNotifier, WebhookNotifierOptions, WebhookPayload, WebhookStats } from './types.js';

/** Header carrying `sha256=<hex>`, the HMAC-SHA256 of the raw body under the shared secret. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-api-live-sync-signature';
/** Header carrying the event name. */
export const WEBHOOK_EVENT_HEADER = 'x-api-live-sync-event';
/** Header carrying the delivery id, the same across retries (receivers use it to drop duplicates). */
export const WEBHOOK_DELIVERY_HEADER = 'x-api-live-sync-delivery';

/** The signature header value for `body` under `secret`: `sha256=<hex>`. */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * For receivers: true when `signature` (the header value) is the HMAC of the
 * exact raw `body` under `secret`. Compares in constant time. Throws
 * `CONFIG_INVALID` when `secret` is not a non-empty string: anyone can sign
 * with an empty key, so an unset environment variable must not turn into
 * accepting every forged delivery.
 *
 * @example
 * ```ts
 * if (!verifyWebhookSignature(rawBody, process.env.SECRET, req.headers['x-api-live-sync-signature'])) return res.writeHead(401).end();
 * ```
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  secret: string | undefined,
  signature: string | readonly string[] | undefined,
): boolean {
  if (typeof secret !== 'string' || secret === '') {
    throw new ConfigError(
      `Expected the webhook secret to be a non-empty string, got ${secret === '' ? 'an empty string' : secret === null ? 'null' : typeof secret}.`,
      {
        hint: 'Pass the secret the notifier signs with, e.g. process.env.HOOK_SECRET, and check that it is set.',
      },
    );
  }
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(signWebhookBody(body, secret));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const DEFAULT_EVENTS: readonly SyncEngineEventName[] = ['sync:applied', 'sync:held'];

function describe(value: unknown): string {
  return `\`${JSON.stringify(value) ?? String(value)}\` (${value === null ? 'null' : typeof value})`;
}

const WEBHOOK_KEYS = optionKeys<WebhookNotifierOptions>()([
  'urls',
  'secret',
  'events',
  'retries',
  'backoffMs',
  'maxBackoffMs',
  'timeoutMs',
  'headers',
  'onError',
  'clock',
  'sleep',
  'fetch',
  'createId',
]);

function validate(options: WebhookNotifierOptions) {
  checkOptions('webhookNotifier options', options, WEBHOOK_KEYS);
  if (!Array.isArray(options.urls) || options.urls.length === 0) {
    throw new ConfigError(`Expected \`urls\` to be a non-empty array of http(s) URLs, got ${describe(options.urls)}.`, {
      hint: "For example urls: ['https://hooks.example.com/api-sync'].",
    });
  }
  const urls = options.urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      throw new ConfigError(`Expected every entry of \`urls\` to be an absolute URL, got ${describe(String(raw))}.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError(`Expected an http or https URL in \`urls\`, got ${describe(url.protocol)}.`);
    return url.href;
  });
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret === '')) {
    throw new ConfigError(
      `Expected \`secret\` to be a non-empty string, got ${typeof options.secret === 'string' ? 'an empty string' : typeof options.secret}.`,
    );
  }
  const events = options.events ?? DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0 || events.some((e) => !syncEngineEventNames.includes(e))) {
    throw new ConfigError(`Expected \`events\` to be a non-empty array of engine event names, got ${describe(events)}.`, {
      hint: `Names: ${syncEngineEventNames.join(', ')}.`,
    });
  }
  const integer = (name: string, value: unknown, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      throw new ConfigError(`Expected \`${name}\` to be an integer from ${min} and up, got ${describe(value)}.`);
    return value;
  };
  for (const name of ['onError', 'sleep', 'fetch', 'createId'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new ConfigError(`Expected \`${name}\` to be a function, got ${describe(options[name])}.`);
  }
  return {
    urls,
    events: [...new Set<SyncEngineEventName>(events as readonly SyncEngineEventName[])],
    retries: integer('retries', options.retries, 3, 0),
    backoffMs: integer('backoffMs', options.backoffMs, 1000, 0),
    maxBackoffMs: integer('maxBackoffMs', options.maxBackoffMs, 30_000, 0),
    timeoutMs: integer('timeoutMs', options.timeoutMs, 5000, 1),
  };
}

/** Retry-After in milliseconds (seconds or an HTTP date), when present and sane. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Deliver engine events to webhook receivers. Each event (default: every
 * `sync:applied` and `sync:held`) is POSTed to every URL as a
 * {@link WebhookPayload} with `content-type: application/json`,
 * `x-api-live-sync-event`, `x-api-live-sync-delivery` and, with a `secret`,
 * `x-api-live-sync-signature: sha256=<hex>`. Network errors, timeouts, 408,
 * 429 and 5xx are retried with exponential backoff (a longer `Retry-After`
 * wins, up to `maxBackoffMs`); other statuses fail at once. A failed delivery is counted and
 * reported to `onError`; it never throws into the engine. Invalid options
 * throw `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * const hooks = webhookNotifier(engine, { urls: ['https://ci.example.com/hooks/api'], secret: process.env.HOOK_SECRET });
 * // later
 * await hooks.close();
 * ```
 */
export function webhookNotifier(engine: SyncEventSource, options: WebhookNotifierOptions): WebhookNotifier {
  if (engine === null || typeof engine !== 'object' || typeof engine.on !== 'function' || typeof engine.off !== 'function') {
    throw new ConfigError(`Expected an engine with on() and off(), got ${describe(engine)}.`, { hint: 'Pass a SyncEngine.' });
  }
  const config = validate(options);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms)));
  const doFetch = options.fetch ?? globalThis.fetch;
  const createId = options.createId ?? randomUUID;
  const stats: WebhookStats = { delivered: 0, failed: 0, retries: 0, inFlight: 0 };
  const inFlight = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];
  let closing: Promise<void> | undefined;

  const report = (failure: WebhookFailure): void => {
    stats.failed += 1;
    try {
      options.onError?.(failure);
    } catch {
      // The reporter is the last stop; its failure is ignored on purpose.
    }
  };

  const attempt = async (
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ ok: boolean; status?: number; retryable: boolean; message: string; retryAfter?: number }> => {
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(new Error(`timed out after ${config.timeoutMs} ms`)), config.timeoutMs);
    try {
      const response = await doFetch(url, { method: 'POST', body, headers, signal: controller.signal, redirect: 'error' });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true, status: response.status, retryable: false, message: 'ok' };
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), clock.now());
      return {
        ok: false,
        status: response.status,
        retryable: retryableStatus(response.status),
        message: `the receiver answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      };
    } catch (error) {
      const message = controller.signal.aborted
        ? `timed out after ${config.timeoutMs} ms`
        : error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`
          : String(error);
      return { ok: false, retryable: true, message };
    } finally {
      clock.clearTimeout(timer);
    }
  };

  const deliver = async (
    url: string,
    event: SyncEngineEventName,
    deliveryId: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<void> => {
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const outcome = await attempt(url, body, headers);
      if (outcome.ok) {
        stats.delivered += 1;
        return;
      }
      if (!outcome.retryable || attempts > config.retries) {
        report({
          url,
          event,
          deliveryId,
          attempts,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          message: outcome.message,
        });
        return;
      }
      stats.retries += 1;
      const backoff = config.backoffMs * 2 ** (attempts - 1);
      await sleep(Math.min(config.maxBackoffMs, Math.max(backoff, outcome.retryAfter ?? 0)));
    }
  };

  const track = (work: Promise<void>): void => {
    const tracked = work
      .catch(() => undefined)
      .finally(() => {
        inFlight.delete(tracked);
        stats.inFlight -= 1;
        if (inFlight.size === 0) for (const wake of idleWaiters.splice(0)) wake();
      });
    stats.inFlight += 1;
    inFlight.add(tracked);
  };

  const notify = <E extends SyncEngineEventName>(event: E, data: SyncEngineEvents[E]): void => {
    try {
      const fields = data as { sourceId?: unknown; jobId?: unknown };
      const deliveryId = createId();
      const payload: WebhookPayload<E> = {
        deliveryId,
        event,
        createdAt: clock.now(),
        ...(typeof fields.sourceId === 'string' ? { sourceId: fields.sourceId } : {}),
        ...(typeof fields.jobId === 'string' ? { jobId: fields.jobId } : {}),
        data,
      };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'user-agent': 'api-live-sync-webhook',
        ...options.headers,
        'content-type': 'application/json; charset=utf-8',
        [WEBHOOK_EVENT_HEADER]: event,
        [WEBHOOK_DELIVERY_HEADER]: deliveryId,
        ...(options.secret === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, options.secret) }),
      };
      for (const url of config.urls) track(deliver(url, event, deliveryId, body, headers));
    } catch (error) {
      for (const url of config.urls)
        report({
          url,
          event,
          deliveryId: '',
          attempts: 0,
          message: `could not build the delivery: ${error instanceof Error ? error.message : String(error)}`,
        });
    }
  };

  type AnyListener = (payload: SyncEngineEvents[SyncEngineEventName]) => void;
  const listeners = new Map<SyncEngineEventName, AnyListener>();
  for (const event of config.events) {
    const listener: AnyListener = (payload) => notify(event, payload);
    listeners.set(event, listener);
    engine.on(event, listener);
  }

  const onIdle = (): Promise<void> => (inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));

  return {
    get stats(): WebhookStats {
      return { ...stats };
    },
    onIdle,
    close(): Promise<void> {
      if (!closing) {
        for (const [event, listener] of listeners) engine.off(event, listener);
        listeners.clear();
        closing = onIdle();
      }
      return closing;
    },
  };
}
