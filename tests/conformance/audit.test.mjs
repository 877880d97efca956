// The audit log (issue 6, part 1): one record per request in Azure's AuditEvent shape, for
// allowed requests and for denials (401, 403), read back from the server's audit file after the
// real SDKs ran. No secret value, token or client secret ever lands in it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { startServer, secretName, rejectsWith, eventually, API_VERSION, RESOURCE_GROUP } from './harness.mjs';

describe('audit log (AuditEvent records)', () => {
  let h;
  let vault;
  let client;
  const canary = `canary-${crypto.randomBytes(16).toString('hex')}`;

  before(async () => {
    h = await startServer({ name: 'audit' });
    const v = await h.createVaultWithClient('aud', { retentionDays: 7 });
    vault = v.name;
    client = v.client;
  });
  after(async () => {
    await h?.dispose();
  });

  const records = () =>
    fs
      .readFileSync(path.join(h.dataDir, 'audit', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  const vaultId = () =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`.toUpperCase();

  it('every operation of the SDKs gets a record with Azure operation names and fields', async () => {
    const name = secretName('audited');
    await client.setSecret(name, canary);
    await client.getSecret(name);
    for await (const s of client.listPropertiesOfSecrets()) void s;
    await (await client.beginDeleteSecret(name, { intervalInMs: 20 })).pollUntilDone();
    const keys = h.keyClient(h.vaultUrl(vault));
    const key = await keys.createEcKey(secretName('k'), { curve: 'P-256' });
    await h.cryptoClient(key.id).sign('ES256', crypto.createHash('sha256').update('x').digest());

    await eventually(() => {
      const names = records().map((r) => r.operationName);
      for (const op of ['VaultPut', 'SecretSet', 'SecretGet', 'SecretList', 'SecretDelete', 'KeyCreate', 'KeySign']) {
        assert.ok(names.includes(op), `no ${op} record (have ${[...new Set(names)].join(', ')})`);
      }
    });
    const set = records().find((r) => r.operationName === 'SecretSet');
    assert.equal(set.category, 'AuditEvent');
    assert.equal(set.resourceId, vaultId());
    assert.equal(set.operationVersion.length > 0, true);
    assert.equal(set.resultType, 'Success');
    assert.equal(set.resultSignature, 'OK');
    assert.equal(set.properties.httpStatusCode, 200);
    assert.equal(set.properties.id, `${h.vaultUrl(vault)}/secrets/${name}`);
    assert.ok(set.properties.requestUri.startsWith(`${h.vaultUrl(vault)}/secrets/${name}?api`), set.properties.requestUri);
    assert.match(set.properties.clientInfo, /azsdk-js-keyvault-secrets/);
    assert.match(set.correlationId, /^[0-9a-f-]{36}$/, 'the SDK request id');
    assert.equal(set.identity.claim.appid, h.admin.clientId);
    assert.ok(set.identity.claim['http://schemas.microsoft.com/identity/claims/objectidentifier']);
    assert.equal(set.callerIpAddress, '127.0.0.1');
    assert.match(set.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(set.durationMs, /^\d+$/);
  });

  it('denials are recorded: 401 without a token (Authentication) and 403 without a role', async () => {
    const url = `${h.vaultUrl(vault)}/secrets/nobody?api-version=${API_VERSION}`;
    const unauth = await h.request({ url, headers: { 'x-ms-client-request-id': 'no-token-request' } });
    assert.equal(unauth.status, 401);
    const stranger = await h.createPrincipal('audit-stranger');
    const denied = h.secretClient(h.vaultUrl(vault), { credential: stranger.credential });
    await rejectsWith(denied.getSecret('nobody'), { status: 403 });

    await eventually(() => {
      const all = records();
      const auth = all.find((r) => r.correlationId === 'no-token-request');
      assert.ok(auth, 'a record for the 401');
      assert.equal(auth.operationName, 'Authentication');
      assert.equal(auth.resultType, 'Failure');
      assert.equal(auth.resultSignature, 'Unauthorized');
      assert.equal(auth.properties.httpStatusCode, 401);
      assert.equal(auth.resourceId, vaultId());
      const forbidden = all.find((r) => r.identity.claim.appid === stranger.clientId && r.operationName === 'SecretGet');
      assert.ok(forbidden, 'a record for the 403');
      assert.equal(forbidden.resultSignature, 'Forbidden');
      assert.equal(forbidden.properties.httpStatusCode, 403);
      assert.ok(forbidden.resultDescription.length > 0, 'the error code');
    });
  });

  it('no secret value, token or client secret is in the audit log', async () => {
    const token = await h.token();
    const text = fs.readFileSync(path.join(h.dataDir, 'audit', 'audit.jsonl'), 'utf8');
    assert.ok(text.length > 0);
    assert.ok(!text.includes(canary), 'a secret value in the audit log');
    assert.ok(!text.includes(h.admin.clientSecret), 'the client secret in the audit log');
    assert.ok(!text.includes(token.split('.')[2]), 'a token in the audit log');
    const mode = fs.statSync(path.join(h.dataDir, 'audit', 'audit.jsonl')).mode & 0o777;
    assert.equal(mode & 0o077, 0, 'the audit log is private to the server user');
  });
});
