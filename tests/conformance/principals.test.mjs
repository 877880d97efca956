// Service principals and their credentials: certificate credentials used by the real
// ClientCertificateCredential (RFC 7523 client assertions), client secrets rotated with overlap,
// removed, and expiring (test clock), and a deleted principal losing its tokens at once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { startServer, secretName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

// A self-signed RSA certificate and its key in one PEM file, as ClientCertificateCredential
// reads it. Made with the openssl CLI (Node can parse X.509 but not create it).
function makeCertificate(dir, name) {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30',
    '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  const certificate = fs.readFileSync(certFile, 'utf8');
  const combined = path.join(dir, `${name}.pem`);
  fs.writeFileSync(combined, certificate + fs.readFileSync(keyFile, 'utf8'), { mode: 0o600 });
  return { certificate, pemPath: combined };
}

describe('principals and credentials', () => {
  let h;
  let vault;
  let secret;
  before(async () => {
    h = await startServer({ name: 'principals', testClock: true });
    const created = await h.createVaultWithClient('pr');
    vault = created.name;
    secret = secretName('pr');
    await created.client.setSecret(secret, 'principal-readable');
  });
  after(async () => {
    await h?.dispose();
  });

  const vaultScope = () =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}` +
    `/providers/Microsoft.KeyVault/vaults/${vault}`;

  async function grantSecretsUser(objectId) {
    const res = await h.requestJson(
      'PUT',
      `${vaultScope()}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      { properties: { roleDefinitionId: SECRETS_USER, principalId: objectId } },
    );
    assert.equal(res.status, 201, res.text);
  }

  const secretCredential = (p, clientSecret) =>
    new ClientSecretCredential(p.tenantId, p.clientId, clientSecret, {
      authorityHost: h.url,
      disableInstanceDiscovery: true,
      agent: h.agent,
    });

  it('ClientCertificateCredential gets a token with a certificate credential and reads a secret', { timeout: 60_000 }, async () => {
    const p = await h.createPrincipal('cert-app');
    await grantSecretsUser(p.objectId);
    const { certificate, pemPath } = makeCertificate(h.workDir, 'cert-app');

    const added = await h.requestJson('POST', `/admin/principals/${p.clientId}/credentials`, {
      type: 'AsymmetricX509Cert',
      certificate,
      displayName: 'deploy key',
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.type, 'AsymmetricX509Cert');
    const sha1 = new crypto.X509Certificate(certificate).fingerprint.replaceAll(':', '');
    assert.equal(Buffer.from(added.json.thumbprint, 'base64url').toString('hex').toUpperCase(), sha1);

    for (const sendCertificateChain of [false, true]) {
      const credential = new ClientCertificateCredential(p.tenantId, p.clientId, pemPath, {
        authorityHost: h.url,
        disableInstanceDiscovery: true,
        sendCertificateChain,
        agent: h.agent,
      });
      const client = h.secretClient(h.vaultUrl(vault), { credential });
      assert.equal((await client.getSecret(secret)).value, 'principal-readable');
      // Secrets User reads, never writes.
      await rejectsWith(() => client.setSecret(secret, 'nope'), { status: 403, inner: 'ForbiddenByRbac' });
    }

    // Another certificate (not registered) is refused at the token endpoint.
    const stranger = makeCertificate(h.workDir, 'stranger');
    const wrong = new ClientCertificateCredential(p.tenantId, p.clientId, stranger.pemPath, {
      authorityHost: h.url,
      disableInstanceDiscovery: true,
      agent: h.agent,
    });
    await assert.rejects(() => wrong.getToken(h.scope), /invalid_client|assertion/i);

    // Removing the credential stops a fresh credential object from getting tokens.
    const removed = await h.request({
      token: true,
      method: 'DELETE',
      url: `/admin/principals/${p.clientId}/credentials/${added.json.keyId}`,
    });
    assert.equal(removed.status, 200, removed.text);
    const after = new ClientCertificateCredential(p.tenantId, p.clientId, pemPath, {
      authorityHost: h.url,
      disableInstanceDiscovery: true,
      agent: h.agent,
    });
    await assert.rejects(() => after.getToken(h.scope), /invalid_client|assertion/i);
  });

  it('client secrets rotate with overlap, and a removed secret stops working', { timeout: 60_000 }, async () => {
    const p = await h.createPrincipal('rotating-app');
    await grantSecretsUser(p.objectId);
    const second = await h.requestJson('POST', `/admin/principals/${p.clientId}/credentials`, {
      type: 'Password',
      displayName: 'next',
    });
    assert.equal(second.status, 201, second.text);
    assert.ok(second.json.secretText.length >= 40);
    assert.equal(second.json.hint, second.json.secretText.slice(0, 3));

    for (const clientSecret of [p.clientSecret, second.json.secretText]) {
      const client = h.secretClient(h.vaultUrl(vault), { credential: secretCredential(p, clientSecret) });
      assert.equal((await client.getSecret(secret)).value, 'principal-readable');
    }

    const listed = await h.request({ token: true, url: `/admin/principals/${p.clientId}/credentials` });
    const creds = JSON.parse(listed.text).value;
    assert.equal(creds.length, 2);
    assert.ok(!listed.text.includes(p.clientSecret) && !listed.text.includes(second.json.secretText));
    const first = creds.find((c) => c.keyId !== second.json.keyId);
    const removed = await h.request({
      token: true,
      method: 'DELETE',
      url: `/admin/principals/${p.clientId}/credentials/${first.keyId}`,
    });
    assert.equal(removed.status, 200, removed.text);
    await assert.rejects(() => secretCredential(p, p.clientSecret).getToken(h.scope), /invalid_client/);
    await secretCredential(p, second.json.secretText).getToken(h.scope);

    const missing = await h.request({
      token: true,
      method: 'DELETE',
      url: `/admin/principals/${p.clientId}/credentials/${first.keyId}`,
    });
    assert.equal(missing.status, 404);
  });

  it('a deleted principal loses its tokens at once; the bootstrap admin cannot be deleted', { timeout: 60_000 }, async () => {
    const p = await h.createPrincipal('doomed-app');
    await grantSecretsUser(p.objectId);
    const token = (await p.credential.getToken(h.scope)).token;
    const url = `${h.vaultUrl(vault)}/secrets/${secret}?api-version=2025-07-01`;
    const before = await h.request({ url, headers: { authorization: `Bearer ${token}` } });
    assert.equal(before.status, 200, before.text);

    const listed = await h.request({ token: true, url: '/admin/principals' });
    assert.ok(JSON.parse(listed.text).value.some((x) => x.clientId === p.clientId));
    const del = await h.request({ token: true, method: 'DELETE', url: `/admin/principals/${p.clientId}` });
    assert.equal(del.status, 200, del.text);
    const afterDelete = await h.request({ url, headers: { authorization: `Bearer ${token}` } });
    assert.equal(afterDelete.status, 401);
    const gone = await h.request({ token: true, url: `/admin/principals/${p.clientId}` });
    assert.equal(gone.status, 404);

    const admin = await h.request({ token: true, method: 'DELETE', url: `/admin/principals/${h.admin.clientId}` });
    assert.equal(admin.status, 409, admin.text);
  });

  it('a principal cannot manage principals', { timeout: 60_000 }, async () => {
    const p = await h.createPrincipal('curious-app');
    const token = (await p.credential.getToken(h.scope)).token;
    const res = await h.request({ url: '/admin/principals', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 403, res.text);
  });

  // Last: moves the server's clock forward.
  it('an expired client secret is refused at the token endpoint', { timeout: 60_000 }, async () => {
    const now = (await h.advanceClock(0)) * 1000;
    const end = new Date(now + 3600_000).toISOString();
    const res = await h.requestJson('POST', '/admin/principals', { displayName: 'short-lived', secretEndDateTime: end });
    assert.equal(res.status, 201, res.text);
    const p = res.json;
    assert.equal(p.credentials[0].endDateTime, end.replace(/\.\d+Z$/, 'Z'));
    await secretCredential(p, p.clientSecret).getToken(h.scope);

    await h.advanceClock(2 * 3600);
    // A raw token request: MSAL would answer from its cache, which follows the real clock.
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: p.clientId,
      client_secret: p.clientSecret,
      scope: h.scope,
    });
    const refused = await h.request({
      method: 'POST',
      url: `/${p.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    assert.equal(refused.status, 401, refused.text);
    assert.equal(JSON.parse(refused.text).error, 'invalid_client');
    const shown = await h.request({ token: true, url: `/admin/principals/${p.clientId}` });
    assert.equal(JSON.parse(shown.text).credentials[0].expired, true);

    const past = await h.requestJson('POST', `/admin/principals/${p.clientId}/credentials`, {
      type: 'Password',
      endDateTime: '2020-01-01T00:00:00Z',
    });
    assert.equal(past.status, 400, past.text);
    const bad = await h.requestJson('POST', `/admin/principals/${p.clientId}/credentials`, {
      type: 'Password',
      endDateTime: 'next tuesday',
    });
    assert.equal(bad.status, 400, bad.text);
  });
});
