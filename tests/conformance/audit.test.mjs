// The audit log (issue 6): one record per request in Azure's AuditEvent shape, for every
// operation of every API the server has, and for every kind of denial (401, 403 by RBAC, by
// access policy and by the firewall, 404, 429), read back from the server's audit files after
// the real SDKs ran. Canaries planted in every part of a request that may carry a secret never
// reach the audit log. `keyhaven audit verify` accepts the log the server wrote.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import {
  startServer,
  secretName,
  rejectsWith,
  eventually,
  rawRequest,
  encodingsOf,
  API_VERSION,
  RESOURCE_GROUP,
} from './harness.mjs';
import { auditFiles, auditEvents, verifyAudit } from './audit_util.mjs';

const LRO = { intervalInMs: 20 };
const ARM_VERSION = '2026-02-01';
const AUTH_VERSION = '2022-04-01';
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

describe('audit log (AuditEvent records)', () => {
  let h;
  let vault;
  let client;
  let auditDir;

  before(async () => {
    h = await startServer({ name: 'audit' });
    auditDir = path.join(h.dataDir, 'audit');
    const v = await h.createVaultWithClient('aud', { retentionDays: 7 });
    vault = v.name;
    client = v.client;
  });
  after(async () => {
    await h?.dispose();
  });

  const vaultScope = (name) =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${name}`;
  const vaultId = (name = vault) => vaultScope(name).toUpperCase();
  const events = () => auditEvents(auditDir);

  /** Waits until a record matching `match` is written; returns it. */
  async function recordOf(match, what) {
    let found;
    await eventually(() => {
      found = events().find(match);
      assert.ok(found, `no audit record for ${what}`);
    });
    return found;
  }

  it('every operation of every API gets a record named as Azure names it', { timeout: 120_000 }, async () => {
    // Secrets: the whole SecretClient surface.
    const name = secretName('audited');
    const set = await client.setSecret(name, 'value-1');
    await client.getSecret(name);
    await client.updateSecretProperties(name, set.properties.version, { tags: { t: '1' } });
    for await (const s of client.listPropertiesOfSecrets()) void s;
    for await (const s of client.listPropertiesOfSecretVersions(name)) void s;
    const secretBlob = await client.backupSecret(name);
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    for await (const s of client.listDeletedSecrets()) void s;
    await client.getDeletedSecret(name);
    await (await client.beginRecoverDeletedSecret(name, LRO)).pollUntilDone();
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    await eventually(async () => client.restoreSecretBackup(secretBlob));

    // Keys: KeyClient, and the key operations as raw requests (the SDK does some locally).
    const keys = h.keyClient(h.vaultUrl(vault));
    const keyName = secretName('k');
    const key = await keys.createRsaKey(keyName, { keySize: 2048 });
    await keys.getKey(keyName);
    await keys.updateKeyProperties(keyName, key.properties.version, { tags: { t: '1' } });
    await keys.importKey(secretName('imported'), {
      kty: 'oct',
      k: crypto.randomBytes(32),
      keyOps: ['wrapKey', 'unwrapKey'],
    });
    for await (const k of keys.listPropertiesOfKeys()) void k;
    for await (const k of keys.listPropertiesOfKeyVersions(keyName)) void k;
    await keys.getKeyRotationPolicy(keyName);
    await keys.updateKeyRotationPolicy(keyName, { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P30D' }] });
    await keys.rotateKey(keyName);
    await keys.getRandomBytes(16);
    const current = (await keys.getKey(keyName)).properties.version;
    const op = (operation, body) =>
      h.requestJson('POST', `${h.vaultUrl(vault)}/keys/${keyName}/${current}/${operation}?api-version=${API_VERSION}`, body);
    const digest = crypto.createHash('sha256').update('x').digest('base64url');
    const signed = await op('sign', { alg: 'RS256', value: digest });
    assert.equal(signed.status, 200, signed.text);
    assert.equal((await op('verify', { alg: 'RS256', digest, value: signed.json.value })).status, 200);
    const encrypted = await op('encrypt', { alg: 'RSA-OAEP-256', value: 'aGVsbG8' });
    assert.equal((await op('decrypt', { alg: 'RSA-OAEP-256', value: encrypted.json.value })).status, 200);
    const wrapped = await op('wrapkey', { alg: 'RSA-OAEP-256', value: 'aGVsbG8' });
    assert.equal((await op('unwrapkey', { alg: 'RSA-OAEP-256', value: wrapped.json.value })).status, 200);
    const keyBlob = await keys.backupKey(keyName);
    await (await keys.beginDeleteKey(keyName, LRO)).pollUntilDone();
    for await (const k of keys.listDeletedKeys()) void k;
    await keys.getDeletedKey(keyName);
    await (await keys.beginRecoverDeletedKey(keyName, LRO)).pollUntilDone();
    await (await keys.beginDeleteKey(keyName, LRO)).pollUntilDone();
    await keys.purgeDeletedKey(keyName);
    await eventually(async () => keys.restoreKeyBackup(keyBlob));

    // Vaults (ARM), role assignments, identity.
    const arm = h.arm();
    const other = `audo${crypto.randomBytes(3).toString('hex')}`;
    await h.createVault(other);
    await arm.vaults.get(RESOURCE_GROUP, other);
    await arm.vaults.update(RESOURCE_GROUP, other, { tags: { t: '1' } });
    for await (const v of arm.vaults.listByResourceGroup(RESOURCE_GROUP)) void v;
    await arm.vaults.checkNameAvailability({ name: other, type: 'Microsoft.KeyVault/vaults' });
    await arm.vaults.delete(RESOURCE_GROUP, other);
    for await (const v of arm.vaults.listDeleted()) void v;
    await arm.vaults.getDeleted(other, 'local');
    await arm.vaults.beginPurgeDeletedAndWait(other, 'local', { updateIntervalInMs: 20 });
    const app = await h.createPrincipal('audit-reader');
    const assignment = `${vaultScope(vault)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=${AUTH_VERSION}`;
    const put = await h.requestJson('PUT', assignment, {
      properties: {
        roleDefinitionId: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`,
        principalId: app.objectId,
      },
    });
    assert.equal(put.status, 201, put.text);
    assert.equal((await h.requestJson('GET', assignment)).status, 200);
    assert.equal((await h.requestJson('DELETE', assignment)).status, 200);

    const expected = [
      'SecretSet', 'SecretGet', 'SecretUpdate', 'SecretList', 'SecretListVersions', 'SecretBackup',
      'SecretDelete', 'SecretListDeleted', 'SecretGetDeleted', 'SecretRecover', 'SecretPurge', 'SecretRestore',
      'KeyCreate', 'KeyGet', 'KeyUpdate', 'KeyImport', 'KeyList', 'KeyListVersions', 'KeyRotationPolicyGet',
      'KeyRotationPolicySet', 'KeyRotate', 'KeyRandom', 'KeySign', 'KeyVerify', 'KeyEncrypt', 'KeyDecrypt',
      'KeyWrap', 'KeyUnwrap', 'KeyBackup', 'KeyDelete', 'KeyListDeleted', 'KeyGetDeleted', 'KeyRecover',
      'KeyPurge', 'KeyRestore',
      'VaultPut', 'VaultGet', 'VaultPatch', 'VaultList', 'VaultCheckNameAvailability', 'VaultDelete',
      'VaultListDeleted', 'VaultGetDeleted', 'VaultPurge',
      'RoleAssignmentPut', 'RoleAssignmentGet', 'RoleAssignmentDelete', 'Authentication',
    ];
    await eventually(() => {
      const seen = new Set(events().filter((r) => r.resultType === 'Success').map((r) => r.operationName));
      const missing = expected.filter((n) => !seen.has(n));
      assert.deepEqual(missing, [], `operations without a successful record (have ${[...seen].join(', ')})`);
    });
    const unnamed = events().filter((r) => /Unknown$/.test(r.operationName));
    assert.deepEqual(unnamed.map((r) => `${r.operationName} ${r.properties.requestUri}`), [], 'every route has a name');

    // A purged vault's record names it by its deleted-vault id (its vault record is gone).
    const purge = events().find((r) => r.operationName === 'VaultPurge' && r.resultType === 'Success');
    assert.equal(purge.resourceId,
      `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.KeyVault/locations/local/deletedVaults/${other}`.toUpperCase());

    // The fields of one record, as Azure writes them.
    const rec = events().find((r) => r.operationName === 'SecretSet');
    assert.equal(rec.category, 'AuditEvent');
    assert.equal(rec.resourceId, vaultId());
    assert.equal(rec.operationVersion, API_VERSION);
    assert.equal(rec.resultType, 'Success');
    assert.equal(rec.resultSignature, 'OK');
    assert.equal(rec.resultDescription, '');
    assert.equal(rec.properties.httpStatusCode, 200);
    assert.equal(rec.properties.id, `${h.vaultUrl(vault)}/secrets/${name}`);
    assert.equal(rec.properties.requestUri, `${h.vaultUrl(vault)}/secrets/${name}?api-version=${API_VERSION}`);
    assert.match(rec.properties.clientInfo, /azsdk-js-keyvault-secrets/);
    assert.match(rec.correlationId, /^[0-9a-f-]{36}$/, 'the SDK request id');
    assert.equal(rec.identity.claim.appid, h.admin.clientId);
    assert.equal(rec.identity.claim['http://schemas.microsoft.com/identity/claims/tenantid'], undefined, 'the own tenant is implied');
    assert.ok(rec.identity.claim['http://schemas.microsoft.com/identity/claims/objectidentifier']);
    assert.equal(rec.callerIpAddress, '127.0.0.1');
    assert.match(rec.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(rec.durationMs, /^\d+$/);
    assert.equal(rec.properties.isRbacAuthorized, true);
    assert.equal(rec.properties.appliedAssignmentId, 'bootstrapAdministrator');
    assert.equal(rec.properties.isAddressAuthorized, true);
    assert.match(rec.properties.tlsVersion, /^TLSv1\.[23]$/);
  });

  it('records each kind of denial: 401, 403 by RBAC, policy and firewall, 404, 429', { timeout: 60_000 }, async () => {
    // 401: no token.
    const url = `${h.vaultUrl(vault)}/secrets/nobody?api-version=${API_VERSION}`;
    const unauth = await h.request({ url, headers: { 'x-ms-client-request-id': 'no-token-request' } });
    assert.equal(unauth.status, 401);
    // 403 by RBAC: a principal with no role.
    const stranger = await h.createPrincipal('audit-stranger');
    const denied = h.secretClient(h.vaultUrl(vault), { credential: stranger.credential });
    await rejectsWith(denied.getSecret('nobody'), { status: 403 });
    // 403 by access policy: a vault on the access-policy model without an entry for the caller.
    const policyVault = `audp${crypto.randomBytes(3).toString('hex')}`;
    const created = await h.requestJson('PUT', `${vaultScope(policyVault)}?api-version=${ARM_VERSION}`, {
      location: 'local',
      properties: {
        tenantId: h.admin.tenantId,
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: false,
        accessPolicies: [
          { tenantId: h.admin.tenantId, objectId: stranger.objectId, permissions: { secrets: ['list'] } },
        ],
      },
    });
    assert.equal(created.status, 200, created.text);
    const policyClient = h.secretClient(h.vaultUrl(policyVault), { credential: stranger.credential });
    await rejectsWith(policyClient.getSecret('nobody'), { status: 403 });
    for await (const s of policyClient.listPropertiesOfSecrets()) void s;
    // 403 by the firewall: a vault that admits no address.
    const walled = `audf${crypto.randomBytes(3).toString('hex')}`;
    const fw = await h.requestJson('PUT', `${vaultScope(walled)}?api-version=${ARM_VERSION}`, {
      location: 'local',
      properties: {
        tenantId: h.admin.tenantId,
        sku: { family: 'A', name: 'standard' },
        networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [{ value: '127.0.0.9' }] },
      },
    });
    assert.equal(fw.status, 200, fw.text);
    const blocked = await h.request({ token: true, url: `${h.vaultUrl(walled)}/secrets?api-version=${API_VERSION}` });
    assert.equal(blocked.status, 403);
    // 404.
    await rejectsWith(client.getSecret(secretName('missing')), { status: 404 });

    const authn = await recordOf((r) => r.correlationId === 'no-token-request', 'the 401');
    assert.equal(authn.operationName, 'Authentication');
    assert.equal(authn.resultType, 'Failure');
    assert.equal(authn.resultSignature, 'Unauthorized');
    assert.equal(authn.properties.httpStatusCode, 401);
    assert.equal(authn.resourceId, vaultId());
    assert.deepEqual(authn.identity.claim, {});

    const rbac = await recordOf(
      (r) => r.identity.claim.appid === stranger.clientId && r.resourceId === vaultId() && r.operationName === 'SecretGet',
      'the RBAC 403',
    );
    assert.equal(rbac.resultSignature, 'Forbidden');
    assert.equal(rbac.resultDescription, 'ForbiddenByRbac');
    assert.equal(rbac.properties.isRbacAuthorized, false);
    assert.equal(rbac.properties.isAccessPolicyMatch, undefined);

    const policy = await recordOf(
      (r) => r.resourceId === vaultId(policyVault) && r.operationName === 'SecretGet',
      'the access-policy 403',
    );
    assert.equal(policy.resultDescription, 'ForbiddenByPolicy');
    assert.equal(policy.properties.isAccessPolicyMatch, false);
    assert.equal(policy.properties.isRbacAuthorized, undefined);
    const allowedByPolicy = await recordOf(
      (r) => r.resourceId === vaultId(policyVault) && r.operationName === 'SecretList',
      'the list the policy allowed',
    );
    assert.equal(allowedByPolicy.properties.isAccessPolicyMatch, true);
    assert.equal(allowedByPolicy.properties.accessPolicyObjectId, stranger.objectId);

    const firewall = await recordOf((r) => r.resourceId === vaultId(walled) && r.properties.httpStatusCode === 403, 'the firewall 403');
    assert.equal(firewall.resultDescription, 'ForbiddenByFirewall');
    assert.equal(firewall.properties.isAddressAuthorized, false);
    assert.equal(firewall.operationName, 'SecretList');

    const missing = await recordOf((r) => r.operationName === 'SecretGet' && r.properties.httpStatusCode === 404, 'the 404');
    assert.equal(missing.resultSignature, 'NotFound');
    assert.equal(missing.resultDescription, 'SecretNotFound');

    // A role assignment names itself in the records of what it allowed.
    const reader = await h.createPrincipal('audit-assigned');
    const assignmentPath = `${vaultScope(vault)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`;
    const put = await h.requestJson('PUT', `${assignmentPath}?api-version=${AUTH_VERSION}`, {
      properties: {
        roleDefinitionId: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`,
        principalId: reader.objectId,
      },
    });
    assert.equal(put.status, 201, put.text);
    const readerClient = h.secretClient(h.vaultUrl(vault), { credential: reader.credential });
    for await (const s of readerClient.listPropertiesOfSecrets()) void s;
    const byRole = await recordOf((r) => r.identity.claim.appid === reader.clientId && r.operationName === 'SecretList', 'the allowed list');
    assert.equal(byRole.properties.isRbacAuthorized, true);
    assert.equal(byRole.properties.appliedAssignmentId, assignmentPath);
  });

  it('records 429s', { timeout: 60_000 }, async () => {
    const limited = await startServer({ name: 'audit-429', extraArgs: ['--vault-request-limit', '5'] });
    try {
      const { name } = await limited.createVaultWithClient('aut');
      const token = await limited.token();
      let throttled = 0;
      for (let i = 0; i < 10; i++) {
        const r = await rawRequest({
          url: `${limited.vaultUrl(name)}/secrets?api-version=${API_VERSION}`,
          headers: { authorization: `Bearer ${token}` },
        });
        if (r.status === 429) throttled++;
      }
      assert.ok(throttled > 0, 'the limit was reached');
      await eventually(() => {
        const r = auditEvents(path.join(limited.dataDir, 'audit')).filter((e) => e.properties.httpStatusCode === 429);
        assert.equal(r.length, throttled, 'one record per 429');
        assert.equal(r[0].resultSignature, 'TooManyRequests');
        assert.equal(r[0].operationName, 'SecretList');
      });
    } finally {
      await limited.dispose();
    }
  });

  it('no secret, token, key or blob planted in a request reaches the audit log', { timeout: 60_000 }, async () => {
    const canary = (what) => `CANARY${what}${crypto.randomBytes(12).toString('hex')}`;
    const planted = {};
    const plant = (what) => (planted[what] = canary(what));
    const base = h.vaultUrl(vault);
    const token = await h.token();
    const raw = (method, target, { body, headers = {} } = {}) =>
      rawRequest({
        method,
        url: `${base}${target}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body,
      });

    // Bodies: secret values, tags and content types, in good and bad requests.
    const name = secretName('canary');
    await client.setSecret(name, plant('value'), { contentType: plant('contenttype'), tags: { t: plant('tag') } });
    assert.equal(
      (await raw('PUT', `/secrets/${name}?api-version=${API_VERSION}`, { body: `{"value":"${plant('brokenjson')}"` })).status,
      400,
    );
    // Key material and plaintext.
    const keys = h.keyClient(base);
    const octBytes = crypto.randomBytes(32);
    planted.octkey = octBytes;
    const imported = await keys.importKey(secretName('canarykey'), { kty: 'oct', k: octBytes, keyOps: ['encrypt', 'decrypt'] });
    const plaintext = Buffer.from(plant('plaintext'));
    const enc = await raw('POST', `/keys/${imported.name}/${imported.properties.version}/encrypt?api-version=${API_VERSION}`, {
      body: JSON.stringify({ alg: 'A256GCM', value: plaintext.toString('base64url') }),
    });
    assert.equal(enc.status, 200, enc.text);
    // A backup blob.
    const blob = await client.backupSecret(name);
    planted.blob = blob.subarray(64, 128);
    // Query parameters and headers that are not part of the API, and the Authorization header.
    assert.equal((await raw('GET', `/secrets/${name}?api-version=${API_VERSION}&sig=${plant('query')}`)).status, 200);
    assert.equal((await raw('GET', `/secrets/${name}?api-version=${API_VERSION}&${plant('bare')}`)).status, 200);
    assert.equal(
      (await raw('GET', `/secrets/${name}?api-version=${API_VERSION}`, { headers: { 'x-custom': plant('header'), cookie: `c=${plant('cookie')}` } })).status,
      200,
    );
    planted.tokenSignature = token.split('.')[2];
    const forged = `${token.slice(0, -10)}${plant('tok').slice(0, 10)}`;
    assert.equal((await raw('GET', `/secrets?api-version=${API_VERSION}`, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
    // Token requests: a wrong client secret, a client assertion.
    for (const form of [
      { client_id: h.admin.clientId, client_secret: plant('clientsecret'), grant_type: 'client_credentials', scope: h.scope },
      {
        client_id: h.admin.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: plant('assertion'),
        grant_type: 'client_credentials',
        scope: h.scope,
      },
    ]) {
      const r = await rawRequest({
        method: 'POST',
        url: `${h.url}/${h.admin.tenantId}/oauth2/v2.0/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      assert.ok(r.status === 400 || r.status === 401, `${r.status} ${r.text}`);
    }
    planted.adminSecret = h.admin.clientSecret;
    // The control: what a request may show (its User-Agent) does reach the log, so the search works.
    const visible = canary('useragent');
    assert.equal((await raw('GET', `/secrets/${name}?api-version=${API_VERSION}`, { headers: { 'user-agent': visible } })).status, 200);
    await recordOf((r) => r.properties.clientInfo === visible, 'the control request');
    await recordOf((r) => r.properties.requestUri.endsWith(`/secrets/${name}?api-version=${API_VERSION}&REDACTED`), 'the redacted query');

    for (const file of auditFiles(auditDir)) {
      const content = fs.readFileSync(file);
      for (const [what, value] of Object.entries(planted)) {
        for (const [encoding, pattern] of encodingsOf(value)) {
          assert.ok(!content.includes(pattern), `${what} (${encoding}) in ${file}`);
        }
      }
    }
    const mode = fs.statSync(auditFiles(auditDir)[0]).mode & 0o777;
    assert.equal(mode & 0o077, 0, 'the audit files are private to the server user');
  });

  it('the log the server wrote verifies, across a restart', { timeout: 60_000 }, async () => {
    await h.restart();
    await client.getSecret(secretName('after-restart')).catch(() => {});
    await h.stop();
    const files = auditFiles(auditDir);
    assert.ok(files.length >= 2, 'a new file after the restart');
    const result = verifyAudit(files);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^OK: \d+ records in \d+ files, [1-9]\d* signed checkpoints verified/m);
  });
});
