// Vault-level soft delete through the real @azure/arm-keyvault client: deleted vaults are listed
// and read, their names stay reserved (VaultAlreadyExists, checkNameAvailability), recover
// (createMode: recover) brings a vault back with its objects, purge removes it for good unless
// purge protection forbids it, and the scheduled purge happens once retention ends (test clock).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, vaultName, rejectsWith, eventually, RESOURCE_GROUP, collect } from './harness.mjs';

const DAY = 24 * 3600;
const POLL = { updateIntervalInMs: 20 };


describe('deleted vaults (@azure/arm-keyvault)', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'deleted-vaults', testClock: true });
  });
  after(async () => {
    await h?.dispose();
  });

  const params = (extra = {}) => ({
    location: 'local',
    tags: { team: 'payments' },
    properties: {
      tenantId: h.admin.tenantId,
      sku: { family: 'A', name: 'standard' },
      softDeleteRetentionInDays: 7,
      ...extra,
    },
  });
  const arm = () => h.arm().vaults;
  const deletedNames = async () => (await collect(arm().listDeleted())).map((d) => d.name);

  it('a deleted vault is listed and read with its dates; its name stays reserved', async () => {
    const name = vaultName('sd');
    await arm().createOrUpdate(RESOURCE_GROUP, name, params(), POLL);
    await arm().delete(RESOURCE_GROUP, name);

    assert.ok((await deletedNames()).includes(name));
    const d = await arm().getDeleted(name, 'local');
    assert.equal(d.name, name);
    assert.equal(d.type, 'Microsoft.KeyVault/deletedVaults');
    assert.equal(d.id, `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.KeyVault/locations/local/deletedVaults/${name}`);
    assert.equal(d.properties.vaultId.toLowerCase(),
      `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${name}`.toLowerCase());
    assert.equal(d.properties.location, 'local');
    assert.deepEqual(d.properties.tags, { team: 'payments' });
    assert.equal(d.properties.purgeProtectionEnabled, false);
    const retention = d.properties.scheduledPurgeDate.getTime() - d.properties.deletionDate.getTime();
    assert.equal(retention, 7 * DAY * 1000, 'scheduledPurgeDate = deletionDate + retention');
    await rejectsWith(arm().getDeleted(name, 'elsewhere'), { status: 404 });

    const taken = await rejectsWith(arm().createOrUpdate(RESOURCE_GROUP, name, params(), POLL), { status: 409, code: 'VaultAlreadyExists' });
    assert.match(taken.message, /soft deleted state/);
    const check = await arm().checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' });
    assert.equal(check.nameAvailable, false);
    assert.equal(check.reason, 'AlreadyExists');
  });

  it('checkNameAvailability: free, invalid and in-use names', async () => {
    const free = await arm().checkNameAvailability({ name: vaultName('free'), type: 'Microsoft.KeyVault/vaults' });
    assert.equal(free.nameAvailable, true);
    assert.equal(free.reason, undefined);
    const invalid = await arm().checkNameAvailability({ name: 'not_valid!', type: 'Microsoft.KeyVault/vaults' });
    assert.equal(invalid.nameAvailable, false);
    assert.equal(invalid.reason, 'AccountNameInvalid');
    const { name } = await h.createVaultWithClient('used');
    const used = await arm().checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' });
    assert.deepEqual([used.nameAvailable, used.reason], [false, 'AlreadyExists']);
    await rejectsWith(arm().checkNameAvailability({ name, type: 'Microsoft.Storage/storageAccounts' }), { status: 400 });
  });

  it('createMode: recover brings the vault back with its secrets', async () => {
    const { name, client } = await h.createVaultWithClient('rec', { retentionDays: 7 });
    await client.setSecret('kept', 'through the recovery');
    await arm().delete(RESOURCE_GROUP, name);
    await rejectsWith(client.getSecret('kept'), { status: 404 });

    const recovered = await arm().createOrUpdate(RESOURCE_GROUP, name, params({ createMode: 'recover' }), POLL);
    assert.equal(recovered.name, name);
    assert.equal(recovered.properties.vaultUri, `https://${name}.localhost:${h.port}/`);
    assert.equal((await h.secretClient(h.vaultUrl(name)).getSecret('kept')).value, 'through the recovery');
    assert.ok(!(await deletedNames()).includes(name), 'no longer listed as deleted');
    // Nothing to recover: 404.
    await rejectsWith(arm().createOrUpdate(RESOURCE_GROUP, vaultName('never'), params({ createMode: 'recover' }), POLL), { status: 404 });
  });

  it('purge removes a deleted vault for good and frees its name', async () => {
    const { name } = await h.createVaultWithClient('pg', { retentionDays: 7 });
    await arm().delete(RESOURCE_GROUP, name);
    await arm().purgeDeleted(name, 'local');
    assert.ok(!(await deletedNames()).includes(name));
    await rejectsWith(arm().getDeleted(name, 'local'), { status: 404 });
    assert.equal((await arm().checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' })).nameAvailable, true);
    // A new vault of the same name starts empty.
    await arm().createOrUpdate(RESOURCE_GROUP, name, params(), POLL);
    const secrets = await collect(h.secretClient(h.vaultUrl(name)).listPropertiesOfSecrets());
    assert.deepEqual(secrets, []);
  });

  it('purge protection: purge is refused, and the scheduled purge removes the vault once retention ends', async () => {
    const name = vaultName('pp');
    await arm().createOrUpdate(RESOURCE_GROUP, name, params({ enablePurgeProtection: true }), POLL);
    await arm().delete(RESOURCE_GROUP, name);
    const d = await arm().getDeleted(name, 'local');
    assert.equal(d.properties.purgeProtectionEnabled, true);
    const refused = await rejectsWith(arm().purgeDeleted(name, 'local'), { status: 409, code: 'InvalidOperation' });
    assert.match(refused.message, /Operation 'DeletedVaultPurge' is not allowed/);
    assert.ok((await deletedNames()).includes(name), 'still deleted, not purged');

    await h.advanceClock(6 * DAY); // the server runs a purge pass before it answers
    assert.ok((await deletedNames()).includes(name), 'not purged before retention ends');
    await h.advanceClock(DAY + 60);
    await eventually(async () => assert.ok(!(await deletedNames()).includes(name), 'purged once retention ended'), { timeoutMs: 10_000 });
    assert.equal((await arm().checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' })).nameAvailable, true);
  });
});
