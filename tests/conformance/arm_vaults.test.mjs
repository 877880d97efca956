// Vault management through the real @azure/arm-keyvault 5.0.0 client.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  startServer,
  vaultName,
  rejectsWith,
  assertAzureError,
  RESOURCE_GROUP,
  API_VERSION,
  collect,
} from './harness.mjs';


describe('ARM vaults (@azure/arm-keyvault)', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'arm' });
  });
  after(async () => {
    await h?.dispose();
  });

  const params = (extra = {}) => ({
    location: 'local',
    properties: {
      tenantId: h.admin.tenantId,
      sku: { family: 'A', name: 'standard' },
      softDeleteRetentionInDays: 7,
      ...extra,
    },
  });

  it('creates a vault with a host-based vaultUri, then gets it', async () => {
    const name = vaultName('arm');
    const created = await h.arm().vaults.createOrUpdate(RESOURCE_GROUP, name, params(), { updateIntervalInMs: 20 });
    assert.equal(created.name, name);
    assert.equal(created.properties.vaultUri, `https://${name}.localhost:${h.port}/`);
    assert.equal(created.properties.tenantId, h.admin.tenantId);
    assert.deepEqual(created.properties.sku, { family: 'A', name: 'standard' });
    assert.equal(created.properties.softDeleteRetentionInDays, 7);
    assert.equal(created.location, 'local');
    assert.equal(created.type, 'Microsoft.KeyVault/vaults');
    const expectedId = `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${name}`;
    assert.equal(created.id.toLowerCase(), expectedId.toLowerCase());
    if (created.properties.provisioningState !== undefined) {
      assert.equal(created.properties.provisioningState, 'Succeeded');
    }

    const got = await h.arm().vaults.get(RESOURCE_GROUP, name);
    assert.equal(got.name, name);
    assert.equal(got.properties.vaultUri, created.properties.vaultUri);
    assert.equal(got.id, created.id);
  });

  it('the deprecated beginCreateOrUpdateAndWait works, and a second PUT updates in place', async () => {
    const name = vaultName('legacy');
    const v1 = await h.arm().vaults.beginCreateOrUpdateAndWait(RESOURCE_GROUP, name, params(), { updateIntervalInMs: 20 });
    assert.equal(v1.properties.vaultUri, `https://${name}.localhost:${h.port}/`);
    const v2 = await h
      .arm()
      .vaults.createOrUpdate(RESOURCE_GROUP, name, { ...params(), tags: { round: '2' } }, { updateIntervalInMs: 20 });
    assert.equal(v2.id, v1.id);
    assert.equal(v2.properties.vaultUri, v1.properties.vaultUri);
    assert.deepEqual(v2.tags, { round: '2' });
  });

  it('a freshly created vault is usable by SecretClient through its vaultUri', async () => {
    const { client } = await h.createVaultWithClient('use');
    const set = await client.setSecret('hello', 'world');
    assert.equal(set.value, 'world');
    assert.equal((await client.getSecret('hello')).value, 'world');
  });

  it('lists vaults by resource group and by subscription', async () => {
    const rgA = `rg-a-${vaultName('x')}`;
    const rgB = `rg-b-${vaultName('x')}`;
    const a1 = vaultName('la');
    const a2 = vaultName('la');
    const b1 = vaultName('lb');
    await h.createVault(a1, { resourceGroup: rgA });
    await h.createVault(a2, { resourceGroup: rgA });
    await h.createVault(b1, { resourceGroup: rgB });

    const inA = (await collect(h.arm().vaults.listByResourceGroup(rgA))).map((v) => v.name).sort();
    assert.deepEqual(inA, [a1, a2].sort());
    const inB = (await collect(h.arm().vaults.listByResourceGroup(rgB))).map((v) => v.name);
    assert.deepEqual(inB, [b1]);

    const all = await collect(h.arm().vaults.listBySubscription());
    const names = all.map((v) => v.name);
    for (const n of [a1, a2, b1]) assert.ok(names.includes(n), `${n} missing from listBySubscription`);
    assert.equal(new Set(names).size, names.length, 'no duplicates in listBySubscription');
    for (const v of all) assert.equal(v.properties.vaultUri, `https://${v.name}.localhost:${h.port}/`);
  });

  it('vault names are unique per server: same name in another resource group is a 409', async () => {
    const name = vaultName('dup');
    await h.createVault(name, { resourceGroup: 'rg-dup-1' });
    await rejectsWith(h.createVault(name, { resourceGroup: 'rg-dup-2' }), { status: 409 });
  });

  it('updates a vault with PATCH (tags, enablePurgeProtection)', async () => {
    const name = vaultName('upd');
    await h.createVault(name);
    const updated = await h.arm().vaults.update(RESOURCE_GROUP, name, {
      tags: { env: 'test' },
      properties: { enablePurgeProtection: true },
    });
    assert.deepEqual(updated.tags, { env: 'test' });
    assert.equal(updated.properties.enablePurgeProtection, true);
    assert.equal(updated.properties.softDeleteRetentionInDays, 7, 'unrelated properties are kept');
    const got = await h.arm().vaults.get(RESOURCE_GROUP, name);
    assert.equal(got.properties.enablePurgeProtection, true);
    assert.deepEqual(got.tags, { env: 'test' });
  });

  it('enablePurgeProtection cannot be turned off once on (PATCH and PUT give 400)', async () => {
    const name = vaultName('pp');
    const v = await h.createVault(name, { purgeProtection: true });
    assert.equal(v.properties.enablePurgeProtection, true);
    await rejectsWith(
      h.arm().vaults.update(RESOURCE_GROUP, name, { properties: { enablePurgeProtection: false } }),
      { status: 400 },
    );
    await rejectsWith(
      h.arm().vaults.createOrUpdate(RESOURCE_GROUP, name, params({ enablePurgeProtection: false }), {
        updateIntervalInMs: 20,
      }),
      { status: 400 },
    );
    const got = await h.arm().vaults.get(RESOURCE_GROUP, name);
    assert.equal(got.properties.enablePurgeProtection, true, 'still on after the rejected requests');
  });

  it('rejects invalid vault names with 400', async () => {
    const bad = [
      'ab', // too short
      'a'.repeat(25), // too long
      '1vault', // must start with a letter
      '-vault',
      'my--vault', // no consecutive hyphens
      'myvault-', // must not end with a hyphen
      'my_vault',
      'my.vault',
    ];
    for (const name of bad) {
      await rejectsWith(h.arm().vaults.createOrUpdate(RESOURCE_GROUP, name, params(), { updateIntervalInMs: 20 }), {
        status: 400,
      }).catch((e) => {
        throw new Error(`vault name ${JSON.stringify(name)}: ${e.message}`);
      });
    }
    // Boundary cases that are valid: 3 and 24 characters, inner single hyphens.
    for (const name of ['abc', `z${'9'.repeat(22)}z`, 'a-b-c']) {
      const v = await h.arm().vaults.createOrUpdate(RESOURCE_GROUP, name, params(), { updateIntervalInMs: 20 });
      assert.equal(v.properties.vaultUri, `https://${name}.localhost:${h.port}/`);
    }
  });

  it('rejects softDeleteRetentionInDays outside 7..90 with 400', async () => {
    for (const days of [0, 6, 91, 365]) {
      await rejectsWith(
        h.arm().vaults.createOrUpdate(RESOURCE_GROUP, vaultName('ret'), params({ softDeleteRetentionInDays: days }), {
          updateIntervalInMs: 20,
        }),
        { status: 400 },
      ).catch((e) => {
        throw new Error(`softDeleteRetentionInDays=${days}: ${e.message}`);
      });
    }
    const v90 = await h.createVault(vaultName('ret'), { retentionDays: 90 });
    assert.equal(v90.properties.softDeleteRetentionInDays, 90);
  });

  it('deletes a vault: get and its data plane answer 404 afterwards', async () => {
    const { name, client } = await h.createVaultWithClient('del');
    await client.setSecret('before-delete', 'x');
    await h.arm().vaults.delete(RESOURCE_GROUP, name);
    await rejectsWith(h.arm().vaults.get(RESOURCE_GROUP, name), { status: 404 });
    const listed = (await collect(h.arm().vaults.listByResourceGroup(RESOURCE_GROUP))).map((v) => v.name);
    assert.ok(!listed.includes(name), 'deleted vault is not listed');
    await rejectsWith(h.secretClient(h.vaultUrl(name)).getSecret('before-delete'), { status: 404 });
  });

  it('get of a vault that never existed is a 404', async () => {
    await rejectsWith(h.arm().vaults.get(RESOURCE_GROUP, vaultName('none')), { status: 404 });
  });

  it('requests to an unknown vault host get a 404 Azure-style error', async () => {
    const unknown = h.vaultUrl(vaultName('nosuch'));
    // Raw, with a valid token: the JSON error shape itself.
    const res = await h.request({ url: `${unknown}/secrets?api-version=${API_VERSION}`, token: true });
    assertAzureError(res, 404);
    // And what an SDK user sees.
    await rejectsWith(h.secretClient(unknown).getSecret('anything'), { status: 404 });
  });
});
