// How certificates get issued, with the real @azure/keyvault-certificates 4.10.3 CertificateClient:
// contacts and issuers; the pending operation of an issuer-"Unknown" certificate (its CSR checked
// with openssl, signed by a test CA made with openssl, merged back; cancel and delete); Keyhaven's
// built-in CA (issuer provider "Keyhaven" whose accountId names a CA certificate in the vault),
// with RSA, EC and (if SoftHSM2 is installed) RSA-HSM CA keys, verified with `openssl verify`;
// and AutoRenew/EmailContacts lifetime actions driven by the server's test clock (last).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import {
  startServer,
  softHsmToken,
  secretName,
  rejectsWith,
  assertAzureError,
  eventually,
  collect,
  randomHex,
  sleep,
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
  opensslVerify,
  parsePemBundle,
  parseSecretValue,
  publicKeyOfJwk,
  rdns,
  sansOf,
  signCsr,
  spki,
  tmpDir,
  toPem,
  validity,
  withTimeout,
  x509,
} from './cert_util.mjs';

const DAY = 86400;
const HAVE_SOFTHSM = spawnSync('softhsm2-util', ['--version']).status === 0;
const plain = (v) => JSON.parse(JSON.stringify(v));

describe('certificate issuance (issuers, contacts, merge, built-in CA, renewal)', () => {
  let h;
  let vaultUrl;
  let dir;
  let testCa; // an external CA made with openssl, for merges
  const client = () => certificateClient(h, vaultUrl);
  const keys = () => h.keyClient(vaultUrl);
  const secrets = () => h.secretClient(vaultUrl);
  const versionsOf = async (name) => collect(client().listPropertiesOfCertificateVersions(name));
  const pendingUrl = (name) => `${vaultUrl}/certificates/${name}/pending?api-version=${API_VERSION}`;
  const getPending = async (name) => h.request({ url: pendingUrl(name), token: true });

  before(async () => {
    h = await startServer({ name: 'cert-issuance', testClock: true });
    const v = await h.createVaultWithClient('issue', { retentionDays: 7 });
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
    dir = tmpDir('issuance-pki');
    testCa = makeCa(dir, { name: 'external-ca', subject: '/CN=External Test CA/O=Conformance' });
  });
  after(async () => {
    await h?.dispose();
  });

  it('setContacts / getContacts / deleteContacts; getContacts without contacts is 404 ContactsNotFound', async () => {
    const { vault } = await h.createVaultWithClient('contacts');
    const url = vault.properties.vaultUri.replace(/\/$/, '');
    const c = certificateClient(h, url);
    await rejectsWith(c.getContacts(), { status: 404, code: 'ContactsNotFound' });

    const contacts = [
      { email: 'alice@example.com', name: 'Alice', phone: '+1 555 0100' },
      { email: 'bob@example.com', name: 'Bob', phone: '222222222222' },
    ];
    assert.deepEqual(plain(await c.setContacts(contacts)), contacts);
    assert.deepEqual(plain(await c.getContacts()), contacts);
    const raw = await h.request({ url: `${url}/certificates/contacts?api-version=${API_VERSION}`, token: true });
    assert.equal(raw.status, 200, raw.text);
    assert.equal(raw.json.id, `${url}/certificates/contacts`);
    assert.deepEqual(raw.json.contacts, contacts);

    assert.deepEqual(plain(await c.setContacts([contacts[1]])), [contacts[1]], 'set replaces the list');
    assert.deepEqual(plain(await c.getContacts()), [contacts[1]]);
    // The SDK reads deleteContacts' response body, so DELETE must answer with JSON.
    assert.ok(Array.isArray(await c.deleteContacts()));
    await rejectsWith(c.getContacts(), { status: 404, code: 'ContactsNotFound' });
    // Contacts belong to their vault.
    await rejectsWith(client().getContacts(), { status: 404, code: 'ContactsNotFound' });
  });

  it('issuers: createIssuer, getIssuer (the password is never returned), updateIssuer keeps what it does not send, listPropertiesOfIssuers, deleteIssuer; 404s; a certificate naming a missing issuer is 400', async () => {
    const name = `iss-${randomHex(3)}`;
    const password = `pw-${randomHex(8)}`;
    const admins = [{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '555 0101' }];
    const created = await client().createIssuer(name, 'Test', {
      accountId: 'acct-1',
      password,
      organizationId: 'org-1',
      administratorContacts: admins,
      enabled: true,
    });
    const check = (iss, { accountId }) => {
      assert.equal(iss.id, `${vaultUrl}/certificates/issuers/${name}`);
      // iss.name is not checked: the SDK parses Azure's issuer id (.../certificates/issuers/{name})
      // as a certificate id and so always reports the name "issuers", against Azure too.
      assert.equal(iss.provider, 'Test');
      assert.equal(iss.accountId, accountId);
      assert.ok(iss.password === undefined, 'the issuer password is not returned');
      assert.equal(iss.organizationId, 'org-1');
      assert.deepEqual(plain(iss.administratorContacts), admins);
      assert.equal(iss.enabled, true);
      assert.ok(iss.createdOn instanceof Date && iss.updatedOn instanceof Date, 'created/updated are set');
    };
    check(created, { accountId: 'acct-1' });
    check(await client().getIssuer(name), { accountId: 'acct-1' });
    const raw = await h.request({ url: `${vaultUrl}/certificates/issuers/${name}?api-version=${API_VERSION}`, token: true });
    assert.equal(raw.status, 200, raw.text);
    assert.equal(raw.json.credentials?.account_id, 'acct-1');
    assert.ok(!('pwd' in (raw.json.credentials ?? {})), 'credentials.pwd is omitted');
    assert.ok(!raw.text.includes(password), 'the password appears nowhere in the answer');

    // The SDK's updateIssuer sends only {credentials: {account_id}} here.
    check(await client().updateIssuer(name, { accountId: 'acct-2' }), { accountId: 'acct-2' });
    check(await client().getIssuer(name), { accountId: 'acct-2' });

    const second = `iss2-${randomHex(3)}`;
    await client().createIssuer(second, 'Test', { accountId: 'acct-3' });
    const listed = await collect(client().listPropertiesOfIssuers());
    for (const n of [name, second]) {
      const item = listed.find((i) => i.id === `${vaultUrl}/certificates/issuers/${n}`);
      assert.ok(item, `${n} is listed`);
      assert.equal(item.provider, 'Test');
    }
    const pages = [];
    for await (const page of client().listPropertiesOfIssuers({ maxresults: 1 }).byPage()) pages.push(page);
    assert.ok(pages.length >= 2, 'maxresults pages the issuer list');
    for (const page of pages) assert.ok(page.length <= 1);

    const deleted = await client().deleteIssuer(name);
    assert.ok(deleted.id.endsWith(`/certificates/issuers/${name}`));  // .name: see check() above
    assert.equal(deleted.provider, 'Test');
    await rejectsWith(client().getIssuer(name), { status: 404 });
    await rejectsWith(client().deleteIssuer(name), { status: 404 });
    await rejectsWith(client().getIssuer(`never-${randomHex(3)}`), { status: 404 });

    const cert = secretName('noiss');
    await rejectsWith(client().beginCreateCertificate(cert, { issuerName: name, subject: 'CN=noissuer.example' }, LRO), {
      status: 400,
      code: 'BadParameter',
    });
    await rejectsWith(client().getCertificate(cert), { status: 404 });
    const noProvider = await h.requestJson('PUT', `${vaultUrl}/certificates/issuers/${name}?api-version=${API_VERSION}`, {
      credentials: { account_id: 'x' },
    });
    assertAzureError(noProvider, 400, { code: 'BadParameter' });
  });

  it('issuer Unknown: the pending operation carries a CSR openssl verifies; a certificate for another key does not merge (400, still pending); the CA-signed CSR merges (201) into a complete certificate', async () => {
    const name = secretName('merge');
    const poller = await client().beginCreateCertificate(name, {
      issuerName: 'Unknown',
      subject: 'CN=merge.example',
      subjectAlternativeNames: { dnsNames: ['merge.example', 'www.merge.example'] },
      validityInMonths: 12,
    }, LRO);
    assert.equal(poller.isDone(), false, 'an issuer-Unknown certificate stays pending');

    const opPoller = await client().getCertificateOperation(name, LRO);
    const op = opPoller.getOperationState().certificateOperation;
    assert.equal(op.status, 'inProgress');
    assert.equal(op.cancellationRequested, false);
    assert.equal(op.issuerName, 'Unknown');
    assert.equal(op.id, `${vaultUrl}/certificates/${name}/pending`);
    assert.ok(op.csr instanceof Uint8Array && op.csr.length > 0, 'the operation carries a CSR');
    const csr = inspectCsr(op.csr);
    assert.equal(csr.subject, 'CN=merge.example');
    assert.deepEqual(csr.sans.split(', ').sort(), ['DNS:merge.example', 'DNS:www.merge.example']);
    // The certificate exists, pending, without an X.509 certificate yet (getCertificateOperation reads it first).
    const pendingCert = await client().getCertificate(name);
    assert.equal(pendingCert.name, name);
    assert.ok(!pendingCert.cer || pendingCert.cer.length === 0, 'no cer before the merge');

    const wrong = makeLeaf(dir, { name: 'wrongkey', subject: '/CN=merge.example', san: 'DNS:merge.example', ca: testCa });
    await rejectsWith(client().mergeCertificate(name, [wrong.der, testCa.der]), { status: 400 });
    const still = await getPending(name);
    assert.equal(still.status, 200, still.text);
    assert.equal(still.json.status, 'inProgress', 'a failed merge leaves the operation pending');

    const leafDer = signCsr(dir, op.csr, testCa, { name: 'merged', days: 90 });
    const merged = await client().mergeCertificate(name, [leafDer, testCa.der]);
    const { version, x: leaf } = assertCertificateBundle(merged, { vaultUrl, name });
    assert.ok(Buffer.from(merged.cer).equals(leafDer), 'cer is the merged leaf');
    assert.equal(merged.policy.issuerName, 'Unknown');
    assertSamePublicKey(csr.publicKey, leaf, 'the CSR key is the certificate key');
    assert.equal(leaf.issuer, x509(testCa.der).subject);
    const got = await client().getCertificate(name);
    assert.equal(got.properties.version, version);
    assert.ok(Buffer.from(got.cer).equals(leafDer));

    const done = await client().getCertificateOperation(name, LRO);
    assert.equal(done.getOperationState().certificateOperation.status, 'completed', 'the operation is completed by the merge');

    const k = await keys().getKey(name);
    assert.equal(k.properties.version, version);
    assert.equal(k.properties.managed, true);
    assertSamePublicKey(publicKeyOfJwk(k.key), leaf, 'backing key vs merged certificate');
    await assertRemoteSignatureVerifies(h, merged.keyId, leaf, 'RS256');
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.version, version);
    assert.equal(s.properties.managed, true);
    const pfx = parseSecretValue(s.value, PKCS12);
    assert.equal(pfx.certs.length, 2, 'the PFX holds the leaf and the CA');
    assert.ok(pfx.certs.some((d) => d.equals(leafDer)) && pfx.certs.some((d) => d.equals(testCa.der)));
    assertSamePublicKey(pfx.keys[0], leaf, 'PFX key vs merged certificate');
    const pem = parsePemBundle((await secrets().getSecret(name, { outContentType: PEM })).value);
    assert.ok(pem.certs[0].equals(leafDer) && pem.certs[1]?.equals(testCa.der), 'PEM: leaf, then CA');

    await rejectsWith(client().mergeCertificate(name, [leafDer]), { status: [400, 403, 404, 409] });
    assert.equal((await versionsOf(name)).length, 1);
  });

  it('mergeCertificate accepts x5c items the way the SDK’s own sample builds them (the base64 text of the certificate as bytes)', async () => {
    const cases = [
      ['base64 text', (der) => Buffer.from(toPem(der).split('\n').slice(1, -2).join(''))],
      // The sample's exact code on an openssl-written file: `.split("\n").slice(1, -1).join("")`
      // keeps the END line, and live Azure accepts it (mergeAndImport.spec.ts).
      ['the sample’s string', (der) => Buffer.from(toPem(der).split('\n').slice(1, -1).join(''))],
    ];
    for (const [what, encode] of cases) {
      const name = secretName('mergeb64');
      await client().beginCreateCertificate(name, { issuerName: 'Unknown', subject: 'CN=sample.example' }, LRO);
      const op = (await client().getCertificateOperation(name, LRO)).getOperationState().certificateOperation;
      const leafDer = signCsr(dir, op.csr, testCa, { name: `sample-${randomHex(2)}` });
      const merged = await client().mergeCertificate(name, [encode(leafDer)]).catch((e) => {
        e.message = `${what}: ${e.message}`;
        throw e;
      });
      assert.ok(Buffer.from(merged.cer).equals(leafDer), `${what}: cer is the merged certificate`);
    }
  });

  it('cancelling a pending operation (both pollers): cancellation_requested, status cancelled; deleteCertificateOperation, then 404; the name can be created again', async () => {
    const name = secretName('cancel');
    const poller = await client().beginCreateCertificate(name, { issuerName: 'Unknown', subject: 'CN=cancel.example' }, LRO);
    await poller.cancelOperation(); // PATCH .../pending {cancellation_requested: true}
    assert.equal(poller.getOperationState().isCancelled, true);
    const cancelled = await eventually(async () => {
      const r = await getPending(name);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.cancellation_requested, true);
      assert.equal(r.json.status, 'cancelled');
      return r.json;
    });
    assert.equal(cancelled.id, `${vaultUrl}/certificates/${name}/pending`);

    const del = await client().deleteCertificateOperation(name);
    assert.equal(del.id, `${vaultUrl}/certificates/${name}/pending`);
    assert.equal(del.cancellationRequested, true);
    assertAzureError(await getPending(name), 404);
    await rejectsWith(client().getCertificateOperation(name, LRO), { status: 404 });
    await rejectsWith(client().deleteCertificateOperation(name), { status: 404 });

    const fresh = await createCertificate(client(), name, { issuerName: 'Self', subject: 'CN=cancel.example' });
    assertCertificateBundle(fresh, { vaultUrl, name });

    // The pattern of the SDK's own CRUD test: cancel through getCertificateOperation's poller.
    const other = secretName('cancel2');
    await client().beginCreateCertificate(other, { issuerName: 'Unknown', subject: 'CN=cancel2.example' }, LRO);
    const opPoller = await client().getCertificateOperation(other, LRO);
    assert.equal(opPoller.getOperationState().certificateOperation.cancellationRequested, false);
    await opPoller.cancelOperation();
    assert.equal(opPoller.getOperationState().certificateOperation.cancellationRequested, true, 'the PATCH answer shows the request');
    await client().deleteCertificateOperation(other);
    assertAzureError(await getPending(other), 404);

    assertAzureError(await getPending(secretName('nothing')), 404);
  });

  /** A CA certificate in the vault and a Keyhaven issuer for it. */
  async function builtInCa(c, { caPolicy = {}, subject = 'CN=Team Root CA' } = {}) {
    const caName = secretName('rootca');
    const ca = await createCertificate(c, caName, {
      issuerName: 'Self',
      subject,
      keyUsage: ['keyCertSign', 'cRLSign'],
      validityInMonths: 36,
      lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 90 }],
      ...caPolicy,
    });
    const caX = x509(ca.cer);
    assert.equal(caX.ca, true, 'keyCertSign makes a CA certificate');
    const ext = extensionsOf(ca.cer);
    assert.equal(ext.basicConstraints?.ca, true, 'basicConstraints CA:TRUE');
    assert.deepEqual(ext.keyUsage, ['cRLSign', 'keyCertSign']);
    assert.equal(ext.keyUsageCritical, true);
    const issuerName = `team-ca-${randomHex(3)}`;
    const issuer = await c.createIssuer(issuerName, 'Keyhaven', { accountId: caName });
    assert.equal(issuer.provider, 'Keyhaven');
    assert.equal(issuer.accountId, caName);
    return { caName, ca, caX, issuerName };
  }

  /** Asserts `leafDer` is issued by the CA: names, signature, and `openssl verify`. */
  function assertIssuedBy(leafDer, caX, { noCheckTime = false } = {}) {
    const leaf = x509(leafDer);
    assert.equal(leaf.issuer, caX.subject, 'leaf issuer = CA subject');
    assert.ok(leaf.checkIssued(caX), 'checkIssued');
    assert.ok(leaf.verify(caX.publicKey), 'the leaf is signed by the CA key');
    assert.equal(leaf.ca, false, 'the leaf is not a CA');
    assert.ok(!spki(leaf).equals(spki(caX)), 'the leaf has its own key');
    const v = opensslVerify(caX.raw, leafDer, { noCheckTime });
    assert.ok(v.ok, `openssl verify -CAfile ca.pem leaf.pem: ${v.output}`);
    return leaf;
  }

  it('built-in CA (provider Keyhaven): an RSA CA certificate in the vault issues a leaf that openssl verifies; the secret holds the leaf, then the CA', async () => {
    const { caName, ca, caX, issuerName } = await builtInCa(client());
    const name = secretName('leaf');
    const cert = await createCertificate(client(), name, {
      issuerName,
      subject: 'CN=svc.internal',
      subjectAlternativeNames: { dnsNames: ['svc.internal'] },
    });
    const { version, der } = assertCertificateBundle(cert, { vaultUrl, name });
    const leaf = assertIssuedBy(der, caX);
    assert.deepEqual(rdns(leaf.subject), ['CN=svc.internal']);
    assert.deepEqual(sansOf(leaf), ['DNS:svc.internal']);
    assert.equal(cert.policy.issuerName, issuerName);
    assertValidityMonths(leaf, 12);

    const op = await getPending(name);
    assert.equal(op.status, 200, op.text);
    assert.equal(op.json.status, 'completed');
    assert.equal(op.json.issuer?.name, issuerName);

    const s = await secrets().getSecret(name);
    assert.equal(s.properties.version, version);
    const pfx = parseSecretValue(s.value, PKCS12);
    assert.equal(pfx.certs.length, 2, 'leaf and CA');
    assert.ok(pfx.certs.some((d) => d.equals(der)) && pfx.certs.some((d) => d.equals(Buffer.from(ca.cer))));
    assertSamePublicKey(pfx.keys[0], leaf, 'PFX key vs leaf');
    const pem = parsePemBundle((await secrets().getSecret(name, { outContentType: PEM })).value);
    assert.equal(pem.keys.length, 1);
    assert.equal(pem.certs.length, 2);
    assert.ok(pem.certs[0].equals(der) && pem.certs[1].equals(Buffer.from(ca.cer)), 'PEM: leaf, then CA');
    await assertRemoteSignatureVerifies(h, cert.keyId, leaf, 'RS256');

    assert.equal((await versionsOf(caName)).length, 1, 'issuing does not touch the CA certificate');
    const caSecret = parseSecretValue((await secrets().getSecret(caName)).value, PKCS12);
    assert.ok(!caSecret.keys.some((k) => spki(k).equals(spki(leaf))), 'the CA secret does not hold the leaf key');
  });

  it('built-in CA with an EC P-384 CA key issues an EC P-256 PEM leaf: PEM is key, leaf, CA; ES256 verifies', async () => {
    const { caX, ca, issuerName } = await builtInCa(client(), {
      subject: 'CN=Team EC Root CA, O=Contoso',
      caPolicy: { keyType: 'EC', keyCurveName: 'P-384' },
    });
    assert.equal(caX.publicKey.asymmetricKeyDetails.namedCurve, 'secp384r1');
    const name = secretName('ecleaf');
    const cert = await createCertificate(client(), name, {
      issuerName,
      subject: 'CN=ec.internal',
      subjectAlternativeNames: { dnsNames: ['ec.internal'] },
      keyType: 'EC',
      keyCurveName: 'P-256',
      contentType: PEM,
    });
    const { der } = assertCertificateBundle(cert, { vaultUrl, name });
    const leaf = assertIssuedBy(der, caX);
    assert.equal(leaf.publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
    const s = await secrets().getSecret(name);
    assert.equal(s.properties.contentType, PEM);
    const pem = parseSecretValue(s.value, PEM);
    assert.deepEqual(pem.labels, ['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE'], 'key, leaf, CA');
    assert.ok(pem.certs[0].equals(der) && pem.certs[1].equals(Buffer.from(ca.cer)));
    assertSamePublicKey(pem.keys[0], leaf, 'PEM key vs leaf');
    await assertRemoteSignatureVerifies(h, cert.keyId, leaf, 'ES256');
  });

  it('an issuer naming a certificate that is not a CA, or no certificate, issues nothing', async () => {
    const notCa = secretName('notca');
    await createCertificate(client(), notCa, { issuerName: 'Self', subject: 'CN=Not A CA' });
    for (const [what, accountId] of [['a non-CA certificate', notCa], ['a missing certificate', secretName('absent')]]) {
      const issuerName = `bad-ca-${randomHex(3)}`;
      try {
        await client().createIssuer(issuerName, 'Keyhaven', { accountId });
      } catch (err) {
        assert.equal(err.statusCode, 400, `${what}: createIssuer may refuse it, with 400: ${err.message}`);
        continue; // refused when the issuer is set: nothing can be issued
      }
      const name = secretName('orphan');
      let poller;
      try {
        poller = await client().beginCreateCertificate(name, { issuerName, subject: 'CN=orphan.example' }, LRO);
      } catch (err) {
        // Refused up front (4xx), or the operation failed at once (the poller's plain Error).
        assert.ok(err.statusCode === undefined || [400, 404].includes(err.statusCode), `${what}: ${err.statusCode} ${err.message}`);
      }
      let issued;
      if (poller) {
        // The operation has to end; one that stays inProgress times out here.
        issued = await withTimeout(poller.pollUntilDone().catch(() => undefined), 15_000, `${what}: the operation`, () => poller.stopPolling());
      }
      assert.ok(!issued?.cer?.length, `${what}: no certificate was issued`);
      const op = await getPending(name);
      if (op.status === 200) {
        assert.ok(op.json.status !== 'completed' && op.json.status !== 'inProgress', `${what}: the operation ended (${op.json.status}) without a certificate`);
        assert.equal(typeof op.json.error?.code, 'string', `${what}: a failed operation says why`);
      } else {
        assert.ok([400, 404].includes(op.status), `${what}: ${op.status} ${op.text}`);
      }
      const listed = await collect(client().listPropertiesOfCertificateVersions(name)).catch(() => []);
      assert.ok(listed.every((p) => !p.x509Thumbprint), `${what}: no issued version`);
    }
  });

  it('built-in CA with an RSA-HSM CA key in SoftHSM2 (exportable false): the leaf verifies; the CA secret holds no private key', { skip: !HAVE_SOFTHSM && 'softhsm2-util is not installed' }, async () => {
    const token = softHsmToken('kh-cert-ca');
    const hsm = await startServer({ name: 'cert-hsm', extraArgs: token.args, env: token.env });
    try {
      const v = await hsm.createVaultWithClient('hsmca', { retentionDays: 7 });
      const url = v.vault.properties.vaultUri.replace(/\/$/, '');
      const c = certificateClient(hsm, url);
      const { caName, caX, issuerName } = await builtInCa(c, {
        subject: 'CN=HSM Root CA',
        caPolicy: { keyType: 'RSA-HSM', keySize: 2048, exportable: false, contentType: PEM },
      });
      const caKey = await hsm.keyClient(url).getKey(caName);
      assert.equal(caKey.keyType, 'RSA-HSM');
      assertSamePublicKey(publicKeyOfJwk(caKey.key), caX, 'the HSM key is the CA key');
      const caSecret = parseSecretValue((await hsm.secretClient(url).getSecret(caName)).value, PEM);
      assert.equal(caSecret.keys.length, 0, 'a non-exportable key is not part of the secret');
      assert.ok(caSecret.certs[0]?.equals(caX.raw), 'the secret holds the CA certificate');

      const name = secretName('hsmleaf');
      const cert = await createCertificate(c, name, { issuerName, subject: 'CN=hsm-leaf.internal', subjectAlternativeNames: { dnsNames: ['hsm-leaf.internal'] } });
      const { der } = assertCertificateBundle(cert, { vaultUrl: url, name });
      const leaf = assertIssuedBy(der, caX);
      const pfx = parseSecretValue((await hsm.secretClient(url).getSecret(name)).value, PKCS12);
      assertSamePublicKey(pfx.keys[0], leaf, 'leaf PFX key');
      await assertRemoteSignatureVerifies(hsm, caKey.id, caX, 'RS256');
    } finally {
      await hsm.dispose();
    }
  });

  // Last: these move the server's clock forward (191 + 36 days in all).
  it('AutoRenew at 50% of 12 months renews exactly once after ~190 days (a built-in-CA leaf too); EmailContacts does not renew', { timeout: 120_000 }, async () => {
    const autoName = secretName('renew');
    const mailName = secretName('mail');
    const at50 = (action) => ({ validityInMonths: 12, lifetimeActions: [{ action, lifetimePercentage: 50 }] });
    const auto1 = await createCertificate(client(), autoName, { issuerName: 'Self', subject: 'CN=renew.example', ...at50('AutoRenew') });
    const mail1 = await createCertificate(client(), mailName, { issuerName: 'Self', subject: 'CN=mail.example', ...at50('EmailContacts') });
    const { caX, issuerName } = await builtInCa(client(), { subject: 'CN=Renewal Root CA' });
    const leafName = secretName('renewleaf');
    const leaf1 = await createCertificate(client(), leafName, { issuerName, subject: 'CN=renew.internal', ...at50('AutoRenew') });
    const created = validity(x509(auto1.cer)).notBefore;

    await h.advanceClock(170 * DAY); // 50% of 12 months is ~182.5 days
    await sleep(300);
    assert.equal((await versionsOf(autoName)).length, 1, 'not due after 170 days');

    await h.advanceClock(20 * DAY);
    await eventually(async () => assert.equal((await versionsOf(autoName)).length, 2), { timeoutMs: 15_000, intervalMs: 200 });
    await eventually(async () => assert.equal((await versionsOf(leafName)).length, 2), { timeoutMs: 15_000, intervalMs: 200 });

    const auto2 = await client().getCertificate(autoName);
    const { version } = assertCertificateBundle(auto2, { vaultUrl, name: autoName });
    assert.notEqual(version, auto1.properties.version);
    const x2 = x509(auto2.cer);
    assert.deepEqual(rdns(x2.subject), ['CN=renew.example']);
    assertValidityMonths(x2, 12);
    const renewedAt = validity(x2).notBefore;
    assert.ok(renewedAt.getTime() - created.getTime() >= 189 * DAY_MS, `the new version starts on the server's clock (${renewedAt.toISOString()})`);
    assert.ok(!spki(x2).equals(spki(x509(auto1.cer))), 'a renewal makes a new key (reuseKey false)');
    assert.equal(auto2.policy.validityInMonths, 12);
    assert.deepEqual(plain(auto2.policy.lifetimeActions), [{ action: 'AutoRenew', lifetimePercentage: 50 }]);
    const k = await keys().getKey(autoName);
    assert.equal(k.properties.version, version, 'the key renews with the certificate');
    assertSamePublicKey(publicKeyOfJwk(k.key), x2, 'renewed key');
    const s = await secrets().getSecret(autoName);
    assert.equal(s.properties.version, version, 'the secret renews with the certificate');
    assertSamePublicKey(parseSecretValue(s.value, PKCS12).keys[0], x2, 'renewed secret key');

    const leaf2 = await client().getCertificate(leafName);
    assert.notEqual(leaf2.properties.version, leaf1.properties.version);
    assertIssuedBy(Buffer.from(leaf2.cer), caX, { noCheckTime: true });

    assert.equal((await versionsOf(mailName)).length, 1, 'EmailContacts never makes a version');
    assert.equal((await client().getCertificate(mailName)).properties.version, mail1.properties.version);

    await h.advanceClock(DAY);
    await sleep(500);
    assert.equal((await versionsOf(autoName)).length, 2, 'renewed once, not again the next day');
    assert.equal((await versionsOf(leafName)).length, 2);
    assert.equal((await versionsOf(mailName)).length, 1);
  });

  it('AutoRenew 30 days before expiry of a 2-month certificate renews once after 35 days', { timeout: 120_000 }, async () => {
    const name = secretName('renewdays');
    const first = await createCertificate(client(), name, {
      issuerName: 'Self',
      subject: 'CN=days.example',
      validityInMonths: 2,
      lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 30 }],
    });
    assertValidityMonths(x509(first.cer), 2);
    await h.advanceClock(25 * DAY);
    await sleep(300);
    assert.equal((await versionsOf(name)).length, 1, 'not due 25 days in');
    await h.advanceClock(10 * DAY);
    await eventually(async () => assert.equal((await versionsOf(name)).length, 2), { timeoutMs: 15_000, intervalMs: 200 });
    const latest = await client().getCertificate(name);
    assert.notEqual(latest.properties.version, first.properties.version);
    assertValidityMonths(x509(latest.cer), 2);
    await h.advanceClock(DAY);
    await sleep(500);
    assert.equal((await versionsOf(name)).length, 2, 'exactly one renewal');

    // Nothing is scheduled in memory: after a restart the next due point is found again, once.
    await h.restart();
    vaultUrl = vaultUrl.replace(/:\d+$/, `:${h.port}`); // the port changes on restart
    // The test clock's offset does not survive a restart: measure from the server's clock now.
    const now = await h.advanceClock(60);
    await sleep(300);
    assert.equal((await versionsOf(name)).length, 2, 'a restart does not renew again');
    const exp = latest.properties.expiresOn.getTime() / 1000;
    await h.advanceClock(Math.max(0, exp - 30 * DAY - now) + 60);
    await eventually(async () => assert.equal((await versionsOf(name)).length, 3), { timeoutMs: 15_000, intervalMs: 200 });
    await h.advanceClock(60);
    await sleep(300);
    assert.equal((await versionsOf(name)).length, 3, 'the next due point renews once');
  });
});
