// Retention with the test clock, durability across restarts, and encryption
// at rest (no plaintext secret in any file of the data dir).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';

import { KeyClient } from '@azure/keyvault-keys';
import { startServer, secretName, vaultName, rejectsWith, eventually, findInDataDir, encodingsOf, RESOURCE_GROUP } from './harness.mjs';

const HOUR = 3600;
const DAY = 24 * HOUR;
const LRO = { intervalInMs: 20 };

describe('lifecycle: retention clock, restart durability, encryption at rest', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'lifecycle', testClock: true });
  });
  after(async () => {
    await h?.dispose();
  });

  it('a deleted secret in a 7-day vault survives 6 d 23 h and is purged after 7 days', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('ret', { retentionDays: 7 });
    const name = secretName('ret');
    await client.setSecret(name, 'short-lived');
    const deleted = await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    const scheduled = deleted.properties.scheduledPurgeDate.getTime();

    const now1 = await h.advanceClock(6 * DAY + 23 * HOUR);
    assert.ok(now1 * 1000 < scheduled, 'clock is still before scheduledPurgeDate');
    // Tokens from before the jump have expired on the server clock: new client, new credential.
    let c = h.secretClient(h.vaultUrl(vault));
    const still = await c.getDeletedSecret(name);
    assert.equal(still.name, name);
    assert.equal(still.properties.scheduledPurgeDate.getTime(), scheduled, 'schedule unchanged');

    const now2 = await h.advanceClock(2 * HOUR);
    assert.ok(now2 * 1000 > scheduled, 'clock is past scheduledPurgeDate');
    c = h.secretClient(h.vaultUrl(vault));
    // The purge runs in the background: allow it a few seconds.
    await eventually(() => rejectsWith(c.getDeletedSecret(name), { status: 404, code: 'SecretNotFound' }), {
      timeoutMs: 5000,
      intervalMs: 100,
    });
    const listed = [];
    for await (const d of c.listDeletedSecrets()) listed.push(d.name);
    assert.ok(!listed.includes(name), 'purged secret is not listed as deleted');
    // The name is free again.
    assert.equal((await c.setSecret(name, 'reborn')).value, 'reborn');
  });

  it('every acknowledged secret survives a restart (SIGTERM, start on the same data dir)', { timeout: 90_000 }, async () => {
    const name = vaultName('dur');
    await h.createVault(name, { retentionDays: 7 });
    let client = h.secretClient(h.vaultUrl(name));
    const expected = new Map();
    for (let i = 0; i < 50; i++) {
      const n = `dur-${i}`;
      const value = `durable-${i}-${crypto.randomBytes(8).toString('hex')}`;
      await client.setSecret(n, value); // acknowledged once this resolves
      expected.set(n, value);
    }
    // A second version and a deleted secret also have to survive.
    const v1 = (await client.getSecret('dur-0')).properties.version;
    const firstValue = expected.get('dur-0');
    await client.setSecret('dur-0', 'dur-0 second version');
    expected.set('dur-0', 'dur-0 second version');
    await (await client.beginDeleteSecret('dur-49', LRO)).pollUntilDone();
    expected.delete('dur-49');

    const oldPort = h.port;
    await h.restart();
    assert.ok(h.port > 0);

    // The vault still exists, and its vaultUri follows the new port.
    const vault = await h.arm().vaults.get(RESOURCE_GROUP, name);
    assert.equal(vault.properties.vaultUri, `https://${name}.localhost:${h.port}/`);
    if (h.port !== oldPort) assert.ok(!vault.properties.vaultUri.includes(`:${oldPort}/`));

    client = h.secretClient(vault.properties.vaultUri);
    for (const [n, value] of expected) {
      assert.equal((await client.getSecret(n)).value, value, `secret ${n} after restart`);
    }
    assert.equal((await client.getSecret('dur-0', { version: v1 })).value, firstValue, 'older version after restart');
    const deleted = await client.getDeletedSecret('dur-49');
    assert.equal(deleted.name, 'dur-49');
    const listed = [];
    for await (const p of client.listPropertiesOfSecrets()) listed.push(p.name);
    assert.deepEqual(listed.sort(), [...expected.keys()].sort());
  });

  it('no file in the data dir contains a secret value (plain or encoded), even the WAL', { timeout: 60_000 }, async () => {
    const name = vaultName('can');
    await h.createVault(name);
    let client = h.secretClient(h.vaultUrl(name));
    const canary = `canary-${crypto.randomBytes(16).toString('hex')}`;
    const secret = secretName('canary');
    await client.setSecret(secret, canary, { contentType: 'text/plain' });
    // Same value in a few more shapes: older version, backup, update.
    await client.setSecret(secret, `${canary}-v2`);
    await client.backupSecret(secret);

    // While running (WAL not yet checkpointed) ...
    assert.deepEqual(findInDataDir(h.dataDir, canary), [], 'canary found in data dir while running');
    // ... and after a clean shutdown.
    const exit = await h.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'clean exit on SIGTERM');
    assert.deepEqual(findInDataDir(h.dataDir, canary), [], 'canary found in data dir after shutdown');

    // It was stored (encrypted), not dropped.
    await h.start();
    client = h.secretClient(h.vaultUrl(name));
    assert.equal((await client.getSecret(secret)).value, `${canary}-v2`);
    assert.ok(!h.output().includes(canary), 'canary appears in the server output');
  });

  it('no file in the data dir and no backup blob contains a private key', { timeout: 60_000 }, async () => {
    const name = vaultName('kcan');
    await h.createVault(name);
    const keys = () => new KeyClient(h.vaultUrl(name), h.credential, { agent: h.agent });
    const k = crypto.randomBytes(32);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const d = Buffer.from(rsa.d, 'base64url');
    const p = Buffer.from(rsa.p, 'base64url');
    await keys().importKey('oct-canary', { kty: 'oct', k, keyOps: ['encrypt', 'decrypt'] });
    const imported = await keys().importKey('rsa-canary', {
      ...Object.fromEntries(Object.entries(rsa).map(([f, v]) => [f, f === 'kty' ? v : Buffer.from(v, 'base64url')])),
      keyOps: ['sign', 'verify'],
    });
    assert.equal(imported.key.d, undefined, 'the private exponent is never returned');
    const blobs = [await keys().backupKey('oct-canary'), await keys().backupKey('rsa-canary')];

    const findAll = () => [k, d, p].flatMap((secret) => findInDataDir(h.dataDir, secret));
    assert.deepEqual(findAll(), [], 'key material found in the data dir while running');
    for (const blob of blobs) {
      for (const secret of [k, d, p]) {
        for (const [enc, pattern] of encodingsOf(secret)) {
          assert.ok(!Buffer.from(blob).includes(pattern), `key material (${enc}) in a backup blob`);
        }
      }
    }
    const exit = await h.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'clean exit on SIGTERM');
    assert.deepEqual(findAll(), [], 'key material found in the data dir after shutdown');
    await h.start();
    h.newCredential();
    assert.equal((await keys().getKey('rsa-canary')).key.n.length, 256);
  });
});
