// Azure RBAC with the real SDKs: a new service principal is denied everything by default; a
// Secrets User assignment at vault scope lets it read but not write; an object-scoped
// assignment opens one secret and no other; deleting the assignment closes access again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { startServer, secretName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';
const SECRETS_OFFICER = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7';
const AUTH_VERSION = '2022-04-01';

describe('role-based access (RBAC)', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'rbac' });
  });
  after(async () => {
    await h?.dispose();
  });

  const newPrincipal = (displayName) => h.createPrincipal(displayName);

  const vaultScope = (vault) =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}` +
    `/providers/Microsoft.KeyVault/vaults/${vault}`;

  async function assign(scope, roleGuid, principalId) {
    const id = crypto.randomUUID();
    const res = await h.requestJson(
      'PUT',
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${id}?api-version=${AUTH_VERSION}`,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
          principalId,
          principalType: 'ServicePrincipal',
        },
      },
    );
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.properties.principalId, principalId);
    return `${scope}/providers/Microsoft.Authorization/roleAssignments/${id}`;
  }

  it('denies by default, then a Secrets User can read but not write', { timeout: 60_000 }, async () => {
    const { name: vault, client: adminClient } = await h.createVaultWithClient('rbac');
    const name = secretName('shared');
    await adminClient.setSecret(name, 'shared-value');

    const app = await newPrincipal('reader-app');
    const appClient = h.secretClient(h.vaultUrl(vault), { credential: app.credential });
    await rejectsWith(() => appClient.getSecret(name), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });

    const assignment = await assign(vaultScope(vault), SECRETS_USER, app.objectId);
    assert.equal((await appClient.getSecret(name)).value, 'shared-value');
    const names = [];
    for await (const p of appClient.listPropertiesOfSecrets()) names.push(p.name);
    assert.ok(names.includes(name));
    await rejectsWith(() => appClient.setSecret(name, 'overwrite'), { status: 403, inner: 'ForbiddenByRbac' });
    await rejectsWith(() => appClient.beginDeleteSecret(name), { status: 403 });

    // The assignment is listed for the principal and can be read back.
    const list = await h.request({
      token: true,
      method: 'GET',
      url: `${vaultScope(vault)}/providers/Microsoft.Authorization/roleAssignments?api-version=${AUTH_VERSION}&$filter=${encodeURIComponent(`principalId eq '${app.objectId}'`)}`,
    });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.value.length, 1);

    // Removing the assignment removes the access at once.
    const del = await h.request({ token: true, method: 'DELETE', url: `${assignment}?api-version=${AUTH_VERSION}` });
    assert.equal(del.status, 200, del.text);
    await rejectsWith(() => appClient.getSecret(name), { status: 403 });
  });

  it('an object-scoped assignment opens one secret and no other', { timeout: 60_000 }, async () => {
    const { name: vault, client: adminClient } = await h.createVaultWithClient('rbacobj');
    const one = secretName('one');
    const other = secretName('other');
    await adminClient.setSecret(one, 'v1');
    await adminClient.setSecret(other, 'v2');
    const app = await newPrincipal('one-secret-app');
    await assign(`${vaultScope(vault)}/secrets/${one}`, SECRETS_OFFICER, app.objectId);
    const appClient = h.secretClient(h.vaultUrl(vault), { credential: app.credential });
    assert.equal((await appClient.getSecret(one)).value, 'v1');
    await appClient.setSecret(one, 'v1b');
    await rejectsWith(() => appClient.getSecret(other), { status: 403, inner: 'ForbiddenByRbac' });
    await rejectsWith(() => appClient.setSecret(other, 'x'), { status: 403 });
  });

  it('Data Access Administrator assigns only the Key Vault roles Azure allows it', { timeout: 60_000 }, async () => {
    const { name: vault } = await h.createVaultWithClient('rbacdaa');
    const daa = await newPrincipal('access-admin');
    const target = await newPrincipal('target-app');
    await assign(vaultScope(vault), '8b54135c-b56d-4d72-a534-26097cfdc8d8', daa.objectId);
    const token = (await daa.credential.getToken(h.scope)).token;
    const put = (role) =>
      h.request({
        token,
        method: 'PUT',
        url: `${vaultScope(vault)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=${AUTH_VERSION}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { roleDefinitionId: role, principalId: target.objectId } }),
      });
    assert.equal((await put(SECRETS_USER)).status, 201, 'Secrets User is in the allowed list');
    const refused = await put('db79e9a7-68ee-4b58-9aeb-b90e7c24fcba');  // Certificate User
    assert.equal(refused.status, 403, refused.text);
    // Not above its own scope: another vault is out of reach.
    const { name: other } = await h.createVaultWithClient('rbacdaa2');
    const elsewhere = await h.request({
      token,
      method: 'PUT',
      url: `${vaultScope(other)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=${AUTH_VERSION}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { roleDefinitionId: SECRETS_USER, principalId: target.objectId } }),
    });
    assert.equal(elsewhere.status, 403);
  });

  it('@azure/arm-authorization creates, reads and deletes an assignment', { timeout: 60_000 }, async () => {
    const { name: vault, client: adminClient } = await h.createVaultWithClient('rbacsdk');
    const name = secretName('sdk');
    await adminClient.setSecret(name, 'granted-by-sdk');
    const app = await newPrincipal('sdk-granted-app');
    const authz = new AuthorizationManagementClient(h.credential, h.admin.subscriptionId, {
      endpoint: h.url,
      agent: h.agent,
    });
    const id = crypto.randomUUID();
    const created = await authz.roleAssignments.create(vaultScope(vault), id, {
      roleDefinitionId: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`,
      principalId: app.objectId,
      principalType: 'ServicePrincipal',
    });
    assert.equal(created.name, id);
    assert.equal(created.principalId, app.objectId);
    const fetched = await authz.roleAssignments.get(vaultScope(vault), id);
    assert.equal(fetched.roleDefinitionId.endsWith(SECRETS_USER), true);
    const appClient = h.secretClient(h.vaultUrl(vault), { credential: app.credential });
    assert.equal((await appClient.getSecret(name)).value, 'granted-by-sdk');
    await authz.roleAssignments.delete(vaultScope(vault), id);
    await rejectsWith(() => appClient.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });
  });

  it('management actions are authorized too, and role definitions are listed', { timeout: 30_000 }, async () => {
    const app = await newPrincipal('no-mgmt');
    const token = (await app.credential.getToken(h.scope)).token;
    const put = await h.request({
      token,
      method: 'PUT',
      url: `${vaultScope('rbacdenied')}?api-version=2026-02-01`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ location: 'local', properties: { tenantId: h.admin.tenantId, sku: { family: 'A', name: 'standard' } } }),
    });
    assert.equal(put.status, 403, put.text);
    assert.equal(put.json.error.innererror.code, 'ForbiddenByRbac');
    const assign403 = await h.request({
      token,
      method: 'PUT',
      url: `${vaultScope('rbacdenied')}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=${AUTH_VERSION}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { roleDefinitionId: SECRETS_OFFICER, principalId: app.objectId } }),
    });
    assert.equal(assign403.status, 403, 'a principal cannot grant itself a role');

    const defs = await h.request({
      token: true,
      method: 'GET',
      url: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions?api-version=${AUTH_VERSION}`,
    });
    assert.equal(defs.status, 200);
    const names = defs.json.value.map((d) => d.properties.roleName);
    for (const expected of ['Key Vault Administrator', 'Key Vault Secrets User', 'Key Vault Data Access Administrator']) {
      assert.ok(names.includes(expected), expected);
    }
  });
});
