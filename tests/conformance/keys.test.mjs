// Key management with the real @azure/keyvault-keys 4.10.2 KeyClient against Keyhaven:
// create (RSA, EC, oct), import (JWKs from Node's crypto), get, list, update, soft delete,
// recover, purge, backup/restore, random bytes, and the error cases a user can run into.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { startServer, secretName, rejectsWith, assertAzureError, API_VERSION, randomHex, collect } from './harness.mjs';

const LRO = { intervalInMs: 20 };


const b64u = (s) => Buffer.from(s, 'base64url');

/** Node's JWK export → the SDK's JsonWebKey (Uint8Array members, keyOps). */
function toSdkJwk(jwk) {
  const out = { kty: jwk.kty };
  for (const f of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y', 'k']) if (jwk[f]) out[f] = b64u(jwk[f]);
  if (jwk.crv) out.crv = jwk.crv;
  return out;
}

const ALL_RSA_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];

describe('keys (@azure/keyvault-keys KeyClient)', () => {
  let h;
  let client;
  let vaultUrl;

  before(async () => {
    h = await startServer({ name: 'keys' });
    const v = await h.createVaultWithClient('keys', { retentionDays: 7 });
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
    client = h.keyClient(vaultUrl);
  });
  after(async () => {
    await h?.dispose();
  });

  it('createRsaKey: 2048 default, 3072 with key_ops and tags; public parts only', async () => {
    const name = secretName('rsa');
    const k = await client.createRsaKey(name, { keySize: 2048 });
    assert.equal(k.name, name);
    assert.equal(k.keyType, 'RSA');
    assert.match(k.properties.version, /^[0-9a-f]{32}$/);
    assert.equal(k.id, `${vaultUrl}/keys/${name}/${k.properties.version}`);
    assert.equal(k.key.kid, k.id);
    assert.equal(k.key.n.length, 256, '2048-bit modulus');
    assert.deepEqual(Buffer.from(k.key.e), Buffer.from([1, 0, 1]));
    for (const f of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!k.key[f], `no private member ${f}`);
    assert.deepEqual([...k.keyOperations].sort(), [...ALL_RSA_OPS].sort());
    assert.equal(k.properties.enabled, true);
    assert.equal(k.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');
    assert.equal(k.properties.recoverableDays, 7);
    assert.ok(Math.abs(k.properties.createdOn.getTime() - Date.now()) < 120_000);

    const k2 = await client.createRsaKey(secretName('rsa3k'), { keySize: 3072, keyOps: ['sign', 'verify'], tags: { t: '1' } });
    assert.equal(k2.key.n.length, 384);
    assert.deepEqual(k2.keyOperations, ['sign', 'verify']);
    assert.deepEqual(k2.properties.tags, { t: '1' });

    // On the wire: kid, kty, key_ops, n, e and no private member.
    const res = await h.request({ url: `${vaultUrl}/keys/${name}/?api-version=${API_VERSION}`, token: true });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json.key).sort(), ['e', 'key_ops', 'kid', 'kty', 'n']);
    assert.equal(typeof res.json.attributes.created, 'number');
  });

  it('createEcKey on every curve; createOctKey; createKey("EC") defaults to P-256', async () => {
    const sizes = { 'P-256': 32, 'P-256K': 32, 'P-384': 48, 'P-521': 66 };
    for (const [curve, size] of Object.entries(sizes)) {
      const k = await client.createEcKey(secretName('ec'), { curve });
      assert.equal(k.keyType, 'EC');
      assert.equal(k.key.crv, curve);
      assert.equal(k.key.x.length, size, `${curve} x`);
      assert.equal(k.key.y.length, size, `${curve} y`);
      assert.ok(!k.key.d, 'no private scalar');
      assert.deepEqual([...k.keyOperations].sort(), ['sign', 'verify']);
    }
    const def = await client.createKey(secretName('ecdef'), 'EC');
    assert.equal(def.key.crv, 'P-256');

    const oct = await client.createOctKey(secretName('oct'), { keySize: 256 });
    assert.equal(oct.keyType, 'oct');
    assert.ok(!oct.key.k, 'no symmetric material released');
  });

  it('importKey: RSA and EC JWKs from Node crypto keep their public parts', async () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaJwk = rsa.privateKey.export({ format: 'jwk' });
    const name = secretName('imp-rsa');
    const k = await client.importKey(name, toSdkJwk(rsaJwk), { tags: { src: 'node' } });
    assert.equal(k.keyType, 'RSA');
    assert.equal(Buffer.from(k.key.n).toString('base64url'), rsaJwk.n);
    assert.equal(Buffer.from(k.key.e).toString('base64url'), rsaJwk.e);
    assert.ok(!k.key.d);
    assert.deepEqual(k.properties.tags, { src: 'node' });

    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const ecJwk = ec.privateKey.export({ format: 'jwk' });
    const e = await client.importKey(secretName('imp-ec'), toSdkJwk(ecJwk));
    assert.equal(e.key.crv, 'P-384');
    assert.equal(Buffer.from(e.key.x).toString('base64url'), ecJwk.x);
    assert.equal(Buffer.from(e.key.y).toString('base64url'), ecJwk.y);

    // A public-only JWK, a private part that does not match, malformed base64url: 400.
    const pub = rsa.publicKey.export({ format: 'jwk' });
    await rejectsWith(client.importKey(secretName('imp-pub'), toSdkJwk(pub)), { status: 400, code: 'BadParameter' });
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    await rejectsWith(client.importKey(secretName('imp-mix'), toSdkJwk({ ...rsaJwk, d: other.d })), {
      status: 400,
      code: 'BadParameter',
    });
    const raw = await h.requestJson('PUT', `${vaultUrl}/keys/${secretName('imp-b64')}?api-version=${API_VERSION}`, {
      key: { ...ecJwk, x: '***not base64***' },
    });
    assertAzureError(raw, 400, { code: 'BadParameter' });
  });

  it('getKey returns the latest version or a given one; 404 KeyNotFound for a missing key', async () => {
    const name = secretName('get');
    const v1 = await client.createEcKey(name, { curve: 'P-256' });
    const v2 = await client.createEcKey(name, { curve: 'P-256' });
    assert.notEqual(v1.properties.version, v2.properties.version);
    const latest = await client.getKey(name);
    assert.equal(latest.id, v2.id);
    const old = await client.getKey(name, { version: v1.properties.version });
    assert.equal(old.id, v1.id);
    assert.deepEqual(Buffer.from(old.key.x), Buffer.from(v1.key.x));
    await rejectsWith(client.getKey(secretName('missing')), { status: 404, code: 'KeyNotFound' });
    await rejectsWith(client.getKey(name, { version: '0'.repeat(32) }), { status: 404, code: 'KeyNotFound' });
  });

  it('listPropertiesOfKeys pages with maxPageSize 2; listPropertiesOfKeyVersions lists every version', async () => {
    const { vault } = await h.createVaultWithClient('kpage');
    const url = vault.properties.vaultUri.replace(/\/$/, '');
    const c = h.keyClient(url);
    const names = Array.from({ length: 5 }, (_, i) => `kp-${i}-${randomHex(2)}`);
    for (const n of names) await c.createEcKey(n, { curve: 'P-256' });
    await c.createEcKey(names[0], { curve: 'P-256' });

    const pages = [];
    for await (const page of c.listPropertiesOfKeys().byPage({ maxPageSize: 2 })) pages.push(page);
    assert.ok(pages.length >= 3);
    for (const page of pages) assert.ok(page.length <= 2);
    const seen = pages.flat();
    assert.deepEqual(seen.map((p) => p.name).sort(), [...names].sort());
    for (const p of seen) {
      assert.equal(p.id, `${url}/keys/${p.name}`, 'list items carry the base kid');
      assert.equal(p.enabled, true);
    }
    const versions = await collect(c.listPropertiesOfKeyVersions(names[0]));
    assert.equal(versions.length, 2);
    for (const v of versions) assert.equal(v.id, `${url}/keys/${names[0]}/${v.version}`);

    const raw = await h.request({ url: `${url}/keys?api-version=${API_VERSION}`, token: true });
    assert.equal(raw.status, 200, raw.text);
    for (const item of raw.json.value) assert.ok(!('key' in item), 'KeyItem carries no key');
  });

  it('updateKeyProperties: disable, key_ops, tags, expiry; no new version', async () => {
    const name = secretName('upd');
    const k = await client.createRsaKey(name);
    const exp = new Date('2031-06-01T00:00:00Z');
    const p = await client.updateKeyProperties(name, k.properties.version, {
      keyOps: ['sign', 'verify'],
      tags: { a: 'b' },
      expiresOn: exp,
    });
    assert.equal(p.properties.version, k.properties.version);
    assert.deepEqual(p.properties.tags, { a: 'b' });
    assert.equal(p.properties.expiresOn.getTime(), exp.getTime());
    assert.deepEqual(p.keyOperations, ['sign', 'verify']);
    const again = await client.getKey(name);
    assert.deepEqual(again.keyOperations, ['sign', 'verify']);
    assert.deepEqual(Buffer.from(again.key.n), Buffer.from(k.key.n));

    const disabled = await client.updateKeyProperties(name, k.properties.version, { enabled: false });
    assert.equal(disabled.properties.enabled, false);
    const got = await client.getKey(name);
    assert.equal(got.properties.enabled, false, 'a disabled key can still be read');
    assert.equal((await collect(client.listPropertiesOfKeyVersions(name))).length, 1);
    await rejectsWith(client.updateKeyProperties(name, 'f'.repeat(32), { enabled: true }), { status: 404, code: 'KeyNotFound' });
  });

  it('beginDeleteKey, getDeletedKey, listDeletedKeys, beginRecoverDeletedKey, purgeDeletedKey', async () => {
    const name = secretName('del');
    const k = await client.createEcKey(name, { curve: 'P-256' });
    const deleted = await (await client.beginDeleteKey(name, LRO)).pollUntilDone();
    assert.equal(deleted.name, name);
    assert.equal(deleted.properties.recoveryId, `${vaultUrl}/deletedkeys/${name}`);
    assert.ok(deleted.properties.deletedOn instanceof Date);
    assert.ok(deleted.properties.scheduledPurgeDate.getTime() > deleted.properties.deletedOn.getTime());
    await rejectsWith(client.getKey(name), { status: 404, code: 'KeyNotFound' });
    await rejectsWith(client.createEcKey(name), { status: 409, code: 'Conflict' });

    const got = await client.getDeletedKey(name);
    assert.equal(got.id, k.id);
    assert.deepEqual(Buffer.from(got.key.x), Buffer.from(k.key.x));
    const listed = await collect(client.listDeletedKeys());
    assert.ok(listed.some((d) => d.name === name && d.properties.recoveryId === `${vaultUrl}/deletedkeys/${name}`));

    const recovered = await (await client.beginRecoverDeletedKey(name, LRO)).pollUntilDone();
    assert.equal(recovered.id, k.id);
    assert.equal((await client.getKey(name)).id, k.id);

    await (await client.beginDeleteKey(name, LRO)).pollUntilDone();
    await client.purgeDeletedKey(name);
    await rejectsWith(client.getDeletedKey(name), { status: 404, code: 'KeyNotFound' });
    const fresh = await client.createEcKey(name, { curve: 'P-256' });
    assert.notEqual(fresh.properties.version, k.properties.version, 'the name is free again after purge');
  });

  it('backupKey / restoreKeyBackup bring back every version with its ids', async () => {
    const name = secretName('bak');
    const v1 = await client.createRsaKey(name);
    const v2 = await client.createRsaKey(name);
    const blob = await client.backupKey(name);
    assert.ok(blob instanceof Uint8Array && blob.length > 0);
    await (await client.beginDeleteKey(name, LRO)).pollUntilDone();
    await client.purgeDeletedKey(name);
    const restored = await client.restoreKeyBackup(blob);
    assert.equal(restored.id, v2.id);
    assert.deepEqual(Buffer.from(restored.key.n), Buffer.from(v2.key.n));
    const versions = (await collect(client.listPropertiesOfKeyVersions(name))).map((p) => p.version).sort();
    assert.deepEqual(versions, [v1.properties.version, v2.properties.version].sort());
    await rejectsWith(client.restoreKeyBackup(blob), { status: 409 });
    await rejectsWith(client.restoreKeyBackup(new Uint8Array([1, 2, 3, 4])), { status: 400 });
  });

  it('getRandomBytes returns count bytes; count outside 1..128 is 400', async () => {
    const a = await client.getRandomBytes(32);
    const b = await client.getRandomBytes(32);
    assert.equal(a.length, 32);
    assert.notDeepEqual(Buffer.from(a), Buffer.from(b));
    assert.equal((await client.getRandomBytes(128)).length, 128);
    await rejectsWith(client.getRandomBytes(129), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.getRandomBytes(0), { status: 400, code: 'BadParameter' });
  });

  it('bad input: names, kty, sizes, curves, key_ops, api-version', async () => {
    await rejectsWith(client.createRsaKey('bad_name'), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.createRsaKey('a'.repeat(128)), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.createRsaKey(secretName('sz'), { keySize: 1024 }), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.createEcKey(secretName('crv'), { curve: 'P-123' }), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.createKey(secretName('kty'), 'DSA'), { status: 400, code: 'BadParameter' });
    await rejectsWith(client.createRsaKey(secretName('ops'), { keyOps: ['fly'] }), { status: 400, code: 'BadParameter' });
    const url = `${vaultUrl}/keys/${secretName('raw')}/create?api-version=${API_VERSION}`;
    assertAzureError(await h.requestJson('POST', url, {}), 400, { code: 'BadParameter' });
    assertAzureError(await h.requestJson('POST', url, '{not json'), 400);
    assertAzureError(await h.requestJson('POST', url, { kty: 'RSA', key_size: 'big' }), 400);
    const missing = await h.request({ url: `${vaultUrl}/keys/${secretName('nope')}/?api-version=${API_VERSION}`, token: true });
    assertAzureError(missing, 404, { code: 'KeyNotFound' });
  });
});
