// Custom role definitions with the real @azure/arm-authorization: create, read, list with
// $filter, update and delete a custom role; a role that grants only getSecret lets its holder
// read a secret but neither write nor list; updates apply at once; a role cannot be deleted while
// assignments use it; Azure's validation rules and who may write roles.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ClientSecretCredential } from '@azure/identity';
import { startServer, secretName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

const AUTH_VERSION = '2022-04-01';
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';
const DATA_ACCESS_ADMIN = '8b54135c-b56d-4d72-a534-26097cfdc8d8';
const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
const READ_METADATA = 'Microsoft.KeyVault/vaults/secrets/readMetadata/action';

describe('custom role definitions', () => {
  let h;
  let authz;
  let sub;
  before(async () => {
    h = await startServer({ name: 'customroles' });
    sub = `/subscriptions/${h.admin.subscriptionId}`;
    authz = client(h.credential);
  });
  after(async () => {
    await h?.dispose();
  });

  function client(credential) {
    return new AuthorizationManagementClient(credential, h.admin.subscriptionId, {
      endpoint: h.url,
      agent: h.agent,
    });
  }
  const vaultScope = (vault) => `${sub}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`;
  const roleId = (guid) => `${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const uniqueName = (prefix) => `${prefix} ${crypto.randomBytes(3).toString('hex')}`;

  function definition(roleName, dataActions, { scopes = [sub], actions = [], notDataActions = [] } = {}) {
    return {
      roleName,
      description: `test role ${roleName}`,
      roleType: 'CustomRole',
      permissions: [{ actions, notActions: [], dataActions, notDataActions }],
      assignableScopes: scopes,
    };
  }

  async function assign(scope, roleGuid, principalId, sdk = authz) {
    const id = crypto.randomUUID();
    await sdk.roleAssignments.create(scope, id, {
      roleDefinitionId: roleId(roleGuid),
      principalId,
      principalType: 'ServicePrincipal',
    });
    return id;
  }

  const rawPut = (scope, guid, properties, token = true) =>
    h.request({
      token,
      method: 'PUT',
      url: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}?api-version=${AUTH_VERSION}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties }),
    });

  it('creates, reads, lists, updates and deletes a custom role', { timeout: 60_000 }, async () => {
    const guid = crypto.randomUUID();
    const roleName = uniqueName('Secret Reader');
    const created = await authz.roleDefinitions.createOrUpdate(sub, guid, definition(roleName, [GET_SECRET]));
    assert.equal(created.id, roleId(guid));
    assert.equal(created.name, guid);
    assert.equal(created.type, 'Microsoft.Authorization/roleDefinitions');
    assert.equal(created.roleName, roleName);
    assert.equal(created.roleType, 'CustomRole');
    assert.deepEqual(created.assignableScopes, [sub]);
    assert.deepEqual(created.permissions, [{ actions: [], notActions: [], dataActions: [GET_SECRET], notDataActions: [] }]);
    assert.ok(created.createdOn instanceof Date && !Number.isNaN(created.createdOn.getTime()));
    assert.ok(created.updatedOn instanceof Date);

    const fetched = await authz.roleDefinitions.get(sub, guid);
    assert.equal(fetched.roleName, roleName);
    assert.equal((await authz.roleDefinitions.getById(roleId(guid))).name, guid);

    // $filter works for custom and built-in roles alike; a custom role is listed below its scope.
    const list = async (scope, filter) => {
      const out = [];
      for await (const d of authz.roleDefinitions.list(scope, filter ? { filter } : {})) out.push(d);
      return out;
    };
    const byName = await list(sub, `roleName eq '${roleName}'`);
    assert.deepEqual(byName.map((d) => d.name), [guid]);
    const builtInByName = await list(sub, "roleName eq 'Key Vault Secrets User'");
    assert.deepEqual(builtInByName.map((d) => [d.name, d.roleType]), [[SECRETS_USER, 'BuiltInRole']]);
    const custom = await list(sub, "type eq 'CustomRole'");
    assert.ok(custom.some((d) => d.name === guid));
    assert.ok(custom.every((d) => d.roleType === 'CustomRole'));
    const builtIn = await list(sub, "type eq 'BuiltInRole'");
    assert.equal(builtIn.length, 12);
    assert.ok(builtIn.every((d) => d.roleType === 'BuiltInRole'));
    const { name: vault } = await h.createVaultWithClient('crlist');
    assert.ok((await list(vaultScope(vault))).some((d) => d.name === guid), 'visible below its assignable scope');

    // An update answers 201 as Azure does, keeps createdOn, and may rename.
    const renamed = uniqueName('Secret Reader v2');
    const updated = await authz.roleDefinitions.createOrUpdate(sub, guid, definition(renamed, [GET_SECRET, READ_METADATA]));
    assert.equal(updated.roleName, renamed);
    assert.deepEqual(updated.permissions[0].dataActions, [GET_SECRET, READ_METADATA]);
    assert.equal(updated.createdOn.getTime(), created.createdOn.getTime());
    assert.ok(updated.updatedOn.getTime() >= created.updatedOn.getTime());
    assert.equal((await list(sub, `roleName eq '${roleName}'`)).length, 0);

    const deleted = await authz.roleDefinitions.delete(sub, guid);
    assert.equal(deleted.roleName, renamed);
    await rejectsWith(() => authz.roleDefinitions.get(sub, guid), { status: 404, code: 'RoleDefinitionDoesNotExist' });
    const again = await h.request({
      token: true,
      method: 'DELETE',
      url: `${roleId(guid)}?api-version=${AUTH_VERSION}`,
    });
    assert.equal(again.status, 204, 'deleting what is absent');
  });

  it('a role granting only getSecret reads secrets but cannot write or list them', { timeout: 90_000 }, async () => {
    const { name: vault, client: adminClient } = await h.createVaultWithClient('crget');
    const name = secretName('db');
    await adminClient.setSecret(name, 'only-get');
    const guid = crypto.randomUUID();
    const roleName = uniqueName('Secret Getter');
    await authz.roleDefinitions.createOrUpdate(sub, guid, definition(roleName, [GET_SECRET]));

    const app = await h.createPrincipal('custom-role-app');
    const appClient = h.secretClient(h.vaultUrl(vault), { credential: app.credential });
    await rejectsWith(() => appClient.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });
    const assignment = await assign(vaultScope(vault), guid, app.objectId);
    const fetched = await authz.roleAssignments.get(vaultScope(vault), assignment);
    assert.equal(fetched.roleDefinitionId, roleId(guid));

    assert.equal((await appClient.getSecret(name)).value, 'only-get');
    await rejectsWith(() => appClient.setSecret(name, 'overwrite'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
    const listAll = async () => {
      const names = [];
      for await (const p of appClient.listPropertiesOfSecrets()) names.push(p.name);
      return names;
    };
    // (The SDK's pager drops the error body; the raw request shows it.)
    await rejectsWith(listAll, { status: 403 });
    const appToken = (await app.credential.getToken(h.scope)).token;
    const rawList = await h.request({ token: appToken, url: `${h.vaultUrl(vault)}/secrets?api-version=2025-07-01` });
    assert.equal(rawList.status, 403, rawList.text);
    assert.equal(rawList.json.error.innererror.code, 'ForbiddenByRbac');

    // A change to the role applies at once: readMetadata opens listing, nothing opens writes.
    await authz.roleDefinitions.createOrUpdate(sub, guid, definition(roleName, [GET_SECRET, READ_METADATA]));
    assert.ok((await listAll()).includes(name));
    await rejectsWith(() => appClient.setSecret(name, 'overwrite'), { status: 403, inner: 'ForbiddenByRbac' });
    // notDataActions subtract from a wildcard.
    await authz.roleDefinitions.createOrUpdate(
      sub,
      guid,
      definition(roleName, ['Microsoft.KeyVault/vaults/secrets/*'], { notDataActions: [GET_SECRET] }),
    );
    await rejectsWith(() => appClient.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });
    assert.ok((await listAll()).includes(name));
    await authz.roleDefinitions.createOrUpdate(sub, guid, definition(roleName, [GET_SECRET]));

    // Not deletable while assigned; deletable once the assignment is gone.
    await rejectsWith(() => authz.roleDefinitions.delete(sub, guid), { status: 409, code: 'RoleDefinitionHasAssignments' });
    assert.equal((await appClient.getSecret(name)).value, 'only-get', 'the refused delete changed nothing');
    await authz.roleAssignments.delete(vaultScope(vault), assignment);
    await rejectsWith(() => appClient.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });
    const deleted = await authz.roleDefinitions.delete(sub, guid);
    assert.equal(deleted.name, guid);
    await rejectsWith(() => assign(vaultScope(vault), guid, app.objectId), { status: 404, code: 'RoleDefinitionDoesNotExist' });
  });

  it('refuses what Azure refuses', { timeout: 60_000 }, async () => {
    const { name: vault } = await h.createVaultWithClient('crbad');
    const ok = definition(uniqueName('Valid'), [GET_SECRET]);
    const expect = async (res, status, code) => {
      assert.equal(res.status, status, res.text);
      assert.equal(res.json?.error?.code, code, res.text);
    };
    const put = (props, { scope = sub, guid = crypto.randomUUID() } = {}) =>
      rawPut(scope, guid, { type: 'CustomRole', ...props });
    const perms = [{ dataActions: [GET_SECRET] }];
    await expect(await put({ permissions: perms, assignableScopes: [sub] }), 400, 'InvalidRoleDefinition');
    await expect(await put({ roleName: uniqueName('x'), permissions: perms }), 400, 'InvalidAssignableScope');
    await expect(await put({ roleName: uniqueName('x'), permissions: perms, assignableScopes: ['/'] }), 400, 'InvalidAssignableScope');
    await expect(
      await put({ roleName: uniqueName('x'), permissions: perms, assignableScopes: [`${sub}/*`] }),
      400,
      'InvalidAssignableScope',
    );
    await expect(
      await put({ roleName: uniqueName('x'), permissions: perms, assignableScopes: [`/subscriptions/${crypto.randomUUID()}`] }),
      400,
      'InvalidAssignableScope',
    );
    await expect(
      await put({ roleName: uniqueName('x'), permissions: perms, assignableScopes: [vaultScope(vault)] }),
      400,
      'InvalidRoleDefinitionScope',
    );
    await expect(
      await put({ roleName: uniqueName('x'), permissions: [{ actions: ['Microsoft.KeyVault/*/vaults/*'] }], assignableScopes: [sub] }),
      400,
      'InvalidActionOrNotAction',
    );
    await expect(await put({ ...ok, roleType: undefined, type: 'BuiltInRole' }), 400, 'InvalidRoleDefinition');
    await expect(await put({ ...ok, roleName: 'x'.repeat(513) }), 400, 'InvalidRoleDefinition');
    await expect(await put(ok, { guid: 'not-a-guid' }), 400, 'InvalidRoleDefinitionId');

    // Names are unique in the tenant, built-in names included, case-insensitively.
    const first = crypto.randomUUID();
    await authz.roleDefinitions.createOrUpdate(sub, first, ok);
    await expect(await put({ ...ok, roleName: ok.roleName.toUpperCase() }), 409, 'RoleDefinitionWithSameNameExists');
    await expect(await put({ ...ok, roleName: 'key vault secrets user' }), 409, 'RoleDefinitionWithSameNameExists');

    // Built-in roles cannot be overwritten or deleted.
    await expect(await put(ok, { guid: SECRETS_USER }), 403, 'BuiltInRoleDefinitionReadOnly');
    const delBuiltIn = await h.request({ token: true, method: 'DELETE', url: `${roleId(SECRETS_USER)}?api-version=${AUTH_VERSION}` });
    await expect(delBuiltIn, 403, 'BuiltInRoleDefinitionReadOnly');
    assert.equal((await authz.roleDefinitions.get(sub, SECRETS_USER)).roleName, 'Key Vault Secrets User');
    await authz.roleDefinitions.delete(sub, first);
  });

  it('is assignable only within its assignable scopes, and narrowing keeps assignments valid', { timeout: 90_000 }, async () => {
    const { name: vaultA, client: clientA } = await h.createVaultWithClient('crscopea');
    const { name: vaultB } = await h.createVaultWithClient('crscopeb');
    const guid = crypto.randomUUID();
    const roleName = uniqueName('Vault A Getter');
    // Defined at vault A: assignable there and below, nowhere else.
    await authz.roleDefinitions.createOrUpdate(vaultScope(vaultA), guid, definition(roleName, [GET_SECRET], { scopes: [vaultScope(vaultA)] }));
    assert.equal((await authz.roleDefinitions.get(vaultScope(vaultA), guid)).roleName, roleName);
    assert.equal((await authz.roleDefinitions.get(sub, guid)).roleName, roleName, 'visible from above');
    await rejectsWith(() => authz.roleDefinitions.get(vaultScope(vaultB), guid), { status: 404 });
    const listedAtB = [];
    for await (const d of authz.roleDefinitions.list(vaultScope(vaultB))) listedAtB.push(d.name);
    assert.ok(!listedAtB.includes(guid));

    const app = await h.createPrincipal('scoped-custom-app');
    await rejectsWith(() => assign(vaultScope(vaultB), guid, app.objectId), { status: 404, code: 'RoleDefinitionDoesNotExist' });
    await rejectsWith(() => assign(sub, guid, app.objectId), { status: 404, code: 'RoleDefinitionDoesNotExist' });
    const name = secretName('a');
    await clientA.setSecret(name, 'in-a');
    const assignment = await assign(`${vaultScope(vaultA)}/secrets/${name}`, guid, app.objectId);
    const appClient = h.secretClient(h.vaultUrl(vaultA), { credential: app.credential });
    assert.equal((await appClient.getSecret(name)).value, 'in-a');

    // Moving the role away from where it is assigned is refused; widening is fine.
    const other = vaultScope(vaultB);
    const narrowed = await rawPut(other, guid, { ...definition(roleName, [GET_SECRET], { scopes: [other] }), type: 'CustomRole' });
    assert.equal(narrowed.status, 409, narrowed.text);
    assert.equal(narrowed.json.error.code, 'RoleDefinitionHasAssignments');
    await authz.roleDefinitions.createOrUpdate(sub, guid, definition(roleName, [GET_SECRET], { scopes: [sub, vaultScope(vaultA)] }));
    await assign(vaultScope(vaultB), guid, app.objectId);

    // Survives a restart (the port changes: new clients and credentials).
    await h.restart();
    authz = client(h.credential);
    const afterRestart = await authz.roleDefinitions.get(sub, guid);
    assert.deepEqual(afterRestart.assignableScopes, [sub, vaultScope(vaultA)]);
    const credential = new ClientSecretCredential(app.tenantId, app.clientId, app.clientSecret, {
      authorityHost: h.url,
      disableInstanceDiscovery: true,
      agent: h.agent,
    });
    const restarted = h.secretClient(h.vaultUrl(vaultA), { credential });
    assert.equal((await restarted.getSecret(name)).value, 'in-a');
    await authz.roleAssignments.delete(`${vaultScope(vaultA)}/secrets/${name}`, assignment);
  });

  it('only holders of roleDefinitions/write change roles; Data Access Administrator cannot assign them', { timeout: 90_000 }, async () => {
    const { name: vault } = await h.createVaultWithClient('crwho');
    const guid = crypto.randomUUID();
    await authz.roleDefinitions.createOrUpdate(sub, guid, definition(uniqueName('Getter'), [GET_SECRET]));

    // No role: cannot write roles.
    const nobody = await h.createPrincipal('no-roles');
    const nobodyToken = (await nobody.credential.getToken(h.scope)).token;
    const denied = await rawPut(sub, crypto.randomUUID(), { ...definition(uniqueName('Mine'), [GET_SECRET]), type: 'CustomRole' }, nobodyToken);
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.json.error.innererror.code, 'ForbiddenByRbac');

    // Key Vault Data Access Administrator reads roles but cannot write them, and may assign the
    // built-in roles Azure lists but no custom role.
    const daa = await h.createPrincipal('access-admin');
    await assign(vaultScope(vault), DATA_ACCESS_ADMIN, daa.objectId);
    const daaSdk = client(daa.credential);
    assert.equal((await daaSdk.roleDefinitions.get(vaultScope(vault), guid)).name, guid);
    await rejectsWith(
      () => daaSdk.roleDefinitions.createOrUpdate(vaultScope(vault), crypto.randomUUID(), definition(uniqueName('x'), [GET_SECRET], { scopes: [vaultScope(vault)] })),
      { status: 403 },
    );
    await rejectsWith(() => daaSdk.roleDefinitions.delete(sub, guid), { status: 403 });
    const target = await h.createPrincipal('target');
    await assign(vaultScope(vault), SECRETS_USER, target.objectId, daaSdk);
    await rejectsWith(() => assign(vaultScope(vault), guid, target.objectId, daaSdk), { status: 403 });

    // A custom role that grants the Authorization write actions makes an owner: it defines a
    // role and assigns it, custom roles included.
    const ownerRole = crypto.randomUUID();
    await authz.roleDefinitions.createOrUpdate(
      sub,
      ownerRole,
      definition(uniqueName('Role Manager'), [], {
        actions: ['Microsoft.Authorization/*'],
      }),
    );
    const manager = await h.createPrincipal('role-manager');
    await assign(sub, ownerRole, manager.objectId);
    const managerSdk = client(manager.credential);
    const managed = crypto.randomUUID();
    await managerSdk.roleDefinitions.createOrUpdate(sub, managed, definition(uniqueName('Managed'), [GET_SECRET]));
    const grant = await assign(vaultScope(vault), managed, target.objectId, managerSdk);
    await managerSdk.roleAssignments.delete(vaultScope(vault), grant);
    await managerSdk.roleDefinitions.delete(sub, managed);
  });
});
