// Certificates with the real @azure/keyvault-certificates 4.10.3 CertificateClient against Keyhaven:
// self-signed creation (RSA and EC, PKCS#12 and PEM) checked with openssl and Node's crypto, the
// managed key and secret behind each certificate, get/list/update, policies, versions and
// reuseKey, soft delete/recover/purge of all three objects, backup/restore, import of PFX and PEM
// files made by openssl (passwords, chains, preserveCertOrder), the 2025-07-01 outContentType
// conversion and invalid input. Pending operations, issuers, merge, the built-in CA and renewal
// are in certificate_issuance.test.mjs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import {
  startServer,
  secretName,
  rejectsWith,
  assertAzureError,
  eventually,
  collect,
  randomHex,
  API_VERSION,
} from './harness.mjs';
import {
  LRO,
  DAY_MS,
  PKCS12,
  PEM,
  certificateClient,
  createCertificate,
  assertCertificateBundle,
  assertRemoteSignatureVerifies,
  assertSamePublicKey,
  assertValidityMonths,
  extensionsOf,
  inspectCsr,
  makeCa,
  makeLeaf,
  makePfx,
  parsePemBundle,
  parseSecretValue,
  publicKeyOfJwk,
  rdns,
  sansOf,
  sha1,
  spki,
  tmpDir,
  toPem,
  validity,
  withTimeout,
  x509,
} from './cert_util.mjs';

// The SDK's public policy objects carry undefined members; compare their JSON form.
const plain = (v) => JSON.parse(JSON.stringify(v));
const self = (subject, extra = {}) => ({ issuerName: 'Self', subject, ...extra });

describe('certificates (@azure/keyvault-certificates CertificateClient)', () => {
  let h;
  let vaultUrl;
  let pki; // a test CA made with openssl, for import tests
  const client = () => certificateClient(h, vaultUrl);
  const keys = () => h.keyClient(vaultUrl);
  const secrets = () => h.secretClient(vaultUrl);
  const bundle = (cert, name, opts) => assertCertificateBundle(cert, { vaultUrl, name, ...opts });
  const versionsOf = async (name) => collect(client().listPropertiesOfCertificateVersions(name));
  const api = (path, extra = '') => `${vaultUrl}${path}?api-version=${API_VERSION}${extra}`;

  before(async () => {
    h = await startServer({ name: 'certificates' });
    const v = await h.createVaultWithClient('certs', { retentionDays: 7 });
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
    const dir = tmpDir('certs-pki');
    pki = { dir, ca: makeCa(dir) };
  });
  after(async () => {
    await h?.dispose();
  });

  it('beginCreateCertificate (Self, RSA default): exactly the requested subject, SANs, EKUs, critical key usage and 13-month validity; bundle ids, x5t, nbf/exp, policy', async () => {
    const name = secretName('rsa');
    const policy = self('CN=svc.example, O=Contoso', {
      subjectAlternativeNames: {
        dnsNames: ['svc.example', 'www.svc.example'],
        emails: ['ops@svc.example'],
        userPrincipalNames: ['svc@corp.example'],
      },
      enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      validityInMonths: 13,
    });
    const startedAt = Date.now();
    const poller = await client().beginCreateCertificate(name, policy, { ...LRO, tags: { env: 'test' } });
    assert.equal(poller.getResult()?.name, name, 'the 202 operation names the certificate');
    const cert = await withTimeout(poller.pollUntilDone(), 30_000, 'create', () => poller.stopPolling());
    const { der, x: c } = bundle(cert, name);

    assert.equal(c.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(c.publicKey.asymmetricKeyDetails.modulusLength, 2048, 'RSA 2048 by default');
    assert.deepEqual(rdns(c.subject), ['CN=svc.example', 'O=Contoso']);
    assert.equal(c.issuer, c.subject, 'self-signed: issuer = subject');
    assert.ok(c.verify(c.publicKey), 'the self-signature verifies');
    assert.deepEqual(sansOf(c), [
      'DNS:svc.example',
      'DNS:www.svc.example',
      'email:ops@svc.example',
      'othername:UPN:svc@corp.example',
    ]);
    assert.deepEqual([...(c.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'exactly the requested EKUs');
    const ext = extensionsOf(der);
    assert.deepEqual(ext.keyUsage, ['digitalSignature', 'keyEncipherment'], 'exactly the requested key usage');
    assert.equal(ext.keyUsageCritical, true, 'key usage is critical');
    assert.ok(!ext.basicConstraints?.ca, 'not a CA without keyCertSign');
    assertValidityMonths(c, 13);
    const { notBefore } = validity(c);
    assert.ok(notBefore.getTime() <= Date.now() + 60_000, `notBefore ${notBefore.toISOString()} is not in the future`);
    assert.ok(notBefore.getTime() >= startedAt - DAY_MS, `notBefore ${notBefore.toISOString()} is recent`);

    const p = cert.properties;
    assert.deepEqual(p.tags, { env: 'test' });
    assert.equal(p.recoveryLevel, 'CustomizedRecoverable+Purgeable');
    assert.equal(p.recoverableDays, 7);

    const pol = cert.policy;
    assert.equal(pol.issuerName, 'Self');
    assert.equal(pol.contentType, PKCS12, 'PKCS#12 by default');
    assert.equal(pol.keyType, 'RSA');
    assert.equal(pol.keySize, 2048);
    assert.equal(pol.exportable, true, 'exportable by default');
    assert.equal(pol.reuseKey, false, 'reuseKey false by default');
    assert.equal(pol.validityInMonths, 13);
    assert.deepEqual([...pol.enhancedKeyUsage].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.deepEqual([...pol.keyUsage].sort(), ['digitalSignature', 'keyEncipherment']);
    assert.deepEqual(plain(pol.subjectAlternativeNames), {
      dnsNames: ['svc.example', 'www.svc.example'],
      emails: ['ops@svc.example'],
      userPrincipalNames: ['svc@corp.example'],
    });

    // On the wire: cer is standard base64 DER, x5t the base64url SHA-1, and the policy has its id.
    const res = await h.request({ url: api(`/certificates/${name}/${p.version}`), token: true });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.cer, /^[A-Za-z0-9+/]+=*$/, 'cer is standard base64');
    assert.ok(Buffer.from(res.json.cer, 'base64').equals(der));
    assert.equal(res.json.x5t, sha1(der).toString('base64url'), 'x5t is base64url(SHA-1) without padding');
    assert.equal(res.json.policy?.id, `${vaultUrl}/certificates/${name}/policy`);
    assert.equal(typeof res.json.attributes.nbf, 'number', 'IntDate seconds');
  });

  it('the backing secret (PKCS#12) and key: managed, same version, empty-password PFX whose key matches, key_ops from the key usage, RS256/PS256 verify', async () => {
    const name = secretName('rsasec');
    const cert = await createCertificate(client(), name, self('CN=secret.example', { keyUsage: ['digitalSignature', 'keyEncipherment'] }));
    const { version, der, x: c } = bundle(cert, name);

    const s = await secrets().getSecret(name);
    assert.equal(s.properties.id, cert.secretId, 'the latest secret version is the certificate version');
    assert.equal(s.properties.version, version);
    assert.equal(s.properties.managed, true, 'the secret is managed');
    assert.equal(s.properties.certificateKeyId, cert.keyId, 'the secret names its key (kid)');
    assert.equal(s.properties.contentType, PKCS12);
    assert.equal(s.properties.notBefore?.getTime(), cert.properties.notBefore.getTime(), 'the secret has the certificate nbf');
    assert.equal(s.properties.expiresOn?.getTime(), cert.properties.expiresOn.getTime(), 'the secret has the certificate exp');
    const pfx = parseSecretValue(s.value, PKCS12);
    assert.equal(pfx.certs.length, 1, 'a self-signed PFX holds one certificate');
    assert.ok(pfx.certs[0].equals(der), 'the PFX certificate is cer');
    assert.equal(pfx.keys.length, 1, 'the PFX holds the private key');
    assertSamePublicKey(pfx.keys[0], c, 'PFX private key vs certificate');
    const byVersion = await secrets().getSecret(name, { version });
    assert.ok(byVersion.value === s.value, 'the versioned secret has the same value');

    const k = await keys().getKey(name);
    assert.equal(k.id, cert.keyId);
    assert.equal(k.properties.version, version);
    assert.equal(k.properties.managed, true, 'the key is managed');
    assert.equal(k.keyType, 'RSA');
    for (const f of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.ok(!k.key[f], `no private member ${f}`);
    assertSamePublicKey(publicKeyOfJwk(k.key), c, 'backing key vs certificate');
    assert.deepEqual([...k.keyOperations].sort(), ['sign', 'unwrapKey', 'verify', 'wrapKey'], 'digitalSignature → sign/verify, keyEncipherment → wrapKey/unwrapKey');
    assert.equal(k.properties.expiresOn?.getTime(), cert.properties.expiresOn.getTime(), 'the key has the certificate exp');
    await assertRemoteSignatureVerifies(h, cert.keyId, c, 'RS256');
    await assertRemoteSignatureVerifies(h, cert.keyId, c, 'PS256');
  });

  it('EC P-256 with application/x-pem-file: the secret is PEM (PKCS#8 key, then the certificate, as the SDK’s own test reads it); ES256 verifies', async () => {
    const name = secretName('ecpem');
    const cert = await createCertificate(client(), name, self('CN=ec.example', {
      keyType: 'EC',
      keyCurveName: 'P-256',
      contentType: PEM,
      subjectAlternativeNames: { dnsNames: ['ec.example'] },
    }));
    const { der, x: c } = bundle(cert, name);
    assert.equal(c.publicKey.asymmetricKeyType, 'ec');
    assert.equal(c.publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
    assert.ok(c.verify(c.publicKey), 'the self-signature verifies');
    assert.deepEqual(sansOf(c), ['DNS:ec.example']);
    assert.equal(cert.policy.keyType, 'EC');
    assert.equal(cert.policy.keyCurveName, 'P-256');
    assert.equal(cert.policy.contentType, PEM);

    const s = await secrets().getSecret(name);
    assert.equal(s.properties.contentType, PEM);
    assert.equal(s.properties.managed, true);
    const pem = parseSecretValue(s.value, PEM);
    assert.deepEqual(pem.labels, ['PRIVATE KEY', 'CERTIFICATE'], 'a PKCS#8 key, then the certificate');
    assert.ok(pem.certs[0].equals(der), 'the PEM certificate is cer');
    assertSamePublicKey(pem.keys[0], c, 'PEM private key vs certificate');
    // @azure/keyvault-certificates' own test ("can get a certificate's secret in PEM format")
    // takes the base64 after the last BEGIN CERTIFICATE, expecting a final "\n".
    const sdkView = s.value.split('\n').slice(0, -2).join('').split('-----BEGIN CERTIFICATE-----').slice(-1).join('');
    assert.ok(sdkView === der.toString('base64'), 'the SDK test’s reading of the PEM secret yields cer');

    const k = await keys().getKey(name);
    assert.equal(k.keyType, 'EC');
    assert.equal(k.key.crv, 'P-256');
    assert.equal(k.properties.managed, true);
    assert.deepEqual([...k.keyOperations].sort(), ['sign', 'verify']);
    assertSamePublicKey(publicKeyOfJwk(k.key), c, 'backing key vs certificate');
    await assertRemoteSignatureVerifies(h, cert.keyId, c, 'ES256');
  });

  it('RSA 3072 and EC P-384 policies make keys of that size; ES384 verifies', async () => {
    const rsa = await createCertificate(client(), secretName('rsa3k'), self('CN=rsa3072.example', { keySize: 3072 }));
    const r = x509(rsa.cer);
    assert.equal(r.publicKey.asymmetricKeyDetails.modulusLength, 3072);
    assert.equal(rsa.policy.keySize, 3072);
    assert.equal((await keys().getKey(rsa.name)).key.n.length, 384);

    const ec = await createCertificate(client(), secretName('ec384'), self('CN=p384.example', { keyType: 'EC', keyCurveName: 'P-384' }));
    const e = x509(ec.cer);
    assert.equal(e.publicKey.asymmetricKeyDetails.namedCurve, 'secp384r1');
    assert.equal(ec.policy.keyCurveName, 'P-384');
    await assertRemoteSignatureVerifies(h, ec.keyId, e, 'ES384');
    // A PKCS#12 EC certificate: the PFX key is the EC key.
    const pfx = parseSecretValue((await secrets().getSecret(ec.name)).value, PKCS12);
    assertSamePublicKey(pfx.keys[0], e, 'EC PFX key vs certificate');
  });

  it('raw POST /create answers 202 with the pending operation (CSR, Location); the completed operation names its target', async () => {
    const name = secretName('raw');
    const res = await h.requestJson('POST', api(`/certificates/${name}/create`), {
      policy: {
        key_props: { kty: 'RSA', key_size: 2048, exportable: true, reuse_key: false },
        secret_props: { contentType: PKCS12 },
        x509_props: { subject: 'CN=raw.example', sans: { dns_names: ['raw.example'] }, validity_months: 12 },
        issuer: { name: 'Self' },
      },
    });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json.id, `${vaultUrl}/certificates/${name}/pending`);
    assert.equal(res.json.issuer?.name, 'Self');
    assert.equal(res.json.cancellation_requested, false);
    assert.ok(['inProgress', 'completed'].includes(res.json.status), `status ${res.json.status}`);
    assert.equal(typeof res.json.request_id, 'string');
    assert.match(res.json.csr ?? '', /^[A-Za-z0-9+/]+=*$/, 'csr is standard base64');
    const csr = inspectCsr(Buffer.from(res.json.csr, 'base64'));
    assert.equal(csr.subject, 'CN=raw.example');
    assert.equal(csr.sans, 'DNS:raw.example');
    assert.match(String(res.headers.location ?? ''), new RegExp(`/certificates/${name}/pending`), 'Location names the pending operation');

    const op = await eventually(async () => {
      const r = await h.request({ url: api(`/certificates/${name}/pending`), token: true });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'completed');
      return r.json;
    });
    assert.equal(op.target, `${vaultUrl}/certificates/${name}`);
    const cert = await client().getCertificate(name);
    bundle(cert, name);
    assertSamePublicKey(csr.publicKey, x509(cert.cer), 'the CSR is for the certificate key');

    const opPoller = await client().getCertificateOperation(name, LRO);
    const state = opPoller.getOperationState();
    assert.equal(state.isCompleted, true);
    assert.equal(state.certificateOperation.status, 'completed');
    assert.equal(state.result.properties.id, cert.properties.id);
  });

  it('a certificate’s key and secret are read-only on their own (403 Forbidden); a name held by a plain secret or key is 409', async () => {
    const name = secretName('ro');
    const cert = await createCertificate(client(), name, self('CN=ro.example'));
    const v = cert.properties.version;
    await rejectsWith(keys().updateKeyProperties(name, v, { enabled: false }), { status: 403, code: 'Forbidden' });
    await rejectsWith(keys().beginDeleteKey(name, LRO), { status: 403, code: 'Forbidden' });
    await rejectsWith(secrets().setSecret(name, 'not a certificate'), { status: 403, code: 'Forbidden' });
    await rejectsWith(secrets().updateSecretProperties(name, v, { tags: { a: 'b' } }), { status: 403, code: 'Forbidden' });
    await rejectsWith(secrets().beginDeleteSecret(name, LRO), { status: 403, code: 'Forbidden' });
    await rejectsWith(keys().createRsaKey(name), { status: [403, 409] });
    // Nothing changed.
    assert.equal((await keys().getKey(name)).properties.enabled, true);
    assert.equal((await collect(keys().listPropertiesOfKeyVersions(name))).length, 1);
    assert.equal((await collect(secrets().listPropertiesOfSecretVersions(name))).length, 1);
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.contentType, PKCS12);
    assert.deepEqual(s.properties.tags ?? {}, {});
    // The certificate itself may be updated.
    await client().updateCertificateProperties(name, v, { tags: { ok: 'yes' } });

    const sname = secretName('plainsec');
    await secrets().setSecret(sname, 'plain value');
    await rejectsWith(client().beginCreateCertificate(sname, self('CN=x.example'), LRO), { status: 409, code: 'Conflict' });
    const kname = secretName('plainkey');
    await keys().createEcKey(kname, { curve: 'P-256' });
    await rejectsWith(client().beginCreateCertificate(kname, self('CN=y.example'), LRO), { status: 409, code: 'Conflict' });
    const ownSecret = await secrets().getSecret(sname);
    assert.equal(ownSecret.value, 'plain value', 'the plain secret is untouched');
    assert.ok(!ownSecret.properties.managed);
    assert.equal((await collect(secrets().listPropertiesOfSecretVersions(sname))).length, 1);
    assert.equal((await collect(keys().listPropertiesOfKeyVersions(kname))).length, 1);
    await rejectsWith(client().getCertificate(sname), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(client().getCertificate(kname), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(keys().getKey(sname), { status: 404, code: 'KeyNotFound' });
  });

  it('getCertificate / getCertificateVersion / listPropertiesOfCertificateVersions; updateCertificateProperties (enabled, tags) without a new version; a disabled certificate’s secret is 403', async () => {
    const name = secretName('upd');
    const policy = self('CN=upd.example');
    const v1 = await createCertificate(client(), name, policy);
    const v2 = await createCertificate(client(), name, policy);
    const b1 = bundle(v1, name);
    const b2 = bundle(v2, name);
    assert.notEqual(b1.version, b2.version, 'a second create makes a new version');
    assert.ok(!b1.der.equals(b2.der));

    const latest = await client().getCertificate(name);
    assert.equal(latest.properties.id, v2.properties.id, 'getCertificate returns the latest version');
    assert.equal(latest.policy.subject, 'CN=upd.example');
    const old = await client().getCertificateVersion(name, b1.version);
    assert.equal(old.properties.id, v1.properties.id);
    assert.ok(Buffer.from(old.cer).equals(b1.der));

    const versions = await versionsOf(name);
    assert.deepEqual(versions.map((p) => p.version).sort(), [b1.version, b2.version].sort());
    for (const p of versions) {
      assert.equal(p.id, `${vaultUrl}/certificates/${name}/${p.version}`, 'version items carry the versioned id');
      const der = p.version === b1.version ? b1.der : b2.der;
      assert.equal(Buffer.from(p.x509Thumbprint).toString('hex'), sha1(der).toString('hex'));
    }

    const upd = await client().updateCertificateProperties(name, b1.version, { enabled: false, tags: { stage: 'old' } });
    assert.equal(upd.properties.version, b1.version);
    assert.equal(upd.properties.enabled, false);
    assert.deepEqual(upd.properties.tags, { stage: 'old' });
    const got = await client().getCertificateVersion(name, b1.version);
    assert.equal(got.properties.enabled, false);
    assert.deepEqual(got.properties.tags, { stage: 'old' });
    assert.equal((await client().getCertificate(name)).properties.enabled, true, 'the latest version is untouched');
    assert.equal((await versionsOf(name)).length, 2, 'an update makes no new version');

    // Azure: a disabled certificate's key and secret become inoperable.
    await rejectsWith(secrets().getSecret(name, { version: b1.version }), { status: 403, code: 'Forbidden' });
    assert.equal((await keys().getKey(name, { version: b1.version })).properties.enabled, false, 'the key version is disabled too');
    await client().updateCertificateProperties(name, b1.version, { enabled: true });
    parseSecretValue((await secrets().getSecret(name, { version: b1.version })).value, PKCS12);

    // Version "" means the latest (the SDK's own CRUD test updates tags this way).
    await client().updateCertificateProperties(name, '', { tags: { stage: 'new' } });
    assert.deepEqual((await client().getCertificate(name)).properties.tags, { stage: 'new' });

    await rejectsWith(client().getCertificate(secretName('missing')), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(client().getCertificateVersion(name, '0'.repeat(32)), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(client().updateCertificateProperties(name, 'f'.repeat(32), { enabled: true }), { status: 404, code: 'CertificateNotFound' });
  });

  it('listPropertiesOfCertificates pages with maxresults 2 (byPage maxPageSize is ignored by this SDK); items carry base ids and x5t; includePending lists pending ones', async () => {
    const { vault } = await h.createVaultWithClient('clist');
    const url = vault.properties.vaultUri.replace(/\/$/, '');
    const c = certificateClient(h, url);
    const names = Array.from({ length: 5 }, (_, i) => `cl-${i}-${randomHex(2)}`);
    const latest = {};
    for (const n of names) latest[n] = await createCertificate(c, n, self(`CN=${n}.example`));
    latest[names[0]] = await createCertificate(c, names[0], self(`CN=${names[0]}.example`));

    const pages = [];
    for await (const page of c.listPropertiesOfCertificates({ maxresults: 2 }).byPage()) pages.push(page);
    assert.ok(pages.length >= 3, `5 certificates in pages of 2: got ${pages.length} page(s)`);
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length}`);
    // byPage({maxPageSize}) sends no maxresults in 4.10.3 (unlike keyvault-keys); it still lists everything.
    const unpaged = [];
    for await (const page of c.listPropertiesOfCertificates().byPage({ maxPageSize: 2 })) unpaged.push(...page);
    assert.deepEqual(unpaged.map((p) => p.name).sort(), [...names].sort());
    const seen = pages.flat();
    assert.deepEqual(seen.map((p) => p.name).sort(), [...names].sort());
    for (const p of seen) {
      assert.equal(p.id, `${url}/certificates/${p.name}`, 'list items carry the base id');
      assert.equal(p.enabled, true);
      assert.equal(Buffer.from(p.x509Thumbprint).toString('hex'), sha1(latest[p.name].cer).toString('hex'), 'x5t of the latest version');
    }
    const raw = await h.request({ url: `${url}/certificates?api-version=${API_VERSION}&maxresults=2`, token: true });
    assert.equal(raw.status, 200, raw.text);
    assert.ok(Array.isArray(raw.json.value) && raw.json.value.length <= 2);
    assert.equal(typeof raw.json.nextLink, 'string');
    for (const item of raw.json.value) {
      assert.ok(!('cer' in item) && !('policy' in item), 'CertificateItem has no cer or policy');
    }
    assert.equal((await collect(c.listPropertiesOfCertificateVersions(names[0]))).length, 2);

    const pending = `cl-pending-${randomHex(2)}`;
    await c.beginCreateCertificate(pending, { issuerName: 'Unknown', subject: 'CN=pending.example' }, LRO);
    const withPending = await collect(c.listPropertiesOfCertificates({ includePending: true }));
    assert.ok(withPending.some((p) => p.name === pending), 'includePending lists the pending certificate');
  });

  it('policies: getCertificatePolicy, updateCertificatePolicy (only the members sent change), the next version follows the stored policy; reuseKey keeps the key', async () => {
    const name = secretName('pol');
    const v1 = await createCertificate(client(), name, self('CN=policy.example', { validityInMonths: 12 }));
    const pol = await client().getCertificatePolicy(name);
    assert.equal(pol.issuerName, 'Self');
    assert.equal(pol.subject, 'CN=policy.example');
    assert.equal(pol.validityInMonths, 12);
    assert.equal(pol.keyType, 'RSA');
    assert.equal(pol.contentType, PKCS12);
    assert.deepEqual(plain(pol.lifetimeActions), [{ action: 'AutoRenew', lifetimePercentage: 80 }], 'Azure’s default: AutoRenew at 80%');
    const raw = await h.request({ url: api(`/certificates/${name}/policy`), token: true });
    assert.equal(raw.status, 200, raw.text);
    assert.equal(raw.json.id, `${vaultUrl}/certificates/${name}/policy`);

    // The SDK sends every member it has ({} for the others); the ones it leaves out stay.
    await client().updateCertificatePolicy(name, {
      lifetimeActions: [{ action: 'EmailContacts', daysBeforeExpiry: 30 }],
      validityInMonths: 6,
    });
    const got = await client().getCertificatePolicy(name);
    assert.deepEqual(plain(got.lifetimeActions), [{ action: 'EmailContacts', daysBeforeExpiry: 30 }]);
    assert.equal(got.validityInMonths, 6);
    assert.equal(got.subject, 'CN=policy.example', 'the subject was not sent and stays');
    assert.equal(got.issuerName, 'Self');
    assert.equal(got.keyType, 'RSA');
    assert.equal(got.contentType, PKCS12);
    assert.equal((await client().getCertificate(name)).policy.validityInMonths, 6, 'the bundle shows the current policy');
    assert.equal((await versionsOf(name)).length, 1, 'a policy update makes no version');

    // A create without a policy uses the stored one (Azure: only the first create needs one).
    const res = await h.requestJson('POST', api(`/certificates/${name}/create`), {});
    assert.equal(res.status, 202, res.text);
    const v2 = await eventually(async () => {
      const l = await client().getCertificate(name);
      assert.notEqual(l.properties.version, v1.properties.version);
      assert.ok(l.cer?.length, 'the new version has its certificate');
      return l;
    }, { timeoutMs: 10_000 });
    bundle(v2, name);
    assertValidityMonths(x509(v2.cer), 6);
    assert.ok(!spki(x509(v2.cer)).equals(spki(x509(v1.cer))), 'reuseKey false: a new key');

    const reuse = self('CN=policy.example', { validityInMonths: 6, reuseKey: true });
    const v3 = await createCertificate(client(), name, reuse);
    const b3 = bundle(v3, name);
    assert.equal(v3.policy.reuseKey, true);
    assertSamePublicKey(x509(v3.cer), x509(v2.cer), 'reuseKey true keeps the key material');
    assert.notEqual(b3.version, v2.properties.version);
    assert.notEqual(x509(v3.cer).serialNumber, x509(v2.cer).serialNumber, 'a new certificate (serial)');
    const k3 = await keys().getKey(name, { version: b3.version });
    assertSamePublicKey(publicKeyOfJwk(k3.key), x509(v2.cer), 'the new key version has the same key');
    await assertRemoteSignatureVerifies(h, v3.keyId, x509(v3.cer), 'RS256');
    const v4 = await createCertificate(client(), name, { ...reuse, reuseKey: false });
    assert.ok(!spki(x509(v4.cer)).equals(spki(x509(v3.cer))), 'reuseKey false again: a new key');
    assert.equal((await versionsOf(name)).length, 4);
  });

  it('beginDeleteCertificate deletes its key and secret too; getDeletedCertificate, listDeletedCertificates; recover brings all three back; purge purges all three', async () => {
    const name = secretName('del');
    const policy = self('CN=del.example');
    const cert = await createCertificate(client(), name, policy);
    const { der, x: c } = bundle(cert, name);

    const poller = await client().beginDeleteCertificate(name, LRO);
    const first = poller.getResult();
    assert.equal(first.recoveryId, `${vaultUrl}/deletedcertificates/${name}`);
    assert.ok(first.deletedOn instanceof Date && first.scheduledPurgeDate instanceof Date);
    const retention = first.scheduledPurgeDate.getTime() - first.deletedOn.getTime();
    assert.ok(Math.abs(retention - 7 * DAY_MS) <= 60_000, `scheduledPurgeDate is 7 days after deletedOn (${retention} ms)`);
    const deleted = await withTimeout(poller.pollUntilDone(), 15_000, 'delete', () => poller.stopPolling());
    assert.equal(deleted.name, name);
    assert.equal(deleted.properties.id, cert.properties.id);
    assert.ok(Buffer.from(deleted.cer).equals(der));
    assert.equal(deleted.policy.subject, 'CN=del.example');

    await rejectsWith(client().getCertificate(name), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(keys().getKey(name), { status: 404, code: 'KeyNotFound' });
    await rejectsWith(secrets().getSecret(name), { status: 404, code: 'SecretNotFound' });
    const dk = await keys().getDeletedKey(name);
    assert.equal(dk.id, cert.keyId);
    assert.equal(dk.properties.recoveryId, `${vaultUrl}/deletedkeys/${name}`);
    const ds = await secrets().getDeletedSecret(name);
    assert.equal(ds.properties.id, cert.secretId);
    const dc = await client().getDeletedCertificate(name);
    assert.equal(dc.recoveryId, `${vaultUrl}/deletedcertificates/${name}`);
    assert.equal(dc.properties.id, cert.properties.id);
    const listed = await collect(client().listDeletedCertificates());
    assert.ok(listed.some((d) => d.name === name && d.recoveryId === `${vaultUrl}/deletedcertificates/${name}`));
    await rejectsWith(client().beginCreateCertificate(name, policy, LRO), { status: 409, code: 'Conflict' });

    const rp = await client().beginRecoverDeletedCertificate(name, LRO);
    const recovered = await withTimeout(rp.pollUntilDone(), 15_000, 'recover', () => rp.stopPolling());
    assert.equal(recovered.properties.id, cert.properties.id);
    assert.ok(Buffer.from(recovered.cer).equals(der));
    assert.equal((await keys().getKey(name)).id, cert.keyId);
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.id, cert.secretId);
    assert.equal(s.properties.managed, true);
    assertSamePublicKey(parseSecretValue(s.value, PKCS12).keys[0], c, 'recovered secret key');
    await assertRemoteSignatureVerifies(h, cert.keyId, c, 'RS256');
    await rejectsWith(client().getDeletedCertificate(name), { status: 404 });
    await rejectsWith(keys().getDeletedKey(name), { status: 404 });
    await rejectsWith(secrets().getDeletedSecret(name), { status: 404 });

    const again = await client().beginDeleteCertificate(name, LRO);
    await withTimeout(again.pollUntilDone(), 15_000, 'delete', () => again.stopPolling());
    await client().purgeDeletedCertificate(name);
    await rejectsWith(client().getDeletedCertificate(name), { status: 404, code: 'CertificateNotFound' });
    await rejectsWith(keys().getDeletedKey(name), { status: 404, code: 'KeyNotFound' });
    await rejectsWith(secrets().getDeletedSecret(name), { status: 404, code: 'SecretNotFound' });
    const fresh = await createCertificate(client(), name, policy);
    assert.notEqual(fresh.properties.version, cert.properties.version, 'the name is free after the purge');
    assert.equal((await versionsOf(name)).length, 1);

    await rejectsWith(client().beginDeleteCertificate(secretName('never'), LRO), { status: 404, code: 'CertificateNotFound' });
  });

  it('backupCertificate / restoreCertificateBackup after purge: every version, same ids and cer; the key signs again; 409 over an existing name, 400 for garbage', async () => {
    const name = secretName('bak');
    const policy = self('CN=backup.example');
    const v1 = await createCertificate(client(), name, policy);
    const v2 = await createCertificate(client(), name, policy);
    const pfx = parseSecretValue((await secrets().getSecret(name)).value, PKCS12);
    const blob = await client().backupCertificate(name);
    assert.ok(blob instanceof Uint8Array && blob.length > 0);
    const pkcs8 = pfx.keys[0].export({ type: 'pkcs8', format: 'der' });
    assert.ok(!Buffer.from(blob).includes(pkcs8.subarray(pkcs8.length - 64)), 'the backup does not hold the private key in the clear');

    await (await client().beginDeleteCertificate(name, LRO)).pollUntilDone();
    await client().purgeDeletedCertificate(name);
    await rejectsWith(keys().getDeletedKey(name), { status: 404 });

    const restored = await client().restoreCertificateBackup(blob);
    assert.equal(restored.properties.id, v2.properties.id, 'the latest version comes back with its id');
    assert.ok(Buffer.from(restored.cer).equals(Buffer.from(v2.cer)));
    assert.equal(restored.policy.subject, 'CN=backup.example');
    const versions = (await versionsOf(name)).map((p) => p.version).sort();
    assert.deepEqual(versions, [v1.properties.version, v2.properties.version].sort());
    const old = await client().getCertificateVersion(name, v1.properties.version);
    assert.ok(Buffer.from(old.cer).equals(Buffer.from(v1.cer)));

    const k = await keys().getKey(name);
    assert.equal(k.id, v2.keyId);
    assert.equal(k.properties.managed, true);
    await assertRemoteSignatureVerifies(h, v2.keyId, x509(v2.cer), 'RS256');
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.id, v2.secretId);
    assertSamePublicKey(parseSecretValue(s.value, PKCS12).keys[0], x509(v2.cer), 'restored secret key');

    await rejectsWith(client().restoreCertificateBackup(blob), { status: 409 });
    await rejectsWith(client().restoreCertificateBackup(new Uint8Array([1, 2, 3, 4])), { status: 400 });
  });

  it('importCertificate of PFX files made by openssl (with and without a password): cer, a passwordless secret with the chain, a managed key; wrong or missing password 400; no pending operation', async () => {
    const { dir, ca } = pki;
    const leaf = makeLeaf(dir, { name: 'imp', subject: '/CN=imported.example', san: 'DNS:imported.example', ca });
    const password = `pw-${randomHex(6)}`;
    const pfxPw = makePfx(dir, { keyFile: leaf.keyFile, certFile: leaf.certFile, extraCertFiles: [ca.certFile], password, name: 'imp-pw' });

    const name = secretName('imp');
    const imp = await client().importCertificate(name, pfxPw, { password, tags: { src: 'openssl' } });
    const { x: c } = bundle(imp, name);
    assert.ok(Buffer.from(imp.cer).equals(leaf.der), 'cer is the PFX leaf certificate');
    assert.deepEqual(imp.properties.tags, { src: 'openssl' });
    assert.equal(imp.policy.contentType, PKCS12);
    assert.equal(imp.policy.issuerName, 'Unknown', 'an imported certificate’s policy has issuer Unknown');
    assert.match(imp.policy.subject ?? '', /CN=imported\.example/);
    assert.deepEqual(imp.policy.subjectAlternativeNames?.dnsNames, ['imported.example']);

    const s = await secrets().getSecret(name);
    assert.equal(s.properties.contentType, PKCS12);
    assert.equal(s.properties.managed, true);
    assert.equal(s.properties.certificateKeyId, imp.keyId);
    const content = parseSecretValue(s.value, PKCS12); // opens with the empty password
    assert.equal(content.certs.length, 2, 'leaf and CA');
    assert.ok(content.certs.some((d) => d.equals(leaf.der)) && content.certs.some((d) => d.equals(ca.der)));
    assertSamePublicKey(content.keys[0], c, 'secret key vs imported certificate');
    const k = await keys().getKey(name);
    assert.equal(k.properties.managed, true);
    assertSamePublicKey(publicKeyOfJwk(k.key), c, 'backing key vs imported certificate');
    await assertRemoteSignatureVerifies(h, imp.keyId, c, 'RS256');

    // An imported certificate never had a pending operation.
    assertAzureError(await h.request({ url: api(`/certificates/${name}/pending`), token: true }), 404);
    await rejectsWith(client().getCertificateOperation(name, LRO), { status: 404 });
    assertAzureError(await h.request({ url: api(`/certificates/${secretName('nothing')}/pending`), token: true }), 404);

    const pfxNoPw = makePfx(dir, { keyFile: leaf.keyFile, certFile: leaf.certFile, name: 'imp-nopw' });
    const name2 = secretName('impnopw');
    const imp2 = await client().importCertificate(name2, pfxNoPw);
    assert.ok(Buffer.from(imp2.cer).equals(leaf.der));
    // Importing into an existing certificate makes a new version.
    const imp3 = await client().importCertificate(name2, pfxPw, { password });
    assert.notEqual(imp3.properties.version, imp2.properties.version);
    assert.equal((await versionsOf(name2)).length, 2);

    for (const [what, bytes, options] of [
      ['wrong password', pfxPw, { password: 'not-the-password' }],
      ['missing password', pfxPw, {}],
      ['random bytes', crypto.randomBytes(256), {}],
      ['a PFX without a key', makePfx(dir, { certFile: leaf.certFile, name: 'nokey', noKey: true }), {}],
    ]) {
      const bad = secretName('impbad');
      await rejectsWith(client().importCertificate(bad, bytes, options), { status: 400, code: 'BadParameter' }).catch((e) => {
        e.message = `${what}: ${e.message}`;
        throw e;
      });
      await rejectsWith(client().getCertificate(bad), { status: 404 });
    }
    const plainName = secretName('impplain');
    await secrets().setSecret(plainName, 'plain');
    await rejectsWith(client().importCertificate(plainName, pfxNoPw), { status: 409, code: 'Conflict' });
  });

  it('importCertificate of PEM text (PKCS#8 key + chain, sent as text by the SDK): stored as application/x-pem-file; EC too; a key matching no certificate, a PKCS#1 key, no key: 400', async () => {
    const { dir, ca } = pki;
    const leaf = makeLeaf(dir, { name: 'pemleaf', subject: '/CN=pem.example', san: 'DNS:pem.example', ca });
    const pemText = leaf.keyPem + toPem(leaf.der) + toPem(ca.der);
    const name = secretName('imppem');
    // The SDK sends PEM as text when policy.contentType is PEM, but does not send the policy.
    const imp = await client().importCertificate(name, Buffer.from(pemText), { policy: { contentType: PEM } });
    const { x: c } = bundle(imp, name);
    assert.ok(Buffer.from(imp.cer).equals(leaf.der));
    assert.equal(imp.policy.contentType, PEM, 'a PEM import keeps PEM');
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.contentType, PEM);
    const content = parseSecretValue(s.value, PEM);
    assert.equal(content.keys.length, 1);
    assert.equal(content.certs.length, 2);
    assert.ok(content.certs[0].equals(leaf.der) && content.certs[1].equals(ca.der), 'leaf, then CA');
    assertSamePublicKey(content.keys[0], c, 'secret key vs imported certificate');

    // The REST form with an explicit policy.
    const rawName = secretName('imppemraw');
    const res = await h.requestJson('POST', api(`/certificates/${rawName}/import`), {
      value: pemText,
      policy: { secret_props: { contentType: PEM } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.policy?.secret_props?.contentType, PEM);
    assert.ok(Buffer.from(res.json.cer, 'base64').equals(leaf.der));
    assert.match(String(res.json.id), /\/certificates\/[^/]+\/[0-9a-f]{32}$/);
    assert.ok(String(res.json.id).startsWith(`${vaultUrl}/certificates/${rawName}/`), `id ${res.json.id}`);

    const ecLeaf = makeLeaf(dir, { name: 'ecleaf', subject: '/CN=ecpem.example', san: 'DNS:ecpem.example', keyType: 'EC', ca });
    const ecName = secretName('impec');
    const ec = await client().importCertificate(ecName, Buffer.from(ecLeaf.keyPem + toPem(ecLeaf.der)), { policy: { contentType: PEM } });
    assert.ok(Buffer.from(ec.cer).equals(ecLeaf.der));
    const ecKey = await keys().getKey(ecName);
    assert.equal(ecKey.keyType, 'EC');
    assert.equal(ecKey.key.crv, 'P-256');
    await assertRemoteSignatureVerifies(h, ec.keyId, x509(ecLeaf.der), 'ES256');

    const other = makeLeaf(dir, { name: 'other', subject: '/CN=other.example', san: 'DNS:other.example', ca });
    const pkcs1 = crypto.createPrivateKey(leaf.keyPem).export({ type: 'pkcs1', format: 'pem' });
    assert.ok(pkcs1.startsWith('-----BEGIN RSA PRIVATE KEY-----'));
    for (const [what, text] of [
      ['a key matching no certificate', other.keyPem + toPem(leaf.der)],
      ['a PKCS#1 key (Key Vault accepts PKCS#8 only)', pkcs1 + toPem(leaf.der)],
      ['no key', toPem(leaf.der) + toPem(ca.der)],
      ['no certificate', leaf.keyPem],
    ]) {
      const bad = secretName('pembad');
      await rejectsWith(client().importCertificate(bad, Buffer.from(text), { policy: { contentType: PEM } }), {
        status: 400,
        code: 'BadParameter',
      }).catch((e) => {
        e.message = `${what}: ${e.message}`;
        throw e;
      });
      await rejectsWith(client().getCertificate(bad), { status: 404 });
    }
  });

  it('preserveCertificateOrder: an imported chain keeps its order with true and is leaf-first by default; cer is the leaf either way', async () => {
    const { dir, ca } = pki;
    const leaf = makeLeaf(dir, { name: 'order', subject: '/CN=order.example', san: 'DNS:order.example', ca });
    const caFirst = Buffer.from(leaf.keyPem + toPem(ca.der) + toPem(leaf.der));

    const dflt = secretName('orderdef');
    const a = await client().importCertificate(dflt, caFirst, { policy: { contentType: PEM } });
    assert.ok(Buffer.from(a.cer).equals(leaf.der), 'cer is the leaf');
    assert.ok(!a.properties.preserveCertificateOrder, 'preserveCertOrder is false by default');
    const sa = parseSecretValue((await secrets().getSecret(dflt)).value, PEM);
    assert.equal(sa.certs.length, 2);
    assert.ok(sa.certs[0].equals(leaf.der) && sa.certs[1].equals(ca.der), 'by default the leaf comes first');

    const kept = secretName('orderkeep');
    const b = await client().importCertificate(kept, caFirst, { policy: { contentType: PEM }, preserveCertificateOrder: true });
    assert.ok(Buffer.from(b.cer).equals(leaf.der), 'cer is the leaf even when the order is kept');
    assert.equal(b.properties.preserveCertificateOrder, true);
    assert.equal((await client().getCertificate(kept)).properties.preserveCertificateOrder, true);
    const sb = parseSecretValue((await secrets().getSecret(kept)).value, PEM);
    assert.equal(sb.certs.length, 2);
    assert.ok(sb.certs[0].equals(ca.der) && sb.certs[1].equals(leaf.der), 'preserveCertOrder keeps CA, leaf');
  });

  it('outContentType=application/x-pem-file (2025-07-01) returns a PKCS#12 certificate’s secret as PEM; without it the secret stays PKCS#12', async () => {
    const name = secretName('outct');
    const cert = await createCertificate(client(), name, self('CN=outct.example'));
    const { version, der, x: c } = bundle(cert, name);
    const q = `&outContentType=${encodeURIComponent(PEM)}`;
    for (const path of [`/secrets/${name}/${version}`, `/secrets/${name}/`]) {
      const res = await h.request({ url: api(path, q), token: true });
      // Never print the body of a 200: it holds the private key.
      assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.status === 200 ? '' : res.text}`);
      assert.equal(res.json.contentType, PEM);
      assert.equal(res.json.id, `${vaultUrl}/secrets/${name}/${version}`);
      assert.equal(res.json.managed, true);
      assert.equal(res.json.kid, cert.keyId);
      const pem = parsePemBundle(res.json.value);
      assert.equal(pem.keys.length, 1, 'the PEM holds the key');
      assert.equal(pem.certs.length, 1);
      assert.ok(pem.certs[0].equals(der));
      assertSamePublicKey(pem.keys[0], c, 'converted PEM key');
    }
    const viaSdk = await secrets().getSecret(name, { outContentType: PEM });
    assert.equal(viaSdk.properties.contentType, PEM);
    assert.ok(parsePemBundle(viaSdk.value).certs[0].equals(der));
    const stored = await secrets().getSecret(name);
    assert.equal(stored.properties.contentType, PKCS12, 'the stored secret is unchanged');
    assert.ok(parseSecretValue(stored.value, PKCS12).certs[0].equals(der));
  });

  it('invalid policies, bodies and names are 400 BadParameter and create nothing', async () => {
    const base = self('CN=bad.example');
    const bad = [
      ['RSA keySize 1000', { ...base, keySize: 1000 }],
      ['lifetimePercentage 0', { ...base, lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 0 }] }],
      ['lifetimePercentage 100', { ...base, lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 100 }] }],
      ['daysBeforeExpiry over validity_months * 27', { ...base, validityInMonths: 12, lifetimeActions: [{ action: 'EmailContacts', daysBeforeExpiry: 400 }] }],
      ['an unknown lifetime action', { ...base, lifetimeActions: [{ action: 'Explode', lifetimePercentage: 50 }] }],
      ['contentType text/plain', { ...base, contentType: 'text/plain' }],
      ['keyType oct', { ...base, keyType: 'oct' }],
      ['an unknown curve', { ...base, keyType: 'EC', keyCurveName: 'P-123' }],
      ['validityInMonths -1', { ...base, validityInMonths: -1 }],
      ['an empty subject and no SANs', { issuerName: 'Self', subject: '' }],
      ['an exportable RSA-HSM key', { ...base, keyType: 'RSA-HSM', exportable: true }],
      ['AutoRenew with issuer Unknown', { issuerName: 'Unknown', subject: 'CN=bad.example', lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 80 }] }],
    ];
    for (const [what, policy] of bad) {
      const name = secretName('bad');
      await rejectsWith(() => client().beginCreateCertificate(name, policy, LRO), { status: 400, code: 'BadParameter' }).catch((e) => {
        e.message = `${what}: ${e.message}`;
        throw e;
      });
      await rejectsWith(client().getCertificate(name), { status: 404 });
      await rejectsWith(keys().getKey(name), { status: 404 });
    }
    await rejectsWith(client().beginCreateCertificate('bad_name', base, LRO), { status: 400, code: 'BadParameter' });

    const raw = async (body) => h.requestJson('POST', api(`/certificates/${secretName('rawbad')}/create`), body);
    const okPolicy = { key_props: { kty: 'RSA', key_size: 2048 }, x509_props: { subject: 'CN=raw.example' }, issuer: { name: 'Self' } };
    assertAzureError(await raw({ policy: { ...okPolicy, x509_props: { subject: 'CN=raw.example', key_usage: ['flyAway'] } } }), 400, { code: 'BadParameter' });
    assertAzureError(await raw({ policy: { ...okPolicy, x509_props: { subject: 'CN=raw.example', validity_months: 'twelve' } } }), 400);
    assertAzureError(await raw({}), 400, { code: 'BadParameter' }); // the first create needs a policy
    assertAzureError(await raw('{not json'), 400);
    // Sanity: the same body with a valid policy is accepted.
    assert.equal((await raw({ policy: okPolicy })).status, 202);
  });
});
