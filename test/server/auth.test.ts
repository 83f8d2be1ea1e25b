import { describe, expect, it } from 'vitest';
import { bearerAuth, createSyncHandler } from '../../src/server/index.js';
import { petsEngine, rawRequest, serveHandler, withRails } from './support.js';

describe('bearerAuth', () => {
  it('refuses a missing, empty or non-string token at creation with CONFIG_INVALID', () => {
    // Untrimmed tokens too: HTTP strips a header value's outer whitespace, so they could never match.
    for (const token of [undefined, '', null, 42, ['t'], { token: 't' }, 's3cret\n', ' s3cret']) {
      expect(() => bearerAuth(token as never), String(token)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    // The environment variable of the quick start, unset.
    expect(() => bearerAuth(process.env['API_LIVE_SYNC_TOKEN_THAT_IS_NOT_SET'])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('lets a request through only with `Authorization: Bearer <token>`, over a real server', async () => {
    const { engine } = await petsEngine();
    const { wrapped, calls } = withRails(engine);
    const { origin } = await serveHandler(createSyncHandler(wrapped, { auth: bearerAuth('s3cret-token') }));
    const approve = (authorization?: string) =>
      rawRequest(`${origin}/jobs/job-1/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      }).then((r) => r.status);
    expect(await approve()).toBe(401);
    for (const wrong of [
      'Bearer undefined',
      'Bearer ',
      'Bearer',
      's3cret-token',
      'Basic s3cret-token',
      'Bearer s3cret-toke',
      'Bearer s3cret-token2',
      'Bearer S3CRET-TOKEN',
      'Bearer  s3cret-token x',
    ]) {
      expect(await approve(wrong), wrong).toBe(401);
    }
    expect(calls).toEqual([]);
    expect(await approve('Bearer s3cret-token')).toBe(200);
    // The scheme is case-insensitive (RFC 9110 §11.1).
    expect(await approve('bearer s3cret-token')).toBe(200);
    expect(calls).toEqual([
      ['approve', 'job-1'],
      ['approve', 'job-1'],
    ]);
  });
});
