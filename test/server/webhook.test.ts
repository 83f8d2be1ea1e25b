import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  signWebhookBody,
  verifyWebhookSignature,
  webhookNotifier,
  type WebhookFailure,
  type WebhookPayload,
} from '../../src/server/index.js';
import { deferred } from '../support/deferred.js';
import { petstore } from '../support/docs.js';
import { petsEngine, receiver } from './support.js';

/** A sleep that records the delays it was asked for and resolves at once. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('webhookNotifier', () => {
  it('POSTs a signed JSON summary of each applied sync; the signature verifies over the raw body', async () => {
    const { engine, source } = await petsEngine();
    const hook = await receiver([204]);
    const notifier = webhookNotifier(engine, { urls: [hook.url], secret: 'shh' });
    source.set(petstore(3));
    const result = await engine.syncNow('pets');
    await notifier.onIdle();

    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    const signature = delivery!.headers[WEBHOOK_SIGNATURE_HEADER];
    expect(signature).toBe(`sha256=${createHmac('sha256', 'shh').update(delivery!.body).digest('hex')}`);
    expect(verifyWebhookSignature(delivery!.body, 'shh', signature)).toBe(true);
    expect(verifyWebhookSignature(delivery!.body.replace('pets', 'cats'), 'shh', signature)).toBe(false);
    expect(verifyWebhookSignature(delivery!.body, 'other', signature)).toBe(false);
    expect(delivery!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(delivery!.headers[WEBHOOK_EVENT_HEADER]).toBe('sync:applied');

    const payload = JSON.parse(delivery!.body) as WebhookPayload<'sync:applied'>;
    expect(payload).toMatchObject({
      event: 'sync:applied',
      sourceId: 'pets',
      jobId: result.jobId,
      data: { sourceId: 'pets', jobId: result.jobId, hash: result.hash, written: true },
    });
    expect(payload.data.changes).toBeGreaterThan(0);
    expect(delivery!.headers[WEBHOOK_DELIVERY_HEADER]).toBe(payload.deliveryId);
    expect(notifier.stats).toEqual({ delivered: 1, failed: 0, retries: 0, inFlight: 0 });
    await notifier.close();
  });

  it('delivers held syncs too, to every URL, unsigned without a secret', async () => {
    const { engine, source } = await petsEngine({}, 4);
    const first = await receiver();
    const second = await receiver();
    const notifier = webhookNotifier(engine, { urls: [first.url, new URL(second.url)] });
    source.set(petstore(1)); // drops 3 of 4 operations: the mass-removal rail holds it
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'held' });
    await notifier.onIdle();
    for (const hook of [first, second]) {
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.headers[WEBHOOK_EVENT_HEADER]).toBe('sync:held');
      expect(hook.received[0]!.headers[WEBHOOK_SIGNATURE_HEADER]).toBeUndefined();
      expect(JSON.parse(hook.received[0]!.body)).toMatchObject({
        event: 'sync:held',
        sourceId: 'pets',
        data: { reason: expect.any(String) },
      });
    }
    expect(first.received[0]!.headers[WEBHOOK_DELIVERY_HEADER]).toBe(second.received[0]!.headers[WEBHOOK_DELIVERY_HEADER]);
    await notifier.close();
  });

  it('retries after a 500 with exponential backoff, then succeeds; the delivery id and signature stay the same', async () => {
    const { engine, source } = await petsEngine();
    const hook = await receiver([500, 502, 200]);
    const { delays, sleep } = recordingSleep();
    const onError = vi.fn();
    const notifier = webhookNotifier(engine, { urls: [hook.url], secret: 'k', sleep, onError, backoffMs: 100 });
    source.set(petstore(3));
    await engine.syncNow('pets');
    await notifier.onIdle();
    expect(hook.received).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(new Set(hook.received.map((r) => r.headers[WEBHOOK_DELIVERY_HEADER])).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    expect(notifier.stats).toEqual({ delivered: 1, failed: 0, retries: 2, inFlight: 0 });
    expect(onError).not.toHaveBeenCalled();
    await notifier.close();
  });

  it('gives up after `retries`, reports to onError and counts it; the engine never sees the failure', async () => {
    const { engine, source } = await petsEngine();
    const hook = await receiver([503]);
    const { delays, sleep } = recordingSleep();
    const failures: WebhookFailure[] = [];
    const notifier = webhookNotifier(engine, { urls: [hook.url], retries: 2, sleep, onError: (f) => failures.push(f), maxBackoffMs: 1500 });
    const errors: unknown[] = [];
    engine.on('error', (e) => void errors.push(e));
    source.set(petstore(3));
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'applied' });
    await notifier.onIdle();
    expect(hook.received).toHaveLength(3);
    expect(delays).toEqual([1000, 1500]);
    expect(failures).toEqual([
      {
        url: hook.url,
        event: 'sync:applied',
        deliveryId: expect.any(String),
        attempts: 3,
        status: 503,
        message: expect.stringContaining('503'),
      },
    ]);
    expect(notifier.stats).toEqual({ delivered: 0, failed: 1, retries: 2, inFlight: 0 });
    expect(errors).toEqual([]);
    await notifier.close();
  });

  it('does not retry a 4xx other than 408 and 429, honours Retry-After, and times out a silent receiver', async () => {
    const { engine, source } = await petsEngine();
    const rejected = await receiver([400]);
    const { sleep } = recordingSleep();
    const failures: WebhookFailure[] = [];
    const notifier = webhookNotifier(engine, { urls: [rejected.url], sleep, onError: (f) => failures.push(f) });
    source.set(petstore(3));
    await engine.syncNow('pets');
    await notifier.close();
    expect(rejected.received).toHaveLength(1);
    expect(failures).toMatchObject([{ attempts: 1, status: 400 }]);

    const limited = await receiver([{ status: 429, headers: { 'retry-after': '3' } }, 408, 200]);
    const waits = recordingSleep();
    const patient = webhookNotifier(engine, { urls: [limited.url], sleep: waits.sleep, backoffMs: 500 });
    source.set(petstore(5));
    await engine.syncNow('pets');
    await patient.close();
    expect(limited.received).toHaveLength(3);
    expect(waits.delays).toEqual([3000, 1000]);
    expect(patient.stats).toMatchObject({ delivered: 1, retries: 2 });

    const silent = await receiver([200], () => new Promise(() => undefined));
    const timeouts: WebhookFailure[] = [];
    const slow = webhookNotifier(engine, { urls: [silent.url], retries: 0, timeoutMs: 100, onError: (f) => timeouts.push(f) });
    source.set(petstore(6));
    await engine.syncNow('pets');
    await slow.close();
    expect(timeouts).toMatchObject([{ attempts: 1, message: expect.stringContaining('timed out after 100 ms') }]);
    expect(timeouts[0]!.status).toBeUndefined();
  });

  it('close() detaches from the engine and waits for in-flight deliveries', async () => {
    const { engine, source } = await petsEngine();
    const baseline = engine.listenerCount('sync:applied');
    const gate = deferred();
    const hook = await receiver([200], () => gate.promise);
    const notifier = webhookNotifier(engine, { urls: [hook.url], events: ['sync:applied', 'job:failed'] });
    expect(engine.listenerCount('sync:applied')).toBe(baseline + 1);
    source.set(petstore(3));
    await engine.syncNow('pets');

    let closed = false;
    const closing = notifier.close().then(() => (closed = true));
    expect(engine.listenerCount('sync:applied')).toBe(baseline);
    expect(engine.listenerCount('job:failed')).toBe(0);
    await vi.waitFor(() => expect(hook.received).toHaveLength(1), { timeout: 2000, interval: 5 });
    expect(closed).toBe(false);
    expect(notifier.stats.inFlight).toBe(1);
    gate.resolve();
    await closing;
    expect(notifier.stats).toMatchObject({ delivered: 1, inFlight: 0 });

    source.set(petstore(4));
    await engine.syncNow('pets');
    await notifier.onIdle();
    expect(hook.received).toHaveLength(1);
  });

  it('a throwing onError changes nothing for the engine', async () => {
    const { engine, source } = await petsEngine();
    const hook = await receiver([500]);
    const notifier = webhookNotifier(engine, {
      urls: [hook.url],
      retries: 0,
      onError: () => {
        throw new Error('reporter broke');
      },
    });
    source.set(petstore(3));
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'applied' });
    await notifier.close();
    expect(notifier.stats.failed).toBe(1);
  });

  it('validates its options with CONFIG_INVALID', async () => {
    const { engine } = await petsEngine();
    const bad: Array<Record<string, unknown>> = [
      { urls: [] },
      { urls: ['ftp://example.com/x'] },
      { urls: ['not a url'] },
      { urls: ['http://127.0.0.1/x'], events: ['sync:exploded'] },
      { urls: ['http://127.0.0.1/x'], retries: -1 },
      { urls: ['http://127.0.0.1/x'], timeoutMs: 0 },
      { urls: ['http://127.0.0.1/x'], secret: '' },
    ];
    for (const options of bad) {
      expect(() => webhookNotifier(engine, options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    expect(engine.listenerCount('sync:applied')).toBe(0);
  });
});

describe('verifyWebhookSignature', () => {
  it('refuses to verify under a missing or empty secret (anyone can sign with those) with CONFIG_INVALID', () => {
    const body = '{"event":"sync:applied"}';
    for (const secret of ['', undefined, null, 7]) {
      const forged = typeof secret === 'string' ? signWebhookBody(body, secret) : 'sha256=00';
      expect(() => verifyWebhookSignature(body, secret as never, forged), String(secret)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    expect(verifyWebhookSignature(body, 'shh', signWebhookBody(body, 'shh'))).toBe(true);
  });
});
