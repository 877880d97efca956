// Near-expiry and expired events (issue 6): with the test clock, a vault whose
// keyhavenNearExpiryDays are [30, 7, 1] raises SecretNearExpiry / KeyNearExpiry once at each
// threshold and SecretExpired / KeyExpired once at expiry, delivered to a webhook and read back
// with @azure/eventgrid; Azure's ...EventGridNotification audit records are written too.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { EventGridDeserializer } from '@azure/eventgrid';

import { startServer, eventually, RESOURCE_GROUP } from './harness.mjs';
import { startWebhookReceiver } from './webhook_receiver.mjs';
import { auditEvents } from './audit_util.mjs';

const DAY = 86400;
const ARM_VERSION = '2026-02-01';

describe('near-expiry and expired events (test clock)', () => {
  let h;
  let receiver;
  before(async () => {
    let cert;
    ({ receiver, cert } = await startWebhookReceiver());
    h = await startServer({ name: 'events-expiry', testClock: true, extraArgs: ['--event-webhook-ca', cert.cert] });
  });
  after(async () => {
    await h?.dispose();
    await receiver?.close();
  });

  it('notices each configured threshold once, then the expiry', { timeout: 90_000 }, async () => {
    const vault = `exp${Date.now().toString(36)}`.slice(0, 20);
    const scope = `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`;
    const created = await h.requestJson('PUT', `${scope}?api-version=${ARM_VERSION}`, {
      location: 'local',
      properties: {
        tenantId: h.admin.tenantId,
        sku: { family: 'A', name: 'standard' },
        keyhavenNearExpiryDays: [1, 30, 7],
      },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.json.properties.keyhavenNearExpiryDays, [30, 7, 1]);
    const bad = await h.requestJson('PUT', `${scope}?api-version=${ARM_VERSION}`, {
      location: 'local',
      properties: { tenantId: h.admin.tenantId, sku: { family: 'A', name: 'standard' }, keyhavenNearExpiryDays: [0] },
    });
    assert.equal(bad.status, 400, bad.text);

    const sub = await h.requestJson('PUT', '/admin/event-subscriptions/expiry', { vault, endpoint: receiver.url('/expiry') });
    assert.equal(sub.status, 201, sub.text);
    const nowRes = await h.requestJson('POST', '/admin/test-clock', { advanceSeconds: 0 });
    const now = nowRes.json.now;
    const expiresOn = new Date((now + 40 * DAY) * 1000);
    const secrets = h.secretClient(h.vaultUrl(vault));
    const secret = await secrets.setSecret('db-password', 'v', { expiresOn });
    const key = await h.keyClient(h.vaultUrl(vault)).createEcKey('signing-key', { curve: 'P-256', expiresOn });
    await secrets.setSecret('no-expiry', 'v');

    const deserializer = new EventGridDeserializer();
    const received = async () => {
      const all = [];
      for (const d of receiver.deliveries.filter((x) => x.path === '/expiry')) {
        all.push(...(await deserializer.deserializeEventGridEvents(d.body)));
      }
      return all.filter((e) => /NearExpiry|Expired/.test(e.eventType));
    };
    const expectNow = async (count, what) =>
      eventually(async () => assert.equal((await received()).length, count, what), { timeoutMs: 10_000 });

    await h.advanceClock(5 * DAY); // 35 days before: nothing yet
    await h.advanceClock(6 * DAY); // 29 days before: the 30-day notices
    await expectNow(2, 'the 30-day notices');
    await h.advanceClock(DAY); // still between thresholds: nothing new
    await h.advanceClock(22 * DAY); // 6 days before: the 7-day notices
    await expectNow(4, 'the 7-day notices');
    await h.advanceClock(5 * DAY + DAY / 2); // half a day before: the 1-day notices
    await expectNow(6, 'the 1-day notices');
    await h.advanceClock(DAY); // past expiry
    await expectNow(8, 'the expiry');
    await h.advanceClock(DAY);
    await new Promise((r) => setTimeout(r, 300));
    const events = await received();
    assert.equal(events.length, 8, 'each point once');

    const types = events.map((e) => `${e.eventType} ${e.subject}`);
    for (const t of [
      'Microsoft.KeyVault.SecretNearExpiry db-password',
      'Microsoft.KeyVault.KeyNearExpiry signing-key',
    ]) {
      assert.equal(types.filter((x) => x === t).length, 3, `${t} at 30, 7 and 1 days`);
    }
    assert.equal(types.filter((x) => x === 'Microsoft.KeyVault.SecretExpired db-password').length, 1);
    assert.equal(types.filter((x) => x === 'Microsoft.KeyVault.KeyExpired signing-key').length, 1);
    const secretNotice = events.find((e) => e.eventType === 'Microsoft.KeyVault.SecretNearExpiry');
    assert.equal(secretNotice.topic, scope);
    assert.equal(secretNotice.data.Id, secret.properties.id);
    assert.equal(secretNotice.data.EXP, Math.floor(expiresOn.getTime() / 1000));
    assert.equal(events.find((e) => e.eventType === 'Microsoft.KeyVault.KeyExpired').data.Id, key.id);

    const records = auditEvents(path.join(h.dataDir, 'audit')).map((r) => r.operationName);
    assert.equal(records.filter((n) => n === 'SecretNearExpiryEventGridNotification').length, 3);
    assert.equal(records.filter((n) => n === 'KeyExpiredEventGridNotification').length, 1);
  });
});
