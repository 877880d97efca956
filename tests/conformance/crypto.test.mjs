// Cryptographic operations with the real @azure/keyvault-keys 4.10.2 CryptographyClient against
// Keyhaven, cross-checked with Node's crypto. The SDK does some operations locally when it holds
// the public key (RSA1_5/RSA-OAEP encrypt and wrapKey, RS*/PS* verifyData): those are also driven
// through a client that cannot read the key (remote-only) and through raw requests, so every
// server path runs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { startServer, secretName, rejectsWith, assertAzureError, API_VERSION, RESOURCE_GROUP, vaultName } from './harness.mjs';

const sha = (alg, data) => crypto.createHash(alg).update(data).digest();
const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** The SDK's public JsonWebKey → a Node KeyObject. */
function publicKeyOf(key) {
  const jwk = { kty: key.kty };
  if (key.kty.startsWith('RSA')) Object.assign(jwk, { kty: 'RSA', n: b64u(key.n), e: b64u(key.e) });
  else Object.assign(jwk, { kty: 'EC', crv: key.crv === 'P-256K' ? 'secp256k1' : key.crv, x: b64u(key.x), y: b64u(key.y) });
  return crypto.createPublicKey({ key: jwk, format: 'jwk' });
}

describe('cryptography (@azure/keyvault-keys CryptographyClient)', () => {
  let h;
  let keys;
  let vaultUrl;
  let rsa; // KeyVaultKey, RSA 2048
  let rsaCrypto; // CryptographyClient built from the KeyVaultKey

  before(async () => {
    h = await startServer({ name: 'crypto' });
    const v = await h.createVaultWithClient('cry', { retentionDays: 7 });
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
    keys = h.keyClient(vaultUrl);
    rsa = await keys.createRsaKey(secretName('rsa'));
    rsaCrypto = h.cryptoClient(rsa);
  });
  after(async () => {
    await h?.dispose();
  });

  const opUrl = (name, version, op) => `${vaultUrl}/keys/${name}/${version}/${op}?api-version=${API_VERSION}`;

  it('RSA encrypt/decrypt round trips with RSA-OAEP, RSA-OAEP-256 and RSA1_5', async () => {
    const plaintext = Buffer.from('attack at dawn');
    for (const algorithm of ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5']) {
      const enc = await rsaCrypto.encrypt({ algorithm, plaintext });
      assert.equal(enc.result.length, 256, `${algorithm} ciphertext is modulus-sized`);
      const dec = await rsaCrypto.decrypt({ algorithm, ciphertext: enc.result });
      assert.deepEqual(Buffer.from(dec.result), plaintext, algorithm);
      assert.equal(dec.keyID, rsa.id);
    }
  });

  it('local RSA-OAEP-256 encryption (Node) decrypts remotely; remote encryption (raw) decrypts remotely', async () => {
    const plaintext = crypto.randomBytes(32);
    const ct = crypto.publicEncrypt(
      { key: publicKeyOf(rsa.key), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      plaintext,
    );
    const dec = await rsaCrypto.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: ct });
    assert.deepEqual(Buffer.from(dec.result), plaintext);
    const ct1 = crypto.publicEncrypt({ key: publicKeyOf(rsa.key), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, plaintext);
    assert.deepEqual(Buffer.from((await rsaCrypto.decrypt({ algorithm: 'RSA-OAEP', ciphertext: ct1 })).result), plaintext);

    // The SDK encrypts RSA-OAEP locally: drive the server's encrypt and wrapkey paths directly.
    for (const [op, back] of [['encrypt', 'decrypt'], ['wrapkey', 'unwrapkey']]) {
      const res = await h.requestJson('POST', opUrl(rsa.name, '', op), { alg: 'RSA-OAEP', value: b64u(plaintext) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.kid, rsa.id);
      const out = await h.requestJson('POST', opUrl(rsa.name, rsa.properties.version, back), { alg: 'RSA-OAEP', value: res.json.value });
      assert.equal(out.status, 200, out.text);
      assert.equal(out.json.value, b64u(plaintext));
    }
  });

  it('wrapKey/unwrapKey with RSA-OAEP and RSA-OAEP-256', async () => {
    const cek = crypto.randomBytes(32);
    for (const algorithm of ['RSA-OAEP', 'RSA-OAEP-256']) {
      const wrapped = await rsaCrypto.wrapKey(algorithm, cek);
      const unwrapped = await rsaCrypto.unwrapKey(algorithm, wrapped.result);
      assert.deepEqual(Buffer.from(unwrapped.result), cek, algorithm);
    }
  });

  it('a client that cannot read the key (no "get" permission) performs every operation remotely', async () => {
    const name = vaultName('cpol');
    const vault = await h.arm().vaults.createOrUpdate(
      RESOURCE_GROUP,
      name,
      {
        location: 'local',
        properties: { tenantId: h.admin.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: false, accessPolicies: [] },
      },
      { updateIntervalInMs: 20 },
    );
    const url = vault.properties.vaultUri.replace(/\/$/, '');
    const key = await h.keyClient(url).createRsaKey(secretName('remote'));
    const app = await h.createPrincipal('crypto-only');
    await h.arm().vaults.updateAccessPolicy(RESOURCE_GROUP, name, 'add', {
      properties: {
        accessPolicies: [
          {
            tenantId: app.tenantId,
            objectId: app.objectId,
            permissions: { keys: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'], secrets: [], certificates: [] },
          },
        ],
      },
    });
    await rejectsWith(h.keyClient(url, { credential: app.credential }).getKey(key.name), { status: 403 });
    const c = h.cryptoClient(key.id, { credential: app.credential });
    const data = Buffer.from('remote only');
    const enc = await c.encrypt({ algorithm: 'RSA-OAEP', plaintext: data });
    assert.deepEqual(Buffer.from((await c.decrypt({ algorithm: 'RSA-OAEP', ciphertext: enc.result })).result), data);
    const wrapped = await c.wrapKey('RSA1_5', data);
    assert.deepEqual(Buffer.from((await c.unwrapKey('RSA1_5', wrapped.result)).result), data);
    const sig = await c.signData('RS256', data);
    assert.equal((await c.verifyData('RS256', data, sig.result)).result, true, 'remote verify');
    assert.equal((await c.verifyData('RS256', Buffer.from('other'), sig.result)).result, false);
    // The signature checks out locally too.
    assert.ok(crypto.verify('sha256', data, publicKeyOf(key.key), Buffer.from(sig.result)));
  });

  it('RS256/PS256 signatures made remotely verify with Node; verify answers true/false', async () => {
    const data = Buffer.from('signed message');
    const digest = sha('sha256', data);
    const rs = await rsaCrypto.sign('RS256', digest);
    assert.equal(rs.result.length, 256);
    assert.ok(crypto.verify('sha256', data, publicKeyOf(rsa.key), Buffer.from(rs.result)), 'RS256 verifies locally');
    assert.equal((await rsaCrypto.verify('RS256', digest, rs.result)).result, true);
    assert.equal((await rsaCrypto.verify('RS256', sha('sha256', 'x'), rs.result)).result, false);

    const ps = await rsaCrypto.sign('PS256', digest);
    assert.ok(
      crypto.verify('sha256', data, { key: publicKeyOf(rsa.key), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(ps.result)),
      'PS256 verifies locally (salt = digest length)',
    );
    assert.equal((await rsaCrypto.verify('PS256', digest, ps.result)).result, true);

    const sd = await rsaCrypto.signData('RS512', data);
    assert.equal((await rsaCrypto.verifyData('RS512', data, sd.result)).result, true);
  });

  it('ES256, ES384, ES512 and ES256K signatures (JOSE r||s) verify with Node', async () => {
    const cases = [
      ['P-256', 'ES256', 'sha256', 64],
      ['P-384', 'ES384', 'sha384', 96],
      ['P-521', 'ES512', 'sha512', 132],
      ['P-256K', 'ES256K', 'sha256', 64],
    ];
    for (const [curve, alg, hash, sigLen] of cases) {
      const k = await keys.createEcKey(secretName('ec'), { curve });
      const c = h.cryptoClient(k);
      const data = Buffer.from(`data for ${alg}`);
      const sig = await c.signData(alg, data);
      assert.equal(sig.result.length, sigLen, `${alg} signature length`);
      assert.ok(
        crypto.verify(hash, data, { key: publicKeyOf(k.key), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.result)),
        `${alg} verifies locally`,
      );
      assert.equal((await c.verifyData(alg, data, sig.result)).result, true, `${alg} verifies remotely`);
      assert.equal((await c.verify(alg, sha(hash, 'tampered'), sig.result)).result, false);
    }
    // A CryptographyClient from a versionless key id: GET /keys/n/, then POST /keys/n//sign.
    const k = await keys.createEcKey(secretName('ecid'), { curve: 'P-256' });
    const byId = h.cryptoClient(`${vaultUrl}/keys/${k.name}`);
    const sig = await byId.sign('ES256', sha('sha256', 'x'));
    assert.equal(sig.keyID, k.id);
    assert.ok(crypto.verify('sha256', Buffer.from('x'), { key: publicKeyOf(k.key), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.result)));
  });

  it('oct keys: A256GCM (with aad) and A256CBCPAD encrypt/decrypt, A256KW wrap/unwrap', async () => {
    const oct = await keys.createOctKey(secretName('oct'), { keySize: 256 });
    const c = h.cryptoClient(oct);
    const plaintext = Buffer.from('symmetric secret payload');
    const aad = Buffer.from('header');
    const gcm = await c.encrypt({ algorithm: 'A256GCM', plaintext, additionalAuthenticatedData: aad });
    assert.equal(gcm.iv.length, 12);
    assert.equal(gcm.authenticationTag.length, 16);
    const dec = await c.decrypt({
      algorithm: 'A256GCM',
      ciphertext: gcm.result,
      iv: gcm.iv,
      authenticationTag: gcm.authenticationTag,
      additionalAuthenticatedData: aad,
    });
    assert.deepEqual(Buffer.from(dec.result), plaintext);
    await rejectsWith(
      c.decrypt({ algorithm: 'A256GCM', ciphertext: gcm.result, iv: gcm.iv, authenticationTag: gcm.authenticationTag, additionalAuthenticatedData: Buffer.from('x') }),
      { status: 400, code: 'BadParameter' },
    );

    const iv = crypto.randomBytes(16);
    const cbc = await c.encrypt({ algorithm: 'A256CBCPAD', plaintext, iv });
    assert.equal(cbc.result.length, 32);
    const back = await c.decrypt({ algorithm: 'A256CBCPAD', ciphertext: cbc.result, iv });
    assert.deepEqual(Buffer.from(back.result), plaintext);

    const cek = crypto.randomBytes(32);
    const wrapped = await c.wrapKey('A256KW', cek);
    assert.equal(wrapped.result.length, 40);
    assert.deepEqual(Buffer.from((await c.unwrapKey('A256KW', wrapped.result)).result), cek);
  });

  it('HS256 on an oct key (raw request: sign, then verify)', async () => {
    const oct = await keys.createOctKey(secretName('hmac'), { keySize: 256, keyOps: ['sign', 'verify'] });
    const value = b64u(Buffer.from('mac me'));
    const s = await h.requestJson('POST', opUrl(oct.name, oct.properties.version, 'sign'), { alg: 'HS256', value });
    assert.equal(s.status, 200, s.text);
    assert.equal(Buffer.from(s.json.value, 'base64url').length, 32);
    const v = await h.requestJson('POST', opUrl(oct.name, '', 'verify'), { alg: 'HS256', digest: value, value: s.json.value });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.value, true);
  });

  it('errors: wrong algorithm 400, wrong digest length 400, op not in key_ops 403, disabled 403, missing 404, bad base64url 400', async () => {
    const ec = await keys.createEcKey(secretName('errs'), { curve: 'P-256' });
    const ecCrypto = h.cryptoClient(ec);
    await rejectsWith(ecCrypto.sign('ES384', sha('sha384', 'x')), { status: 400, code: 'BadParameter' });
    await rejectsWith(ecCrypto.sign('ES256', sha('sha384', 'x')), { status: 400, code: 'BadParameter' });
    await rejectsWith(rsaCrypto.sign('RS256', Buffer.alloc(20)), { status: 400, code: 'BadParameter' });
    await rejectsWith(rsaCrypto.decrypt({ algorithm: 'A256GCM', ciphertext: Buffer.alloc(16) }), { status: 400, code: 'BadParameter' });
    let raw = await h.requestJson('POST', opUrl(rsa.name, '', 'sign'), { alg: 'XS999', value: b64u(Buffer.alloc(32)) });
    assertAzureError(raw, 400, { code: 'BadParameter' });
    raw = await h.requestJson('POST', opUrl(rsa.name, '', 'sign'), { alg: 'RS256', value: '!!!' });
    assertAzureError(raw, 400, { code: 'BadParameter' });
    raw = await h.requestJson('POST', opUrl(rsa.name, '', 'sign'), { value: b64u(Buffer.alloc(32)) });
    assertAzureError(raw, 400, { code: 'BadParameter' });

    // key_ops enforced by the server (raw: the SDK would refuse locally first).
    const signOnly = await keys.createRsaKey(secretName('signonly'), { keyOps: ['sign', 'verify'] });
    raw = await h.requestJson('POST', opUrl(signOnly.name, signOnly.properties.version, 'encrypt'), { alg: 'RSA-OAEP-256', value: b64u('x') });
    assertAzureError(raw, 403, { code: 'Forbidden' });

    // A disabled key refuses operations but can still be read.
    const dis = await keys.createRsaKey(secretName('disabled'));
    await keys.updateKeyProperties(dis.name, dis.properties.version, { enabled: false });
    raw = await h.requestJson('POST', opUrl(dis.name, '', 'sign'), { alg: 'RS256', value: b64u(Buffer.alloc(32)) });
    assertAzureError(raw, 403, { code: 'Forbidden' });

    raw = await h.requestJson('POST', opUrl(secretName('nokey'), '', 'sign'), { alg: 'RS256', value: b64u(Buffer.alloc(32)) });
    assertAzureError(raw, 404, { code: 'KeyNotFound' });
  });
});
