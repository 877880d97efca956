// Managed identity, App Service style: an app configured only by IDENTITY_ENDPOINT and
// IDENTITY_HEADER uses the real ManagedIdentityCredential and DefaultAzureCredential to read a
// secret it was granted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { startServer, secretName, rejectsWith, RESOURCE_GROUP } from './harness.mjs';

const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

// The credentials read the environment lazily (at their first getToken), so it is set for the
// whole block and restored afterwards.
async function withEnv(vars, body) {
  const saved = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('managed identity (App Service style)', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'msi' });
  });
  after(async () => {
    await h?.dispose();
  });

  it('ManagedIdentityCredential and DefaultAzureCredential get tokens from IDENTITY_ENDPOINT', { timeout: 60_000 }, async () => {
    const { name: vault, client: adminClient } = await h.createVaultWithClient('msi');
    const name = secretName('msi');
    await adminClient.setSecret(name, 'from-managed-identity');

    const { identityEndpoint, identityHeader, objectId } = await h.createPrincipal('web-app', {
      managedIdentity: true,
    });
    assert.equal(identityEndpoint, `${h.url}/msi/token`);

    const env = { IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: identityHeader };
    await withEnv({ ...env, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' }, async () => {
      const mi = new ManagedIdentityCredential();
      const client = h.secretClient(h.vaultUrl(vault), { credential: mi });
      await rejectsWith(() => client.getSecret(name), { status: 403, inner: 'ForbiddenByRbac' });

      const scope = `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`;
      const put = await h.requestJson(
        'PUT',
        `${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
        { properties: { roleDefinitionId: SECRETS_USER, principalId: objectId } },
      );
      assert.equal(put.status, 201, put.text);
      assert.equal((await client.getSecret(name)).value, 'from-managed-identity');

      const viaDefault = h.secretClient(h.vaultUrl(vault), { credential: new DefaultAzureCredential() });
      assert.equal((await viaDefault.getSecret(name)).value, 'from-managed-identity');
    });

    // A wrong identity header gets no token.
    const bad = await h.request({
      method: 'GET',
      url: `/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(h.url)}`,
      headers: { 'x-identity-header': 'not-a-real-secret' },
    });
    assert.equal(bad.status, 401);
    const wrongResource = await h.request({
      method: 'GET',
      url: `/msi/token?api-version=2019-08-01&resource=${encodeURIComponent('https://vault.azure.net')}`,
      headers: { 'x-identity-header': identityHeader },
    });
    assert.equal(wrongResource.status, 400);
  });
});
