// The per-vault request limit: past it the server answers 429 Throttled with Retry-After (the
// Azure SDKs retry a 429 only when told when), other vaults keep their own budget, and the SDK
// recovers by itself once the window passes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, API_VERSION } from './harness.mjs';

const LIMIT = 30;

describe('per-vault request limit', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'throttle', extraArgs: ['--vault-request-limit', String(LIMIT)] });
  });
  after(async () => {
    await h?.dispose();
  });

  it('answers 429 Throttled with Retry-After past the limit, per vault', { timeout: 60_000 }, async () => {
    const a = await h.createVaultWithClient('thra');
    const b = await h.createVaultWithClient('thrb');
    const token = await h.token();
    const statuses = [];
    let throttled;
    // Windows are fixed 10-second slots; a boundary may fall inside the loop, so up to two
    // windows' worth of requests are sent, stopping at the first 429.
    for (let i = 0; i < 2 * LIMIT + 1 && !throttled; i++) {
      const res = await h.request({
        token,
        method: 'GET',
        url: `${h.vaultUrl(a.name)}/secrets?api-version=${API_VERSION}`,
      });
      statuses.push(res.status);
      if (res.status === 429) throttled = res;
    }
    assert.ok(statuses.includes(200), 'requests under the limit are served');
    assert.ok(throttled, `some requests are throttled: ${statuses.join(',')}`);
    assert.equal(throttled.json.error.code, 'Throttled');
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);

    // Another vault has its own budget.
    const other = await h.request({
      token,
      method: 'GET',
      url: `${h.vaultUrl(b.name)}/secrets?api-version=${API_VERSION}`,
    });
    assert.equal(other.status, 200);

    // The SDK honours Retry-After and succeeds without the caller doing anything.
    const name = secretName('after');
    const set = await a.client.setSecret(name, 'v');
    assert.equal(set.name, name);
  });
});
