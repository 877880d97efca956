// Trusted external OpenID issuers: tokens minted by "a company's own IdP" (keys made here with
// Node's crypto), published as a JWKS file and as a JWKS over HTTPS, are accepted by Keyhaven
// and used by the real SecretClient; the claim that names the caller is what RBAC assigns to.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import { startServer, secretName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';
const FILE_ISSUER = 'https://idp.file.example/tenant-a/v2.0';
const URL_ISSUER = 'https://idp.url.example/';

function jwkFor(publicKey, kid, alg) {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

function mint({ privateKey, kid, alg = 'RS256', claims }) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  const options = alg.startsWith('PS')
    ? { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
    : privateKey;
  const signature = crypto.sign('sha256', Buffer.from(input), options).toString('base64url');
  return `${input}.${signature}`;
}

// A TokenCredential that hands out one fixed token, as an app holding an IdP token would.
const staticCredential = (token) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
});

describe('trusted external OpenID issuers', () => {
  let h;
  let jwksServer;
  const fileKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const urlKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

  before(async () => {
    const root = fs.mkdtempSync(path.join(process.env.KEYHAVEN_TMP_ROOT || '/tmp', 'idp-'));
    const jwksFile = path.join(root, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [jwkFor(fileKey.publicKey, 'file-1', 'RS256')] }));

    // The second IdP publishes its JWKS over HTTPS with a certificate Keyhaven trusts via ca=.
    const keyFile = path.join(root, 'tls.key');
    const certFile = path.join(root, 'tls.crt');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    jwksServer = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwkFor(urlKey.publicKey, 'url-1', 'PS256')] }));
    });
    await new Promise((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `https://localhost:${jwksServer.address().port}/keys`;

    h = await startServer({
      name: 'external-issuer',
      extraArgs: [
        '--trusted-issuer', `issuer=${FILE_ISSUER},jwks=${jwksFile}`,
        '--trusted-issuer', `issuer=${URL_ISSUER},jwks=${jwksUrl},ca=${certFile},claim=sub`,
      ],
    });
  });
  after(async () => {
    await h?.dispose();
    jwksServer?.close();
  });

  async function grantSecretsUser(vault, principalId) {
    const scope = `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`;
    const res = await h.requestJson(
      'PUT',
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      { properties: { roleDefinitionId: SECRETS_USER, principalId } },
    );
    assert.equal(res.status, 201, res.text);
  }

  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a file-JWKS issuer\'s token, authorizing the oid claim by RBAC', { timeout: 60_000 }, async () => {
    const { name: vault, client: admin } = await h.createVaultWithClient('idp');
    const name = secretName('idp');
    await admin.setSecret(name, 'for-the-idp-user');
    const oid = crypto.randomUUID();
    const token = mint({
      privateKey: fileKey.privateKey,
      kid: 'file-1',
      claims: { iss: FILE_ISSUER, aud: h.url, oid, azp: 'corp-app', tid: 'corp', exp: now() + 600, nbf: now() },
    });
    const client = h.secretClient(h.vaultUrl(vault), { credential: staticCredential(token) });
    await rejectsWith(() => client.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });
    await grantSecretsUser(vault, oid);
    assert.equal((await client.getSecret(name)).value, 'for-the-idp-user');
    await rejectsWith(() => client.setSecret(name, 'no'), { status: 403, inner: 'ForbiddenByRbac' });
  });

  it('accepts an https-JWKS issuer\'s PS256 token, naming the caller by the sub claim', { timeout: 60_000 }, async () => {
    const { name: vault, client: admin } = await h.createVaultWithClient('idp');
    const name = secretName('idp');
    await admin.setSecret(name, 'for-the-url-idp');
    const sub = crypto.randomUUID();
    await grantSecretsUser(vault, sub);
    const token = mint({
      privateKey: urlKey.privateKey,
      kid: 'url-1',
      alg: 'PS256',
      claims: { iss: URL_ISSUER, aud: [h.url], sub, exp: now() + 600 },
    });
    const client = h.secretClient(h.vaultUrl(vault), { credential: staticCredential(token) });
    assert.equal((await client.getSecret(name)).value, 'for-the-url-idp');
  });

  it('refuses wrong audience, untrusted issuer, foreign key, expiry and the admin\'s id', { timeout: 60_000 }, async () => {
    const { name: vault } = await h.createVaultWithClient('idp');
    const url = `${h.vaultUrl(vault)}/secrets?api-version=2025-07-01`;
    const good = { iss: FILE_ISSUER, aud: h.url, oid: crypto.randomUUID(), exp: now() + 600 };
    const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const adminPrincipal = await h.request({ token: true, url: `/admin/principals/${h.admin.clientId}` });
    const adminObjectId = JSON.parse(adminPrincipal.text).objectId;
    assert.match(adminObjectId, /^[0-9a-f-]{36}$/);
    const cases = [
      mint({ privateKey: fileKey.privateKey, kid: 'file-1', claims: { ...good, aud: 'https://vault.azure.net' } }),
      mint({ privateKey: fileKey.privateKey, kid: 'file-1', claims: { ...good, iss: 'https://idp.evil.example/' } }),
      mint({ privateKey: stranger.privateKey, kid: 'file-1', claims: good }),
      mint({ privateKey: fileKey.privateKey, kid: 'file-1', claims: { ...good, exp: now() - 10 } }),
      mint({ privateKey: fileKey.privateKey, kid: 'file-1', claims: { ...good, oid: adminObjectId } }),
    ];
    for (const token of cases) {
      const res = await h.request({ url, headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401, res.text);
    }
  });
});
