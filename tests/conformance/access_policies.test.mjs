// Access policies (enableRbacAuthorization: false), managed with the real @azure/arm-keyvault:
// a principal with no policy is refused with ForbiddenByPolicy; adding "get, list" lets it read
// but not write; removing the policy closes access again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, vaultName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

describe('access policies', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'policies' });
  });
  after(async () => {
    await h?.dispose();
  });

  it('arm-keyvault adds and removes a policy; the data plane follows it', { timeout: 60_000 }, async () => {
    const arm = h.arm();
    const name = vaultName('pol');
    const vault = await arm.vaults.createOrUpdate(
      RESOURCE_GROUP,
      name,
      {
        location: 'local',
        properties: {
          tenantId: h.admin.tenantId,
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: false,
          accessPolicies: [],
        },
      },
      { updateIntervalInMs: 20 },
    );
    assert.equal(vault.properties.enableRbacAuthorization, false);
    const adminClient = h.secretClient(vault.properties.vaultUri);
    const secret = secretName('pol');
    await adminClient.setSecret(secret, 'policy-protected');

    const app = await h.createPrincipal('policy-app');
    const { credential } = app;
    const client = h.secretClient(vault.properties.vaultUri, { credential });
    await rejectsWith(() => client.getSecret(secret), { status: 403, code: 'Forbidden', inner: 'ForbiddenByPolicy' });

    const policy = {
      tenantId: app.tenantId,
      objectId: app.objectId,
      permissions: { secrets: ['get', 'list'], keys: [], certificates: [] },
    };
    const added = await arm.vaults.updateAccessPolicy(RESOURCE_GROUP, name, 'add', {
      properties: { accessPolicies: [policy] },
    });
    assert.equal(added.properties.accessPolicies.length, 1);
    const fetched = await arm.vaults.get(RESOURCE_GROUP, name);
    assert.deepEqual(fetched.properties.accessPolicies[0].permissions.secrets, ['get', 'list']);

    assert.equal((await client.getSecret(secret)).value, 'policy-protected');
    const err = await rejectsWith(() => client.setSecret(secret, 'nope'), { status: 403, inner: 'ForbiddenByPolicy' });
    assert.match(err.message, /does not have secrets set permission/);

    await arm.vaults.updateAccessPolicy(RESOURCE_GROUP, name, 'remove', {
      properties: { accessPolicies: [{ tenantId: app.tenantId, objectId: app.objectId, permissions: {} }] },
    });
    await rejectsWith(() => client.getSecret(secret), { status: 403, inner: 'ForbiddenByPolicy' });
  });
});
