// Key rotation with the real @azure/keyvault-keys KeyClient: rotation policies (get, update,
// Azure's validation), rotateKey, and automatic rotation driven by the server's test clock
// (exactly one new version per due point, none more afterwards, also across a restart).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, rejectsWith, collect } from './harness.mjs';

const DAY = 86400;


// The SDK's lifetime actions without its undefined members.
const plainActions = (policy) => policy.lifetimeActions.map((a) => JSON.parse(JSON.stringify(a)));

describe('key rotation (@azure/keyvault-keys KeyClient)', () => {
  let h;
  let vaultUrl;
  const client = () => h.keyClient(vaultUrl);
  const versions = async (name) => collect(client().listPropertiesOfKeyVersions(name));

  before(async () => {
    h = await startServer({ name: 'key-rotation', testClock: true });
    const v = await h.createVaultWithClient('rotation', { retentionDays: 7 });
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
  });
  after(async () => {
    await h?.dispose();
  });

  it('a key without a policy has the default one; updateKeyRotationPolicy round-trips', async () => {
    const name = secretName('pol');
    await client().createEcKey(name, { curve: 'P-256' });
    const def = await client().getKeyRotationPolicy(name);
    assert.equal(def.id, `${vaultUrl}/keys/${name}/rotationpolicy`);
    assert.deepEqual(plainActions(def), [{ action: 'Notify', timeBeforeExpiry: 'P30D' }]);

    const set = await client().updateKeyRotationPolicy(name, {
      lifetimeActions: [
        { action: 'Rotate', timeAfterCreate: 'P30D' },
        { action: 'Notify', timeBeforeExpiry: 'P7D' },
      ],
      expiresIn: 'P90D',
    });
    assert.equal(set.expiresIn, 'P90D');
    assert.ok(set.createdOn instanceof Date && set.updatedOn instanceof Date);
    const got = await client().getKeyRotationPolicy(name);
    assert.equal(got.id, `${vaultUrl}/keys/${name}/rotationpolicy`);
    assert.equal(got.expiresIn, 'P90D');
    assert.deepEqual(
      plainActions(got),
      [
        { action: 'Rotate', timeAfterCreate: 'P30D' },
        { action: 'Notify', timeBeforeExpiry: 'P7D' },
      ],
    );
  });

  it('invalid policies are refused with 400; a missing key is 404', async () => {
    const name = secretName('bad');
    await client().createEcKey(name);
    const bad = [
      { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P30D' }], expiresIn: 'P27D' },
      { lifetimeActions: [{ action: 'Rotate', timeBeforeExpiry: 'P10D' }] },
      {
        lifetimeActions: [
          { action: 'Rotate', timeAfterCreate: 'P30D' },
          { action: 'Rotate', timeAfterCreate: 'P60D' },
        ],
      },
      { lifetimeActions: [{ action: 'Notify', timeAfterCreate: 'P30D' }], expiresIn: 'P90D' },
      { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: '30 days' }] },
    ];
    for (const policy of bad) {
      await rejectsWith(() => client().updateKeyRotationPolicy(name, policy), { status: 400 });
    }
    await rejectsWith(() => client().getKeyRotationPolicy(secretName('none')), { status: 404 });
    await rejectsWith(() => client().rotateKey(secretName('none')), { status: 404 });
  });

  it('rotateKey makes a new version of the same type, size, key_ops and tags', async () => {
    const name = secretName('rot');
    const first = await client().createRsaKey(name, {
      keySize: 3072,
      keyOps: ['sign', 'verify'],
      tags: { team: 'a' },
    });
    const plain = await client().rotateKey(name);
    assert.notEqual(plain.properties.version, first.properties.version);
    assert.equal(plain.keyType, 'RSA');
    assert.equal(plain.key.n.length, 384, '3072-bit modulus');
    assert.deepEqual([...plain.keyOperations].sort(), ['sign', 'verify']);
    assert.deepEqual(plain.properties.tags, { team: 'a' });
    assert.equal(plain.properties.expiresOn, undefined);

    await client().updateKeyRotationPolicy(name, { lifetimeActions: [], expiresIn: 'P60D' });
    const withExp = await client().rotateKey(name);
    const created = withExp.properties.createdOn.getTime();
    assert.equal(withExp.properties.expiresOn.getTime(), created + 60 * DAY * 1000);
    assert.equal((await versions(name)).length, 3);
    assert.equal((await client().getKey(name)).properties.version, withExp.properties.version);
  });

  // Last: moves the server's clock forward.
  it('keys rotate automatically once per due point, across a restart', { timeout: 120_000 }, async () => {
    const name = secretName('auto');
    const other = secretName('still');
    const first = await client().createEcKey(name, { curve: 'P-384' });
    await client().createEcKey(other);
    await client().updateKeyRotationPolicy(name, {
      lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P30D' }],
      expiresIn: 'P90D',
    });

    await h.advanceClock(29 * DAY);
    assert.equal((await versions(name)).length, 1, 'not due yet');

    await h.advanceClock(DAY + 60);
    const after1 = await versions(name);
    assert.equal(after1.length, 2, 'rotated once at the due point');
    const latest = await client().getKey(name);
    assert.notEqual(latest.properties.version, first.properties.version);
    assert.equal(latest.keyType, 'EC');
    assert.equal(latest.key.crv, 'P-384');
    assert.equal(
      latest.properties.expiresOn.getTime(),
      latest.properties.createdOn.getTime() + 90 * DAY * 1000,
    );

    await h.advanceClock(DAY);
    assert.equal((await versions(name)).length, 2, 'no second rotation before the next due point');
    assert.equal((await versions(other)).length, 1, 'keys without a rotating policy stay');

    await h.restart();
    vaultUrl = vaultUrl.replace(/:\d+$/, `:${h.port}`);  // the port changes on restart
    // The test clock's offset does not survive a restart: measure from the server's clock now.
    const now = await h.advanceClock(60);
    assert.equal((await versions(name)).length, 2, 'a restart does not rotate again');

    const due = latest.properties.createdOn.getTime() / 1000 + 30 * DAY;
    await h.advanceClock(Math.max(0, due - now) + 60);
    assert.equal((await versions(name)).length, 3, 'the next due point rotates once more');
    await h.advanceClock(60);
    assert.equal((await versions(name)).length, 3);
  });
});
