// Every operation of the real @azure/keyvault-secrets 4.11.2 client against
// Keyhaven, plus the error cases a user can run into.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, rejectsWith, assertAzureError, API_VERSION, randomHex, collect } from './harness.mjs';

const DAY_MS = 86_400_000;
const LRO = { intervalInMs: 20 }; // fast polling keeps the suite quick


/** Asserts a JS Date is within `slackMs` of the real clock (catches ms-vs-seconds mixups). */
const assertRecent = (date, what, slackMs = 120_000) => {
  assert.ok(date instanceof Date, `${what} is a Date`);
  assert.ok(Math.abs(date.getTime() - Date.now()) < slackMs, `${what} ${date.toISOString()} is close to now`);
};

const deleteSecret = async (client, name) => (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
const recoverSecret = async (client, name) => (await client.beginRecoverDeletedSecret(name, LRO)).pollUntilDone();
const versionsOf = async (client, name) =>
  (await collect(client.listPropertiesOfSecretVersions(name))).map((p) => p.version).sort();

describe('secrets (@azure/keyvault-secrets)', () => {
  let h;
  let client; // 7-day retention vault, no purge protection
  let vaultUrl;

  before(async () => {
    h = await startServer({ name: 'secrets' });
    const v = await h.createVaultWithClient('sec', { retentionDays: 7 });
    client = v.client;
    vaultUrl = v.vault.properties.vaultUri.replace(/\/$/, '');
  });
  after(async () => {
    await h?.dispose();
  });

  it('setSecret stores value, contentType, tags, enabled, notBefore, expiresOn and makes a new version each time', async () => {
    const name = secretName('set');
    const notBefore = new Date('2024-01-01T00:00:00Z');
    const expiresOn = new Date('2030-01-01T00:00:00Z');
    const s1 = await client.setSecret(name, 'value-1', {
      contentType: 'text/plain',
      tags: { env: 'test', team: 'a' },
      enabled: true,
      notBefore,
      expiresOn,
    });
    const p = s1.properties;
    assert.equal(s1.name, name);
    assert.equal(s1.value, 'value-1');
    assert.equal(p.contentType, 'text/plain');
    assert.deepEqual(p.tags, { env: 'test', team: 'a' });
    assert.equal(p.enabled, true);
    assert.equal(p.notBefore.getTime(), notBefore.getTime());
    assert.equal(p.expiresOn.getTime(), expiresOn.getTime());
    assert.match(p.version, /^[0-9a-f]{32}$/, 'version is 32 hex chars');
    assert.equal(p.id, `${vaultUrl}/secrets/${name}/${p.version}`);
    assert.equal(p.vaultUrl, vaultUrl);
    assertRecent(p.createdOn, 'createdOn');
    assertRecent(p.updatedOn, 'updatedOn');
    assert.equal(p.recoveryLevel, 'CustomizedRecoverable+Purgeable');
    assert.equal(p.recoverableDays, 7);

    const s2 = await client.setSecret(name, 'value-2');
    assert.notEqual(s2.properties.version, p.version, 'each set creates a new version');
    assert.equal(s2.value, 'value-2');
    assert.equal(s2.properties.enabled, true, 'enabled defaults to true');
    assert.ok(s2.properties.contentType == null, 'a new version does not inherit contentType');
    assert.ok(!s2.properties.tags || Object.keys(s2.properties.tags).length === 0, 'nor tags');
    assert.ok(s2.properties.notBefore == null, 'nor notBefore');
    assert.ok(s2.properties.expiresOn == null, 'nor expiresOn');

    // nbf/exp are informational for secrets: an already-expired secret can be set and read.
    const expired = secretName('exp');
    await client.setSecret(expired, 'old', { expiresOn: new Date('2001-01-01T00:00:00Z') });
    assert.equal((await client.getSecret(expired)).value, 'old');
  });

  it('getSecret returns the latest version, or a specific version', async () => {
    const name = secretName('get');
    const v1 = await client.setSecret(name, 'first', { contentType: 'a' });
    const v2 = await client.setSecret(name, 'second', { contentType: 'b' });
    const latest = await client.getSecret(name);
    assert.equal(latest.value, 'second');
    assert.equal(latest.properties.version, v2.properties.version);
    assert.equal(latest.properties.id, v2.properties.id);
    const old = await client.getSecret(name, { version: v1.properties.version });
    assert.equal(old.value, 'first');
    assert.equal(old.properties.contentType, 'a');
    assert.equal(old.properties.id, v1.properties.id);
  });

  it('getSecret of a missing secret or version is 404 SecretNotFound', async () => {
    await rejectsWith(client.getSecret(secretName('missing')), { status: 404, code: 'SecretNotFound' });
    const name = secretName('mv');
    await client.setSecret(name, 'x');
    await rejectsWith(client.getSecret(name, { version: '0'.repeat(32) }), { status: 404, code: 'SecretNotFound' });
  });

  it('updateSecretProperties changes contentType, tags, enabled, dates but not the value', async () => {
    const name = secretName('upd');
    const s = await client.setSecret(name, 'keep-me', { tags: { a: '1' } });
    const version = s.properties.version;
    const exp = new Date('2031-06-01T00:00:00Z');
    const props = await client.updateSecretProperties(name, version, {
      contentType: 'application/x-test',
      tags: { b: '2' },
      expiresOn: exp,
    });
    assert.equal(props.version, version, 'no new version');
    assert.equal(props.contentType, 'application/x-test');
    assert.deepEqual(props.tags, { b: '2' });
    assert.equal(props.expiresOn.getTime(), exp.getTime());
    assert.ok(props.updatedOn.getTime() >= props.createdOn.getTime());
    const again = await client.getSecret(name);
    assert.equal(again.value, 'keep-me');
    assert.equal(again.properties.contentType, 'application/x-test');
    assert.deepEqual(await versionsOf(client, name), [version], 'still one version');

    await rejectsWith(client.updateSecretProperties(name, 'f'.repeat(32), { contentType: 'x' }), {
      status: 404,
      code: 'SecretNotFound',
    });
  });

  it('a disabled secret version cannot be read: 403 Forbidden, innererror SecretDisabled', async () => {
    const name = secretName('dis');
    const v1 = await client.setSecret(name, 'one');
    const v2 = await client.setSecret(name, 'two');
    const props = await client.updateSecretProperties(name, v2.properties.version, { enabled: false });
    assert.equal(props.enabled, false);

    await rejectsWith(client.getSecret(name), { status: 403, code: 'Forbidden', inner: 'SecretDisabled' });
    await rejectsWith(client.getSecret(name, { version: v2.properties.version }), {
      status: 403,
      code: 'Forbidden',
      inner: 'SecretDisabled',
    });
    // Other versions stay readable, and listing still shows the disabled one.
    assert.equal((await client.getSecret(name, { version: v1.properties.version })).value, 'one');
    const listed = await collect(client.listPropertiesOfSecretVersions(name));
    assert.equal(listed.find((p) => p.version === v2.properties.version)?.enabled, false);

    await client.updateSecretProperties(name, v2.properties.version, { enabled: true });
    assert.equal((await client.getSecret(name)).value, 'two');
  });

  it('listPropertiesOfSecrets pages with maxPageSize 2 and lists every name exactly once, without values', async () => {
    // A dedicated vault, so the expected set is exact.
    const { client: c, vault } = await h.createVaultWithClient('page');
    const url = vault.properties.vaultUri.replace(/\/$/, '');
    const names = Array.from({ length: 7 }, (_, i) => `page-${i}-${randomHex(2)}`);
    for (const n of names) await c.setSecret(n, `value-of-${n}`);
    await c.setSecret(names[0], 'second version'); // still one entry per name

    const pages = [];
    for await (const page of c.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) pages.push(page);
    assert.ok(pages.length >= 4, `7 secrets in pages of <= 2 need >= 4 pages, got ${pages.length}`);
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length} items exceeds maxPageSize 2`);
    const seen = pages.flat().map((p) => p.name);
    assert.deepEqual([...seen].sort(), [...names].sort(), 'every name exactly once');
    for (const p of pages.flat()) {
      assert.equal(p.id, `${url}/secrets/${p.name}`, 'list items carry the base id (no version)');
      assert.equal(p.enabled, true);
    }

    // Unpaged iteration agrees.
    const all = (await collect(c.listPropertiesOfSecrets())).map((p) => p.name).sort();
    assert.deepEqual(all, [...names].sort());

    // On the wire: no "value" in any item, absolute nextLink, value array on every page.
    let next = `${url}/secrets?api-version=${API_VERSION}&maxresults=2`;
    const rawNames = [];
    for (let i = 0; next && i < 20; i++) {
      const res = await h.request({ url: next, token: true });
      assert.equal(res.status, 200, res.text);
      assert.ok(Array.isArray(res.json.value), 'page has a value array');
      assert.ok(res.json.value.length <= 2);
      for (const item of res.json.value) {
        assert.ok(!('value' in item), `list item exposes a secret value: ${JSON.stringify(item)}`);
        assert.equal(typeof item.attributes?.created, 'number', 'unix seconds');
        rawNames.push(item.id.split('/').pop());
      }
      next = res.json.nextLink ?? null;
      if (next) {
        assert.match(next, /^https:\/\//, 'nextLink is absolute');
        if (!/[?&]api(-|%2D)version=/i.test(next)) next += `${next.includes('?') ? '&' : '?'}api-version=${API_VERSION}`;
      }
    }
    assert.equal(next, null, 'listing ends');
    assert.deepEqual(rawNames.sort(), [...names].sort());
  });

  it('listPropertiesOfSecretVersions lists every version (also paged)', async () => {
    const name = secretName('ver');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await client.setSecret(name, `v${i}`)).properties.version);
    assert.equal(new Set(ids).size, 5);
    const listed = await collect(client.listPropertiesOfSecretVersions(name));
    assert.deepEqual(listed.map((p) => p.version).sort(), [...ids].sort());
    for (const p of listed) {
      assert.equal(p.id, `${vaultUrl}/secrets/${name}/${p.version}`, 'version items carry versioned ids');
      assert.equal(p.name, name);
    }
    const pages = [];
    for await (const page of client.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: 2 })) pages.push(page);
    assert.ok(pages.length >= 3);
    assert.deepEqual(pages.flat().map((p) => p.version).sort(), [...ids].sort());
  });

  it('beginDeleteSecret gives a deleted bundle; getDeletedSecret and listDeletedSecrets see it', async () => {
    const name = secretName('del');
    await client.setSecret(name, 'a');
    await client.setSecret(name, 'b');
    const deleted = await deleteSecret(client, name);
    assert.equal(deleted.name, name);
    assert.equal(deleted.properties.recoveryId, `${vaultUrl}/deletedsecrets/${name}`);
    assertRecent(deleted.properties.deletedOn, 'deletedOn');
    assert.equal(
      deleted.properties.scheduledPurgeDate.getTime() - deleted.properties.deletedOn.getTime(),
      7 * DAY_MS,
      'scheduledPurgeDate = deletedDate + 7 days for a 7-day vault',
    );
    assert.equal(deleted.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');
    assert.equal(deleted.properties.recoverableDays, 7);
    assert.match(deleted.properties.id, new RegExp(`^${vaultUrl}/secrets/${name}/[0-9a-f]{32}$`), 'id keeps the live URL');

    const got = await client.getDeletedSecret(name);
    assert.equal(got.properties.recoveryId, deleted.properties.recoveryId);
    assert.equal(got.properties.deletedOn.getTime(), deleted.properties.deletedOn.getTime());
    assert.equal(got.properties.scheduledPurgeDate.getTime(), deleted.properties.scheduledPurgeDate.getTime());

    await rejectsWith(client.getSecret(name), { status: 404, code: 'SecretNotFound' });
    const live = (await collect(client.listPropertiesOfSecrets())).map((p) => p.name);
    assert.ok(!live.includes(name), 'deleted secret is not in listPropertiesOfSecrets');

    const deletedList = await collect(client.listDeletedSecrets());
    const entry = deletedList.find((d) => d.name === name);
    assert.ok(entry, 'listed by listDeletedSecrets');
    assert.equal(entry.value, undefined, 'deleted list items carry no value');
    assert.equal(entry.properties.recoveryId, deleted.properties.recoveryId);
    assert.ok(entry.properties.scheduledPurgeDate instanceof Date);

    await rejectsWith(client.getDeletedSecret(secretName('never')), { status: 404, code: 'SecretNotFound' });
  });

  it('setSecret on a deleted-but-recoverable name is 409 ObjectIsDeletedButRecoverable', async () => {
    const name = secretName('conf');
    await client.setSecret(name, 'x');
    await deleteSecret(client, name);
    await rejectsWith(client.setSecret(name, 'y'), {
      status: 409,
      code: 'Conflict',
      inner: 'ObjectIsDeletedButRecoverable',
    });
  });

  it('beginRecoverDeletedSecret brings back every version', async () => {
    const name = secretName('rec');
    const v1 = await client.setSecret(name, 'one', { tags: { t: '1' } });
    const v2 = await client.setSecret(name, 'two');
    await deleteSecret(client, name);
    const recovered = await recoverSecret(client, name);
    assert.equal(recovered.name, name);
    assert.equal(recovered.version, v2.properties.version);
    assert.equal((await client.getSecret(name)).value, 'two');
    const old = await client.getSecret(name, { version: v1.properties.version });
    assert.equal(old.value, 'one');
    assert.deepEqual(old.properties.tags, { t: '1' });
    assert.deepEqual(await versionsOf(client, name), [v1.properties.version, v2.properties.version].sort());
    await rejectsWith(client.getDeletedSecret(name), { status: 404 });
    // Recovering something that is not deleted fails.
    await rejectsWith(
      client.beginRecoverDeletedSecret(secretName('notdeleted'), LRO).then((p) => p.pollUntilDone()),
      { status: 404 },
    );
  });

  it('purgeDeletedSecret removes it permanently and frees the name', async () => {
    const name = secretName('purge');
    await client.setSecret(name, 'gone');
    await deleteSecret(client, name);
    await client.purgeDeletedSecret(name); // the SDK insists on 204
    await rejectsWith(client.getDeletedSecret(name), { status: 404, code: 'SecretNotFound' });
    await rejectsWith(client.getSecret(name), { status: 404, code: 'SecretNotFound' });
    const fresh = await client.setSecret(name, 'new life');
    assert.deepEqual(await versionsOf(client, name), [fresh.properties.version], 'only the new version');
    // Purging a live secret or an unknown name is a 404.
    await rejectsWith(client.purgeDeletedSecret(name), { status: 404 });
  });

  it('backupSecret / restoreSecretBackup after purge restores all versions with the same ids', async () => {
    const name = secretName('bak');
    const value = `backup-value-${randomHex(8)}`;
    const created = [];
    created.push(await client.setSecret(name, `${value}-0`, { contentType: 'ct-0', tags: { n: '0' } }));
    created.push(await client.setSecret(name, `${value}-1`));
    created.push(await client.setSecret(name, `${value}-2`, { enabled: false }));
    const blob = await client.backupSecret(name);
    assert.ok(blob instanceof Uint8Array && blob.length > 0, 'backup blob');
    assert.ok(!Buffer.from(blob).includes(Buffer.from(value)), 'backup blob does not contain the plaintext value');

    await deleteSecret(client, name);
    await client.purgeDeletedSecret(name);
    await rejectsWith(client.getDeletedSecret(name), { status: 404 });

    const restored = await client.restoreSecretBackup(blob);
    assert.equal(restored.name, name);
    assert.equal(restored.vaultUrl, vaultUrl);
    assert.deepEqual(await versionsOf(client, name), created.map((s) => s.properties.version).sort());
    const first = await client.getSecret(name, { version: created[0].properties.version });
    assert.equal(first.value, `${value}-0`);
    assert.equal(first.properties.contentType, 'ct-0');
    assert.deepEqual(first.properties.tags, { n: '0' });
    assert.equal(first.properties.id, created[0].properties.id);
    assert.equal((await client.getSecret(name, { version: created[1].properties.version })).value, `${value}-1`);
    await rejectsWith(client.getSecret(name, { version: created[2].properties.version }), {
      status: 403,
      inner: 'SecretDisabled',
    });
  });

  it('restoreSecretBackup into another vault of the same server', async () => {
    const name = secretName('xv');
    const a = await client.setSecret(name, 'cross-1');
    const b = await client.setSecret(name, 'cross-2');
    const blob = await client.backupSecret(name);

    const { client: other, vault } = await h.createVaultWithClient('tgt');
    const otherUrl = vault.properties.vaultUri.replace(/\/$/, '');
    const restored = await other.restoreSecretBackup(blob);
    assert.equal(restored.name, name);
    assert.equal(restored.vaultUrl, otherUrl);
    assert.match(restored.id, new RegExp(`^${otherUrl}/secrets/${name}/`), 'ids name the target vault');
    assert.deepEqual(await versionsOf(other, name), [a.properties.version, b.properties.version].sort());
    assert.equal((await other.getSecret(name)).value, 'cross-2');
    assert.equal((await other.getSecret(name, { version: a.properties.version })).value, 'cross-1');
    // The source is untouched.
    assert.equal((await client.getSecret(name)).value, 'cross-2');
  });

  it('restore conflicts: existing name 409, deleted-but-recoverable name 409, garbage blob 400', async () => {
    const name = secretName('rc');
    await client.setSecret(name, 'x');
    const blob = await client.backupSecret(name);
    await rejectsWith(client.restoreSecretBackup(blob), { status: 409 });

    await deleteSecret(client, name);
    await rejectsWith(client.restoreSecretBackup(blob), {
      status: 409,
      code: 'Conflict',
      inner: 'ObjectIsDeletedButRecoverable',
    });

    await rejectsWith(client.restoreSecretBackup(new Uint8Array([1, 2, 3, 4, 5])), { status: 400 });
    const tampered = Buffer.from(blob);
    tampered[Math.floor(tampered.length / 2)] ^= 0x01;
    await rejectsWith(client.restoreSecretBackup(new Uint8Array(tampered)), { status: 400 });
  });

  it('purge protection: purge is 403, the secret stays recoverable; recoveryLevel CustomizedRecoverable', async () => {
    const { client: pc } = await h.createVaultWithClient('prot', { retentionDays: 7, purgeProtection: true });
    const name = secretName('pp');
    const s = await pc.setSecret(name, 'protected');
    assert.equal(s.properties.recoveryLevel, 'CustomizedRecoverable');
    assert.equal(s.properties.recoverableDays, 7);
    await deleteSecret(pc, name);
    await rejectsWith(pc.purgeDeletedSecret(name), { status: 403 });
    const still = await pc.getDeletedSecret(name);
    assert.equal(still.name, name);
    await recoverSecret(pc, name);
    assert.equal((await pc.getSecret(name)).value, 'protected');
  });

  it('a 90-day vault reports Recoverable+Purgeable and recoverableDays 90', async () => {
    const { client: c } = await h.createVaultWithClient('ninety', { retentionDays: 90 });
    const name = secretName('n');
    const s = await c.setSecret(name, 'x');
    assert.equal(s.properties.recoveryLevel, 'Recoverable+Purgeable');
    assert.equal(s.properties.recoverableDays, 90);
    const d = await deleteSecret(c, name);
    assert.equal(d.properties.scheduledPurgeDate.getTime() - d.properties.deletedOn.getTime(), 90 * DAY_MS);
  });

  it('secret values may be up to 25600 bytes (UTF-8), not more', async () => {
    const name = secretName('big');
    const max = 'x'.repeat(25600);
    assert.equal((await client.setSecret(name, max)).value, max);
    assert.equal((await client.getSecret(name)).value, max);
    await rejectsWith(client.setSecret(name, 'x'.repeat(25601)), { status: 400 });
    // Bytes, not characters: 12801 two-byte characters are 25602 bytes.
    await rejectsWith(client.setSecret(name, 'é'.repeat(12801)), { status: 400 });
    const multi = 'é'.repeat(12800);
    assert.equal((await client.setSecret(name, multi)).value, multi);
  });

  it('at most 15 tags', async () => {
    const tags = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, `v${i}`]));
    const name = secretName('tags');
    const ok = await client.setSecret(name, 'x', { tags: tags(15) });
    assert.deepEqual(ok.properties.tags, tags(15));
    await rejectsWith(client.setSecret(name, 'x', { tags: tags(16) }), { status: 400 });
    await rejectsWith(client.updateSecretProperties(name, ok.properties.version, { tags: tags(16) }), { status: 400 });
  });

  it('older service versions work through the SDK (serviceVersion 7.5 and 7.6)', async () => {
    for (const serviceVersion of ['7.5', '7.6']) {
      const c = h.secretClient(vaultUrl, { serviceVersion });
      const name = secretName(`sv${serviceVersion.replace('.', '')}`);
      const s = await c.setSecret(name, `hello ${serviceVersion}`, { tags: { v: serviceVersion } });
      assert.equal((await c.getSecret(name)).value, `hello ${serviceVersion}`);
      assert.equal((await c.getSecret(name, { version: s.properties.version })).properties.tags.v, serviceVersion);
      const names = (await collect(c.listPropertiesOfSecrets())).map((p) => p.name);
      assert.ok(names.includes(name));
      await deleteSecret(c, name);
      await c.purgeDeletedSecret(name);
    }
  });

  it('raw api-version 7.3 works; unsupported or missing api-version is 400', async () => {
    const name = secretName('raw');
    await client.setSecret(name, 'raw-value');
    const ok = await h.request({ url: `${vaultUrl}/secrets/${name}/?api-version=7.3`, token: true });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.value, 'raw-value');
    assert.match(ok.json.id, new RegExp(`^${vaultUrl}/secrets/${name}/[0-9a-f]{32}$`));

    const put = await h.requestJson('PUT', `${vaultUrl}/secrets/${name}?api-version=7.3`, { value: 'via 7.3' });
    assert.equal(put.status, 200, put.text);
    assert.equal((await client.getSecret(name)).value, 'via 7.3');

    const bad = await h.request({ url: `${vaultUrl}/secrets/${name}/?api-version=1999-01-01`, token: true });
    assertAzureError(bad, 400);
    const missing = await h.request({ url: `${vaultUrl}/secrets/${name}/`, token: true });
    assertAzureError(missing, 400);
  });
});
