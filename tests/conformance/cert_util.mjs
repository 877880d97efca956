// Helpers for the certificate tests (certificates.test.mjs, certificate_issuance.test.mjs):
// a CertificateClient bound to a harness server, openssl wrappers (a test CA, CSR signing, PFX
// files, extension text), PFX/PEM parsing, public-key comparison and remote-signature checks.
//
// Nothing here prints key material: openssl's stdout (which may hold private keys) is only
// returned to the caller, and error messages carry openssl's stderr and the subcommand name,
// never the arguments (which may hold a test PFX password).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

import { CertificateClient } from '@azure/keyvault-certificates';

export const LRO = { intervalInMs: 20 };
export const DAY_MS = 86_400_000;
export const PKCS12 = 'application/x-pkcs12';
export const PEM = 'application/x-pem-file';

/** CertificateClient for a vault URL with the server's current credential (no challenge override). */
export function certificateClient(h, vaultUrl, options = {}) {
  return new CertificateClient(vaultUrl, options.credential ?? h.credential, { agent: h.agent, ...options });
}

/** Rejects with a clear message when `promise` does not settle within `ms` (then runs onTimeout). */
export async function withTimeout(promise, ms, what, onTimeout) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what}: not done within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** beginCreateCertificate + pollUntilDone (fast polling, bounded). Returns the KeyVaultCertificateWithPolicy. */
export async function createCertificate(client, name, policy, options = {}) {
  const poller = await client.beginCreateCertificate(name, policy, { ...LRO, ...options });
  return withTimeout(poller.pollUntilDone(), 30_000, `creating certificate ${name}`, () => poller.stopPolling());
}

/** A fresh temp directory (under the suite's temp root), 0700. */
export function tmpDir(prefix = 'cert') {
  const root = process.env.KEYHAVEN_TMP_ROOT || os.tmpdir();
  return fs.mkdtempSync(path.join(root, `${prefix}-`));
}

/** Runs a command; {status, stdout (Buffer), stderr (string)}. */
export function run(cmd, args, { input, cwd } = {}) {
  const r = spawnSync(cmd, args, { input, cwd, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** openssl <args>; throws (with stderr, without the arguments) unless it exits 0. Returns stdout. */
export function openssl(args, options = {}) {
  const r = run('openssl', args, options);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (status ${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

export const sha = (alg, data) => crypto.createHash(alg).update(data).digest();
export const sha1 = (data) => sha('sha1', data);

/** DER → PEM text with 64-character lines. */
export function toPem(der, label = 'CERTIFICATE') {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Every PEM block of `text`, in order: [{label, der, pem}]. */
export function pemBlocks(text) {
  const out = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64'), pem: m[0] });
  }
  return out;
}

/** A certificate (DER bytes or PEM) as Node's X509Certificate. */
export const x509 = (cert) => new crypto.X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));

/** SubjectPublicKeyInfo DER of a KeyObject, X509Certificate or anything createPublicKey takes. */
export function spki(key) {
  const k =
    key instanceof crypto.X509Certificate ? key.publicKey
    : key instanceof crypto.KeyObject && key.type === 'public' ? key
    : crypto.createPublicKey(key);
  return k.export({ type: 'spki', format: 'der' });
}

/** Asserts two keys (KeyObject / X509Certificate / PEM) have the same public key. */
export function assertSamePublicKey(a, b, what) {
  assert.ok(a && b, `${what}: a key is missing`);
  assert.ok(spki(a).equals(spki(b)), `${what}: public keys differ`);
}

/** The SDK's JsonWebKey (Uint8Array members) → a Node public KeyObject. */
export function publicKeyOfJwk(jwk) {
  const b64u = (v) => Buffer.from(v).toString('base64url');
  if (String(jwk.kty).startsWith('RSA')) {
    return crypto.createPublicKey({ key: { kty: 'RSA', n: b64u(jwk.n), e: b64u(jwk.e) }, format: 'jwk' });
  }
  const crv = jwk.crv === 'P-256K' ? 'secp256k1' : jwk.crv;
  return crypto.createPublicKey({ key: { kty: 'EC', crv, x: b64u(jwk.x), y: b64u(jwk.y) }, format: 'jwk' });
}

/** Validity of a certificate as Dates. */
export function validity(cert) {
  const c = cert instanceof crypto.X509Certificate ? cert : x509(cert);
  return { notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) };
}

/** `date` plus `months` calendar months (the day clamped to the month's last day), same time of day. */
export function addCalendarMonths(date, months) {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Asserts notAfter − notBefore is `months` calendar months (± `slackDays`). */
export function assertValidityMonths(cert, months, { slackDays = 2 } = {}) {
  const { notBefore, notAfter } = validity(cert);
  const expected = addCalendarMonths(notBefore, months);
  const diffDays = Math.abs(notAfter.getTime() - expected.getTime()) / DAY_MS;
  assert.ok(
    diffDays <= slackDays,
    `validity ${notBefore.toISOString()} .. ${notAfter.toISOString()} is not ${months} months (off by ${diffDays.toFixed(2)} days)`,
  );
}

/** The Subject Alternative Names of a certificate as sorted strings ("DNS:a", "email:b", "othername:UPN:c"). */
export function sansOf(cert) {
  const c = cert instanceof crypto.X509Certificate ? cert : x509(cert);
  return c.subjectAltName ? c.subjectAltName.split(', ').sort() : [];
}

/** The RDNs of a subject/issuer as sorted "ATTR=value" strings (Node's multi-line form). */
export const rdns = (name) => name.split('\n').filter(Boolean).sort();

const KEY_USAGE_NAMES = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};

/**
 * The X.509v3 extensions openssl prints for a DER certificate, by name:
 * {'Subject Alternative Name': {critical, value}, 'Key Usage': ..., 'Extended Key Usage': ...,
 * 'Basic Constraints': ..., ...}, plus keyUsage (Key Vault's names, sorted) and
 * keyUsageCritical, basicConstraints {critical, ca, pathlen}.
 */
export function extensionsOf(der) {
  const text = openssl(['x509', '-inform', 'DER', '-noout', '-text'], { input: Buffer.from(der) }).toString('utf8');
  // Extension headers are indented 4 more than "X509v3 extensions:", their values deeper still.
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s*X509v3 extensions:\s*$/.test(l));
  const exts = {};
  if (at !== -1) {
    const indent = (l) => /^ */.exec(l)[0].length;
    const base = indent(lines[at]);
    let current;
    for (const line of lines.slice(at + 1)) {
      if (!line.trim()) continue;
      const i = indent(line);
      if (i <= base) break;
      if (i === base + 4) {
        const m = /^(?:X509v3 )?(.*?):( critical)?\s*$/.exec(line.trim());
        current = { critical: !!m?.[2], value: '' };
        exts[m ? m[1] : line.trim()] = current;
      } else if (current) {
        current.value += (current.value ? '\n' : '') + line.trim();
      }
    }
  }
  const ku = exts['Key Usage'];
  const bc = exts['Basic Constraints'];
  return {
    raw: exts,
    names: Object.keys(exts).sort(),
    keyUsage: ku ? ku.value.split(', ').map((n) => KEY_USAGE_NAMES[n] ?? `?${n}`).sort() : [],
    keyUsageCritical: ku?.critical ?? false,
    basicConstraints: bc
      ? { critical: bc.critical, ca: /CA:TRUE/.test(bc.value), pathlen: /pathlen:(\d+)/.exec(bc.value)?.[1] }
      : undefined,
  };
}

/**
 * A PFX's content, read by `openssl pkcs12 -nodes` with `password` (default: the empty one):
 * {certs: [DER Buffer] in the file's order, keys: [private KeyObject]}. Also asserts Node's
 * TLS stack (OpenSSL 3 without the legacy provider) can load it, as an application would.
 */
export function parsePfx(pfx, password = '') {
  const dir = tmpDir('pfx');
  try {
    const file = path.join(dir, 'in.pfx');
    fs.writeFileSync(file, Buffer.from(pfx), { mode: 0o600 });
    const r = run('openssl', ['pkcs12', '-in', file, '-nodes', '-passin', `pass:${password}`]);
    assert.equal(r.status, 0, `openssl pkcs12 cannot read the PFX: ${r.stderr.trim()}`);
    const blocks = pemBlocks(r.stdout.toString('utf8'));
    const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
    const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label)).map((b) => crypto.createPrivateKey(b.pem));
    try {
      tls.createSecureContext({ pfx: Buffer.from(pfx), passphrase: password });
    } catch (err) {
      assert.fail(`Node's TLS cannot load the PFX: ${err.message}`);
    }
    return { certs, keys };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A PEM bundle's content: {certs: [DER], keys: [private KeyObject], labels: [...] in order}. */
export function parsePemBundle(text) {
  const blocks = pemBlocks(text);
  return {
    labels: blocks.map((b) => b.label),
    certs: blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.der),
    keys: blocks.filter((b) => /PRIVATE KEY$/.test(b.label)).map((b) => crypto.createPrivateKey(b.pem)),
  };
}

/**
 * A certificate secret's value (PFX as base64, or PEM text, by contentType) →
 * {certs, keys, labels?}. Asserts the format matches the content type.
 */
export function parseSecretValue(value, contentType) {
  assert.equal(typeof value, 'string', 'the secret has a value');
  if (contentType === PEM) {
    // assert.ok, not assert.match: a failed match would put the value (a private key) in the report.
    assert.ok(/^-----BEGIN /.test(value), 'a PEM secret starts with a PEM block');
    return parsePemBundle(value);
  }
  assert.equal(contentType, PKCS12, 'certificate secrets are PKCS#12 or PEM');
  assert.ok(/^[A-Za-z0-9+/]+={0,2}$/.test(value), 'a PKCS#12 secret is standard base64');
  return parsePfx(Buffer.from(value, 'base64'));
}

/**
 * Asserts the shape every CertificateClient result shares (KeyVaultCertificate[WithPolicy]): name,
 * a 32-hex version shared by id/kid/sid, cer that parses, x5t = SHA-1(cer), nbf/exp = the
 * certificate's validity, enabled. Returns {version, der, x (X509Certificate)}.
 */
export function assertCertificateBundle(cert, { vaultUrl, name, enabled = true }) {
  assert.equal(cert.name, name);
  const p = cert.properties;
  assert.match(p.version ?? '', /^[0-9a-f]{32}$/, 'version is 32 hex characters');
  assert.equal(p.id, `${vaultUrl}/certificates/${name}/${p.version}`);
  assert.equal(p.vaultUrl, vaultUrl);
  assert.equal(cert.keyId, `${vaultUrl}/keys/${name}/${p.version}`, 'kid names the key version of the same id');
  assert.equal(cert.secretId, `${vaultUrl}/secrets/${name}/${p.version}`, 'sid names the secret version of the same id');
  assert.ok(cert.cer instanceof Uint8Array && cert.cer.length > 0, 'the bundle carries cer');
  const der = Buffer.from(cert.cer);
  const x = x509(der);
  assert.ok(p.x509Thumbprint instanceof Uint8Array, 'x5t is present');
  assert.equal(Buffer.from(p.x509Thumbprint).toString('hex'), sha1(der).toString('hex'), 'x5t is the SHA-1 of cer');
  assert.equal(p.x509ThumbprintString, sha1(der).toString('hex'));
  const { notBefore, notAfter } = validity(x);
  assert.equal(p.notBefore?.toISOString(), notBefore.toISOString(), 'attributes.nbf is the certificate notBefore');
  assert.equal(p.expiresOn?.toISOString(), notAfter.toISOString(), 'attributes.exp is the certificate notAfter');
  assert.equal(p.enabled, enabled);
  assert.ok(p.createdOn instanceof Date && p.updatedOn instanceof Date, 'created/updated are set');
  return { version: p.version, der, x };
}

/** Signs a random digest with the key `keyId` through CryptographyClient and verifies it with Node against `cert`. */
export async function assertRemoteSignatureVerifies(h, keyId, cert, alg) {
  const hash = { RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', RS384: 'sha384' }[alg];
  const data = crypto.randomBytes(64);
  const res = await h.cryptoClient(keyId).sign(alg, sha(hash, data));
  const pub = (cert instanceof crypto.X509Certificate ? cert : x509(cert)).publicKey;
  const key = alg.startsWith('ES') ? { key: pub, dsaEncoding: 'ieee-p1363' } : alg.startsWith('PS')
    ? { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
    : pub;
  assert.ok(crypto.verify(hash, data, key, Buffer.from(res.result)), `${alg} signature from ${keyId} verifies with the certificate's public key`);
}

// ---------------------------------------------------------------------------
// A test PKI made with the openssl CLI
// ---------------------------------------------------------------------------

const newKeyArgs = (keyType) =>
  keyType === 'EC' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];

/** A self-signed CA in `dir`: {keyFile, certFile, der, subject}. */
export function makeCa(dir, { name = 'ca', subject = '/CN=Keyhaven Test CA/O=Conformance', keyType = 'RSA' } = {}) {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl([
    'req', '-x509', ...newKeyArgs(keyType), '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '60',
    '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const der = pemBlocks(fs.readFileSync(certFile, 'utf8'))[0].der;
  return { keyFile, certFile, der };
}

/** Signs a CSR (DER) with the CA, copying the CSR's extensions. Returns the certificate DER. */
export function signCsr(dir, csrDer, ca, { days = 90, name = 'signed' } = {}) {
  const csrFile = path.join(dir, `${name}.csr`);
  const outFile = path.join(dir, `${name}.pem`);
  fs.writeFileSync(csrFile, toPem(csrDer, 'CERTIFICATE REQUEST'));
  openssl([
    'x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-set_serial', `0x${crypto.randomBytes(12).toString('hex')}`, '-days', String(days),
    '-copy_extensions', 'copy', '-out', outFile,
  ]);
  return pemBlocks(fs.readFileSync(outFile, 'utf8'))[0].der;
}

/**
 * A key pair (PKCS#8 PEM) and a certificate for it signed by `ca` (or self-signed without one):
 * {keyFile, keyPem, certFile, der}.
 */
export function makeLeaf(dir, { name = 'leaf', subject = '/CN=leaf.example', san = 'DNS:leaf.example', keyType = 'RSA', ca, days = 90 } = {}) {
  const keyFile = path.join(dir, `${name}.key`);
  const csrFile = path.join(dir, `${name}.csr`);
  const certFile = path.join(dir, `${name}.pem`);
  if (ca) {
    openssl(['req', '-new', ...newKeyArgs(keyType), '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', subject, '-addext', `subjectAltName=${san}`]);
    openssl([
      'x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile,
      '-set_serial', `0x${crypto.randomBytes(12).toString('hex')}`, '-days', String(days),
      '-copy_extensions', 'copy', '-out', certFile,
    ]);
  } else {
    openssl(['req', '-x509', ...newKeyArgs(keyType), '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', subject, '-addext', `subjectAltName=${san}`]);
  }
  const keyPem = fs.readFileSync(keyFile, 'utf8');
  assert.ok(keyPem.startsWith('-----BEGIN PRIVATE KEY-----'), 'openssl writes PKCS#8 keys');
  const der = pemBlocks(fs.readFileSync(certFile, 'utf8'))[0].der;
  return { keyFile, keyPem, certFile, der };
}

/** A PFX (bytes) with the key, the certificate and optional extra certificates; password '' = empty. */
export function makePfx(dir, { keyFile, certFile, extraCertFiles = [], password = '', name = 'bundle', noKey = false }) {
  const out = path.join(dir, `${name}.pfx`);
  const args = ['pkcs12', '-export', '-in', certFile, '-passout', `pass:${password}`, '-out', out];
  args.push(...(noKey ? ['-nokeys'] : ['-inkey', keyFile]));
  if (extraCertFiles.length) {
    const chain = path.join(dir, `${name}-chain.pem`);
    fs.writeFileSync(chain, extraCertFiles.map((f) => fs.readFileSync(f, 'utf8')).join(''));
    args.push('-certfile', chain);
  }
  openssl(args);
  return fs.readFileSync(out);
}

/**
 * `openssl verify -CAfile <ca> [-untrusted <intermediates>] <leaf>`: {ok, output}. noCheckTime
 * skips the validity dates (for certificates issued on a server whose test clock runs ahead).
 */
export function opensslVerify(caDer, leafDer, { untrusted = [], noCheckTime = false } = {}) {
  const dir = tmpDir('verify');
  try {
    fs.writeFileSync(path.join(dir, 'ca.pem'), toPem(caDer));
    fs.writeFileSync(path.join(dir, 'leaf.pem'), toPem(leafDer));
    const args = ['verify', '-CAfile', 'ca.pem'];
    if (noCheckTime) args.push('-no_check_time');
    if (untrusted.length) {
      fs.writeFileSync(path.join(dir, 'untrusted.pem'), untrusted.map((d) => toPem(d)).join(''));
      args.push('-untrusted', 'untrusted.pem');
    }
    args.push('leaf.pem');
    const r = run('openssl', args, { cwd: dir });
    const output = `${r.stdout.toString('utf8')}${r.stderr}`.trim();
    return { ok: r.status === 0 && /leaf\.pem: OK/.test(output), output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A PKCS#10 request (DER) checked by `openssl req -verify`: {subject (RFC 2253), sans (openssl's
 * text of the requested SAN extension or ''), publicKey (KeyObject), text}. Asserts the
 * self-signature verifies (openssl 3.0 exits 0 even when it does not, so the text is checked).
 */
export function inspectCsr(csrDer) {
  const r = run('openssl', ['req', '-inform', 'DER', '-noout', '-verify', '-subject', '-nameopt', 'RFC2253'], { input: Buffer.from(csrDer) });
  const out = `${r.stdout.toString('utf8')}\n${r.stderr}`;
  assert.equal(r.status, 0, `openssl req cannot read the CSR: ${r.stderr.trim()}`);
  assert.match(out, /verify OK/, `the CSR's self-signature does not verify: ${r.stderr.trim()}`);
  assert.doesNotMatch(out, /verify fail/i);
  const subject = /subject=(.*)/.exec(r.stdout.toString('utf8'))?.[1]?.trim();
  const text = openssl(['req', '-inform', 'DER', '-noout', '-text'], { input: Buffer.from(csrDer) }).toString('utf8');
  const san = /X509v3 Subject Alternative Name:.*\n\s*(.*)/.exec(text)?.[1]?.trim() ?? '';
  const publicKey = crypto.createPublicKey(openssl(['req', '-inform', 'DER', '-noout', '-pubkey'], { input: Buffer.from(csrDer) }).toString('utf8'));
  return { subject, sans: san, publicKey, text };
}
