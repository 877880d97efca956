// HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM) with the real @azure/keyvault-keys KeyClient and
// CryptographyClient, against a Keyhaven server whose keys live in a SoftHSM2 token that this
// file creates (softhsm2-util, from Debian's softhsm2). Results are cross-checked with Node's
// crypto both ways: remote signatures verify locally, local ciphertexts decrypt remotely, and,
// for imported keys whose private part the test knows, local signatures verify remotely and
// remote ciphertexts decrypt locally.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import {
  startServer,
  softHsmToken,
  secretName,
  rejectsWith,
  findInDataDir,
  encodingsOf,
  listFiles,
} from './harness.mjs';

const LRO = { intervalInMs: 20 };
const sha = (alg, data) => crypto.createHash(alg).update(data).digest();
const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** The SDK's public JsonWebKey → a Node KeyObject. */
function publicKeyOf(key) {
  if (key.kty.startsWith('RSA')) {
    return crypto.createPublicKey({ key: { kty: 'RSA', n: b64u(key.n), e: b64u(key.e) }, format: 'jwk' });
  }
  const crv = key.crv === 'P-256K' ? 'secp256k1' : key.crv;
  return crypto.createPublicKey({ key: { kty: 'EC', crv, x: b64u(key.x), y: b64u(key.y) }, format: 'jwk' });
}

/** Node's JWK export → the SDK's JsonWebKey (Uint8Array members). */
function toSdkJwk(jwk) {
  const out = { kty: jwk.kty };
  for (const f of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y', 'k']) if (jwk[f]) out[f] = Buffer.from(jwk[f], 'base64url');
  if (jwk.crv) out.crv = jwk.crv;
  return out;
}

const PSS = (key) => ({ key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST });

describe('HSM-protected keys in a SoftHSM2 token (KeyClient, CryptographyClient)', () => {
  let token;
  let h;
  let client;
  let vault; // name

  before(async () => {
    token = softHsmToken('kh-conformance');
    h = await startServer({ name: 'hsm', extraArgs: token.args, env: token.env });
    const v = await h.createVaultWithClient('hsm', { retentionDays: 7 });
    vault = v.name;
    client = h.keyClient(h.vaultUrl(vault));
  });
  after(async () => {
    await h?.dispose();
  });

  it('createRsaKey/createEcKey/createOctKey with hsm: true make -HSM keys with public parts only', async () => {
    const rsa = await client.createRsaKey(secretName('rsa'), { hsm: true, keySize: 3072 });
    assert.equal(rsa.keyType, 'RSA-HSM');
    assert.equal(rsa.key.kty, 'RSA-HSM');
    assert.equal(rsa.key.n.length, 384);
    for (const f of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!rsa.key[f], `no private member ${f}`);
    const ec = await client.createEcKey(secretName('ec'), { hsm: true, curve: 'P-521' });
    assert.equal(ec.keyType, 'EC-HSM');
    assert.equal(ec.key.crv, 'P-521');
    assert.equal(ec.key.x.length, 66);
    assert.ok(!ec.key.d);
    const oct = await client.createOctKey(secretName('oct'), { hsm: true, keySize: 256 });
    assert.equal(oct.keyType, 'oct-HSM');
    assert.ok(!oct.key.k, 'an oct key is never returned');
    const got = await client.getKey(rsa.name);
    assert.equal(got.keyType, 'RSA-HSM');
    assert.deepEqual(Buffer.from(got.key.n), Buffer.from(rsa.key.n));
  });

  it('RSA-HSM: remote signatures verify with Node; Node ciphertexts decrypt remotely (client from the key and from its id)', async () => {
    const key = await client.createRsaKey(secretName('rsasig'), { hsm: true });
    const pub = publicKeyOf(key.key);
    for (const crypt of [h.cryptoClient(key), h.cryptoClient(key.id)]) {
      const data = crypto.randomBytes(100);
      const rs = await crypt.sign('RS256', sha('sha256', data));
      assert.ok(crypto.verify('sha256', data, pub, Buffer.from(rs.result)), 'RS256 verifies with Node');
      const ps = await crypt.sign('PS384', sha('sha384', data));
      assert.ok(crypto.verify('sha384', data, PSS(pub), Buffer.from(ps.result)), 'PS384 verifies with Node');
      assert.equal((await crypt.verify('PS384', sha('sha384', data), ps.result)).result, true);

      const secret = crypto.randomBytes(32);
      for (const [algorithm, padding, oaepHash] of [
        ['RSA-OAEP-256', crypto.constants.RSA_PKCS1_OAEP_PADDING, 'sha256'],
        ['RSA-OAEP', crypto.constants.RSA_PKCS1_OAEP_PADDING, 'sha1'],
        ['RSA1_5', crypto.constants.RSA_PKCS1_PADDING, undefined],
      ]) {
        const ct = crypto.publicEncrypt({ key: pub, padding, oaepHash }, secret);
        const dec = await crypt.decrypt({ algorithm, ciphertext: ct });
        assert.deepEqual(Buffer.from(dec.result), secret, algorithm);
        const unwrapped = await crypt.unwrapKey(algorithm, ct);
        assert.deepEqual(Buffer.from(unwrapped.result), secret, `unwrapKey ${algorithm}`);
      }
      const wrapped = await crypt.wrapKey('RSA-OAEP-256', secret);
      assert.deepEqual(Buffer.from((await crypt.unwrapKey('RSA-OAEP-256', wrapped.result)).result), secret);
    }
    // A ciphertext that does not decrypt is the caller's problem: 400 BadParameter.
    await rejectsWith(h.cryptoClient(key.id).decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: crypto.randomBytes(256) }), {
      status: 400,
      code: 'BadParameter',
    });
  });

  it('EC-HSM on P-256, P-256K, P-384 and P-521: remote ES* signatures verify with Node', async () => {
    for (const [crv, alg, hash] of [
      ['P-256', 'ES256', 'sha256'],
      ['P-256K', 'ES256K', 'sha256'],
      ['P-384', 'ES384', 'sha384'],
      ['P-521', 'ES512', 'sha512'],
    ]) {
      const key = await client.createEcKey(secretName('ec'), { hsm: true, curve: crv });
      assert.equal(key.keyType, 'EC-HSM');
      const crypt = h.cryptoClient(key.id);
      const data = crypto.randomBytes(64);
      const sig = await crypt.sign(alg, sha(hash, data));
      const ok = crypto.verify(hash, data, { key: publicKeyOf(key.key), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.result));
      assert.ok(ok, `${alg} signature verifies with Node`);
      assert.equal((await crypt.verify(alg, sha(hash, data), sig.result)).result, true);
      await rejectsWith(crypt.sign(alg === 'ES256' ? 'ES384' : 'ES256', sha('sha256', data)), { status: 400, code: 'BadParameter' });
    }
  });

  it('oct-HSM: A256GCM, A128CBCPAD and A256KW round trip through the token', async () => {
    const key = await client.createOctKey(secretName('aes'), {
      hsm: true,
      keySize: 256,
      keyOps: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'],
    });
    const crypt = h.cryptoClient(key.id);
    const plaintext = Buffer.from('a message for the hardware key');
    const aad = Buffer.from('header');
    const enc = await crypt.encrypt({ algorithm: 'A256GCM', plaintext, additionalAuthenticatedData: aad });
    assert.equal(enc.iv.length, 12);
    assert.equal(enc.authenticationTag.length, 16);
    const dec = await crypt.decrypt({
      algorithm: 'A256GCM',
      ciphertext: enc.result,
      iv: enc.iv,
      authenticationTag: enc.authenticationTag,
      additionalAuthenticatedData: aad,
    });
    assert.deepEqual(Buffer.from(dec.result), plaintext);
    const badTag = Buffer.from(enc.authenticationTag);
    badTag[0] ^= 1;
    await rejectsWith(
      crypt.decrypt({ algorithm: 'A256GCM', ciphertext: enc.result, iv: enc.iv, authenticationTag: badTag, additionalAuthenticatedData: aad }),
      { status: 400, code: 'BadParameter' },
    );

    const key128 = await client.createOctKey(secretName('aes128'), { hsm: true, keySize: 128 });
    const crypt128 = h.cryptoClient(key128.id);
    const cbc = await crypt128.encrypt({ algorithm: 'A128CBCPAD', plaintext, iv: crypto.randomBytes(16) });
    assert.deepEqual(Buffer.from((await crypt128.decrypt({ algorithm: 'A128CBCPAD', ciphertext: cbc.result, iv: cbc.iv })).result), plaintext);

    const cek = crypto.randomBytes(32);
    const wrapped = await crypt.wrapKey('A256KW', cek);
    assert.equal(wrapped.result.length, 40);
    assert.deepEqual(Buffer.from((await crypt.unwrapKey('A256KW', wrapped.result)).result), cek);
    // HMAC needs a generic-secret key; an oct-HSM key is an AES key, as in Managed HSM.
    await rejectsWith(crypt.sign('HS256', sha('sha256', plaintext)), { status: 400, code: 'BadParameter' });
  });

  it('importKey with hardwareProtected puts Node keys into the token; both directions interoperate; no private part in the data dir or a backup blob', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaJwk = privateKey.export({ format: 'jwk' });
    const rsaName = secretName('imprsa');
    const imported = await client.importKey(rsaName, toSdkJwk(rsaJwk), { hardwareProtected: true });
    assert.equal(imported.keyType, 'RSA-HSM');
    assert.equal(imported.key.d, undefined);
    const crypt = h.cryptoClient(imported.id);
    const data = Buffer.from('signed on both sides');
    const local = crypto.sign('sha256', data, privateKey);
    assert.equal((await crypt.verify('RS256', sha('sha256', data), local)).result, true, 'Node signature verifies remotely');
    const remote = await crypt.sign('RS256', sha('sha256', data));
    assert.deepEqual(Buffer.from(remote.result), local, 'RS256 from the token equals Node’s (same private key)');
    const secret = crypto.randomBytes(24);
    const ct = crypto.publicEncrypt({ key: publicKey, oaepHash: 'sha256' }, secret);
    assert.deepEqual(Buffer.from((await crypt.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: ct })).result), secret);

    const k = crypto.randomBytes(32);
    const octName = secretName('impoct');
    const oct = await client.importKey(octName, { kty: 'oct', k, keyOps: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] }, { hardwareProtected: true });
    assert.equal(oct.keyType, 'oct-HSM');
    const octCrypt = h.cryptoClient(oct.id);
    // Remote encryption decrypts locally...
    const plaintext = Buffer.from('sealed by the token');
    const enc = await octCrypt.encrypt({ algorithm: 'A256GCM', plaintext });
    const decipher = crypto.createDecipheriv('aes-256-gcm', k, Buffer.from(enc.iv));
    decipher.setAuthTag(Buffer.from(enc.authenticationTag));
    assert.deepEqual(Buffer.concat([decipher.update(Buffer.from(enc.result)), decipher.final()]), plaintext);
    // ...and a local AES key wrap unwraps remotely.
    const cek = crypto.randomBytes(16);
    const kw = crypto.createCipheriv('id-aes256-wrap', k, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    const localWrapped = Buffer.concat([kw.update(cek), kw.final()]);
    assert.deepEqual(Buffer.from((await octCrypt.unwrapKey('A256KW', localWrapped)).result), cek);

    const blobs = [await client.backupKey(rsaName), await client.backupKey(octName)];
    const secrets = [k, Buffer.from(rsaJwk.d, 'base64url'), Buffer.from(rsaJwk.p, 'base64url'), Buffer.from(rsaJwk.q, 'base64url')];
    const findAll = () => secrets.flatMap((s) => findInDataDir(h.dataDir, s));
    assert.deepEqual(findAll(), [], 'private key material in the data dir');
    for (const blob of blobs) {
      for (const s of secrets) {
        for (const [enc2, pattern] of encodingsOf(s)) assert.ok(!Buffer.from(blob).includes(pattern), `private key material (${enc2}) in a backup blob`);
      }
    }
    assert.ok(listFiles(token.tokensDir).length > 0, 'the token directory holds the objects');
    const exit = await h.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(findAll(), [], 'private key material in the data dir after shutdown');
    await h.start();
    h.newCredential();
    client = h.keyClient(h.vaultUrl(vault)); // the port changed
    // After a restart the keys are found in the token again.
    const again = await h.cryptoClient((await client.getKey(rsaName)).id).sign('RS256', sha('sha256', data));
    assert.deepEqual(Buffer.from(again.result), local);
  });

  it('rotateKey makes the new version in the token too', async () => {
    const name = secretName('rot');
    await client.createEcKey(name, { hsm: true, curve: 'P-256' });
    const rotated = await client.rotateKey(name);
    assert.equal(rotated.keyType, 'EC-HSM');
    const sig = await h.cryptoClient(rotated.id).sign('ES256', sha('sha256', 'x'));
    assert.equal(sig.result.length, 64);
  });

  it('backup, delete, purge, restore: the same private key signs again, every version', async () => {
    const name = secretName('bk');
    const v1 = await client.createRsaKey(name, { hsm: true });
    const v2 = await client.rotateKey(name);
    const digest = sha('sha256', 'the same document');
    const sig1 = Buffer.from((await h.cryptoClient(v1.id).sign('RS256', digest)).result);
    const sig2 = Buffer.from((await h.cryptoClient(v2.id).sign('RS256', digest)).result);
    const blob = await client.backupKey(name);
    await (await client.beginDeleteKey(name, LRO)).pollUntilDone();
    await client.purgeDeletedKey(name);
    await rejectsWith(client.getKey(name), { status: 404 });
    const restored = await client.restoreKeyBackup(blob);
    assert.equal(restored.keyType, 'RSA-HSM');
    assert.equal(restored.id, v2.id);
    assert.deepEqual(Buffer.from((await h.cryptoClient(v1.id).sign('RS256', digest)).result), sig1);
    assert.deepEqual(Buffer.from((await h.cryptoClient(v2.id).sign('RS256', digest)).result), sig2);
  });

  it('an HSM key backup does not restore on a server with another token; a server without a token refuses -HSM keys', async () => {
    const name = secretName('pinned');
    await client.createOctKey(name, { hsm: true });
    const blob = await client.backupKey(name);

    const otherToken = softHsmToken('kh-conformance-other');
    const other = await startServer({ name: 'hsm-other', extraArgs: otherToken.args, env: otherToken.env });
    const plain = await startServer({ name: 'hsm-none' });
    try {
      const ov = await other.createVaultWithClient('hsmo', { retentionDays: 7 });
      const otherClient = other.keyClient(ov.vault.properties.vaultUri);
      const err = await rejectsWith(otherClient.restoreKeyBackup(blob), { status: 400, code: 'BadParameter' });
      assert.match(err.message, /same token/);
      await rejectsWith(otherClient.getKey(name), { status: 404 });

      const pv = await plain.createVaultWithClient('hsmn', { retentionDays: 7 });
      const plainClient = plain.keyClient(pv.vault.properties.vaultUri);
      const refused = await rejectsWith(plainClient.createRsaKey(secretName('no'), { hsm: true }), { status: 400, code: 'BadParameter' });
      assert.match(refused.message, /PKCS#11/);
      await rejectsWith(plainClient.restoreKeyBackup(blob), { status: 400, code: 'BadParameter' });
    } finally {
      await other.dispose();
      await plain.dispose();
    }
  });
});
