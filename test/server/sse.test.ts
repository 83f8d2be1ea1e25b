import { describe, expect, it, vi } from 'vitest';
import { syncEngineEventNames, type SyncEngine } from '../../src/index.js';
import { createSyncHandler } from '../../src/server/index.js';
import { EventRecorder } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';
import { SseClient, petsEngine, rawRequest, serveHandler } from './support.js';

const counts = (engine: SyncEngine) => Object.fromEntries(syncEngineEventNames.map((name) => [name, engine.listenerCount(name)]));

describe('GET /events (Server-Sent Events)', () => {
  it('streams every engine event as id/event/data frames, payloads unchanged', async () => {
    const { engine, source } = await petsEngine();
    const recorder = new EventRecorder(engine);
    const { origin } = await serveHandler(createSyncHandler(engine));
    const client = await SseClient.open(`${origin}/events`);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toContain('no-cache');
    await client.waitFor((f) => f.comments.includes('connected'));

    source.set(petstore(3));
    await engine.syncNow('pets');
    await client.waitForEvent('job:completed');

    const streamed = client.events.map((f) => f.event);
    expect(streamed).toEqual(recorder.names());
    expect(streamed).toEqual(
      expect.arrayContaining(['job:queued', 'job:started', 'spec:fetched', 'spec:changed', 'sync:applied', 'job:completed']),
    );
    const payloads = client.events.map((f) => JSON.parse(f.data!) as unknown);
    expect(payloads).toEqual(JSON.parse(JSON.stringify(recorder.events.map((e) => e.payload))));
    const ids = client.events.map((f) => Number(f.id));
    expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]!))).toBe(true);
    client.close();
  });

  it('filters with ?events= and rejects unknown names with 400', async () => {
    const { engine, source } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    const client = await SseClient.open(`${origin}/events?events=sync:applied,job:failed`);
    await client.waitFor((f) => f.comments.includes('connected'));
    source.set(petstore(3));
    await engine.syncNow('pets');
    source.set({ not: 'an api' });
    await expect(engine.syncNow('pets')).rejects.toMatchObject({ code: expect.stringMatching(/^SPEC_/) });
    await client.waitForEvent('job:failed');
    expect(client.events.map((f) => f.event)).toEqual(['sync:applied', 'job:failed']);
    expect(JSON.parse(client.events[0]!.data!)).toMatchObject({ sourceId: 'pets', written: true });
    client.close();

    const bad = await rawRequest(`${origin}/events?events=sync:applied,sync:exploded`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'REQUEST_INVALID', message: expect.stringContaining('sync:exploded') } });
  });

  it('sends a heartbeat comment every heartbeatMs', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine, { heartbeatMs: 40 }));
    const client = await SseClient.open(`${origin}/events`);
    await client.waitFor((f) => f.comments.includes('heartbeat'));
    const seen = client.frames.filter((f) => f.comments.includes('heartbeat')).length;
    await vi.waitFor(() => expect(client.frames.filter((f) => f.comments.includes('heartbeat')).length).toBeGreaterThan(seen), {
      timeout: 2000,
      interval: 10,
    });
    expect(client.events).toEqual([]);
    client.close();
  });

  it('removes its engine listeners when the last client goes away', async () => {
    const { engine, source } = await petsEngine();
    const before = counts(engine);
    const handler = createSyncHandler(engine, { heartbeatMs: 20 });
    const { origin } = await serveHandler(handler);

    const first = await SseClient.open(`${origin}/events`);
    const second = await SseClient.open(`${origin}/events?events=sync:applied`);
    await first.waitFor((f) => f.comments.includes('connected'));
    await second.waitFor((f) => f.comments.includes('connected'));
    expect(handler.clients).toBe(2);
    // One shared subscription, whatever the number of clients.
    expect(counts(engine)).toEqual(Object.fromEntries(syncEngineEventNames.map((name) => [name, before[name]! + 1])));

    first.close();
    await vi.waitFor(() => expect(handler.clients).toBe(1), { timeout: 2000, interval: 5 });
    expect(engine.listenerCount('sync:applied')).toBe(before['sync:applied']! + 1);
    source.set(petstore(3));
    await engine.syncNow('pets');
    await second.waitForEvent('sync:applied');

    second.close();
    await vi.waitFor(() => expect(handler.clients).toBe(0), { timeout: 2000, interval: 5 });
    expect(counts(engine)).toEqual(before);
    // Heartbeat timers are gone too: a sync now reaches nobody and nothing throws.
    source.set(petstore(4));
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'applied' });
  });

  it('close() ends every open stream and detaches from the engine', async () => {
    const { engine } = await petsEngine();
    const before = counts(engine);
    const handler = createSyncHandler(engine);
    const { origin } = await serveHandler(handler);
    const clients = await Promise.all([SseClient.open(`${origin}/events`), SseClient.open(`${origin}/events`)]);
    await Promise.all(clients.map((c) => c.waitFor((f) => f.comments.includes('connected'))));
    expect(counts(engine)).not.toEqual(before);
    handler.close();
    await Promise.all(clients.map((c) => c.ended));
    expect(handler.clients).toBe(0);
    expect(counts(engine)).toEqual(before);
  });
});
