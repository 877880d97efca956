// Events (issue 6): subscriptions with the webhook validation handshake, Key Vault's events in
// Event Grid's schema and CloudEvents 1.0 (read back with the real @azure/eventgrid
// EventGridDeserializer), filters by type and subject, retries, redelivery after the receiver
// was down and the server restarted, and the dead-letter file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EventGridDeserializer } from '@azure/eventgrid';

import { startServer, secretName, eventually, RESOURCE_GROUP } from './harness.mjs';
import { startWebhookReceiver, WebhookReceiver } from './webhook_receiver.mjs';

const LRO = { intervalInMs: 20 };
const AUTH_VERSION = '2022-04-01';
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

describe('events (Event Grid webhooks)', () => {
  let h;
  let receiver;
  let cert;
  const deserializer = new EventGridDeserializer();

  before(async () => {
    ({ receiver, cert } = await startWebhookReceiver());
    h = await startServer({
      name: 'events',
      extraArgs: ['--event-webhook-ca', cert.cert, '--event-retry-base-ms', '200'],
    });
  });
  after(async () => {
    await h?.dispose();
    await receiver?.close();
  });

  const subscribe = (name, body) => h.requestJson('PUT', `/admin/event-subscriptions/${name}`, body);
  const deliveredTo = (hookPath) => receiver.deliveries.filter((d) => d.path === hookPath);
  async function eventGridEvents(hookPath) {
    const all = [];
    for (const d of deliveredTo(hookPath)) all.push(...(await deserializer.deserializeEventGridEvents(d.body)));
    return all;
  }

  it('delivers each change as Event Grid events after the validation handshake', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('evt');
    const refused = await subscribe('refused', { vault, endpoint: receiver.url('/wrong') });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error.code, 'EndpointValidationFailed');

    const before = receiver.validations;
    const created = await subscribe('all-of-vault', { vault, endpoint: receiver.url('/all') });
    assert.equal(created.status, 201, created.text);
    assert.equal(receiver.validations, before + 1, 'one validation handshake');
    assert.equal(created.json.eventDeliverySchema, 'EventGridSchema');
    const listed = await h.requestJson('GET', '/admin/event-subscriptions');
    assert.ok(listed.json.value.some((s) => s.name === 'all-of-vault'));

    const name = secretName('evt');
    const exp = new Date(Date.now() + 86400_000);
    const set = await client.setSecret(name, 'v1', { expiresOn: exp });
    const keys = h.keyClient(h.vaultUrl(vault));
    const keyName = secretName('evk');
    const key = await keys.createEcKey(keyName, { curve: 'P-256' });
    await keys.rotateKey(keyName);
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    const app = await h.createPrincipal('events-reader');
    const scope = `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`;
    const assignmentName = crypto.randomUUID();
    const put = await h.requestJson('PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}?api-version=${AUTH_VERSION}`, {
      properties: {
        roleDefinitionId: `/subscriptions/${h.admin.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`,
        principalId: app.objectId,
      },
    });
    assert.equal(put.status, 201, put.text);
    await h.arm().vaults.updateAccessPolicy(RESOURCE_GROUP, vault, 'add', {
      properties: {
        accessPolicies: [{ tenantId: h.admin.tenantId, objectId: app.objectId, permissions: { secrets: ['get'] } }],
      },
    });

    let events;
    await eventually(async () => {
      events = await eventGridEvents('/all');
      assert.equal(events.length, 7, `events so far: ${events.map((e) => e.eventType).join(', ')}`);
    }, { timeoutMs: 10_000 });
    const byType = (t) => events.filter((e) => e.eventType === t);
    const [secretEvent] = byType('Microsoft.KeyVault.SecretNewVersionCreated');
    assert.equal(secretEvent.subject, name);
    assert.equal(secretEvent.topic, scope);
    assert.equal(secretEvent.dataVersion, '1');
    assert.ok(secretEvent.eventTime instanceof Date);
    // Key Vault's payload as Event Grid puts it on the wire (the SDK's mappers name Id,
    // VaultName, ... as serializedName) and passes it through.
    assert.deepEqual(secretEvent.data, {
      Id: set.properties.id,
      VaultName: vault,
      ObjectType: 'Secret',
      ObjectName: name,
      Version: set.properties.version,
      EXP: Math.floor(exp.getTime() / 1000),
    });
    const keyEvents = byType('Microsoft.KeyVault.KeyNewVersionCreated');
    assert.equal(keyEvents.length, 2, 'create and rotate');
    assert.equal(keyEvents[0].data.Id, key.id);
    assert.equal(keyEvents[0].data.ObjectType, 'Key');
    assert.notEqual(keyEvents[1].data.Version, keyEvents[0].data.Version);
    assert.equal(byType('Keyhaven.KeyVault.ObjectDeleted')[0].subject, name);
    assert.equal(byType('Keyhaven.KeyVault.ObjectPurged')[0].data.ObjectType, 'Secret');
    assert.equal(byType('Keyhaven.KeyVault.RoleAssignmentChanged')[0].subject, assignmentName);
    const [policyEvent] = byType('Microsoft.KeyVault.VaultAccessPolicyChanged');
    assert.equal(policyEvent.subject, vault);
    assert.equal(policyEvent.data.ObjectType, 'Vault');
    assert.equal(policyEvent.data.VaultName, vault);
    const delivery = deliveredTo('/all')[0];
    assert.equal(delivery.headers['aeg-event-type'], 'Notification');
    assert.equal(delivery.headers['aeg-subscription-name'], 'all-of-vault');
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'distinct event ids');
  });

  it('filters by type and subject, and speaks CloudEvents 1.0 when asked', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('evf');
    assert.equal((await subscribe('keys-only', {
      vault,
      endpoint: receiver.url('/keys-only'),
      includedEventTypes: ['Microsoft.KeyVault.KeyNewVersionCreated'],
    })).status, 201);
    assert.equal((await subscribe('prod-secrets', {
      vault,
      endpoint: receiver.url('/prod'),
      subjectBeginsWith: 'prod-',
    })).status, 201);
    const cloud = await subscribe('cloud', { vault, endpoint: receiver.url('/cloud'), eventDeliverySchema: 'CloudEventSchemaV1_0' });
    assert.equal(cloud.status, 201, cloud.text);

    await client.setSecret('prod-db', 'v');
    await client.setSecret('test-db', 'v');
    await h.keyClient(h.vaultUrl(vault)).createRsaKey('prod-key');

    await eventually(async () => {
      assert.equal(deliveredTo('/cloud').length, 3);
      assert.equal(deliveredTo('/keys-only').length, 1);
      assert.equal(deliveredTo('/prod').length, 2);
    }, { timeoutMs: 10_000 });
    const [keyOnly] = await eventGridEvents('/keys-only');
    assert.equal(keyOnly.eventType, 'Microsoft.KeyVault.KeyNewVersionCreated');
    assert.deepEqual((await eventGridEvents('/prod')).map((e) => e.subject).sort(), ['prod-db', 'prod-key']);
    const cloudEvents = [];
    for (const d of deliveredTo('/cloud')) {
      assert.match(d.headers['content-type'], /^application\/cloudevents\+json/);
      cloudEvents.push(...(await deserializer.deserializeCloudEvents(d.body)));
    }
    const secretCloud = cloudEvents.find((e) => e.subject === 'test-db');
    assert.equal(secretCloud.specversion, '1.0');
    assert.equal(secretCloud.type, 'Microsoft.KeyVault.SecretNewVersionCreated');
    assert.match(secretCloud.source, new RegExp(`/vaults/${vault}$`));
    assert.equal(secretCloud.data.ObjectName, 'test-db');
  });

  it('retries while the receiver fails, and redelivers after it was down and the server restarted', { timeout: 90_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('evr');
    assert.equal((await subscribe('resilient', { vault, endpoint: receiver.url('/resilient') })).status, 201);

    receiver.failing = true;
    await client.setSecret('while-failing', 'v');
    await new Promise((r) => setTimeout(r, 700)); // a few failed attempts (200 ms, 400 ms, ...)
    receiver.failing = false;
    await eventually(() => assert.equal(deliveredTo('/resilient').length, 1), { timeoutMs: 10_000 });
    const retried = deliveredTo('/resilient')[0];
    assert.ok(Number(retried.headers['aeg-delivery-count']) >= 1, 'delivered on a retry');

    // Down, and the server restarts meanwhile: the delivery is owed across the restart.
    const port = receiver.port;
    await receiver.close();
    await client.setSecret('while-down', 'v');
    await new Promise((r) => setTimeout(r, 500));
    await h.restart();
    receiver = await new WebhookReceiver(cert).listen(port);
    await eventually(async () => {
      const events = await eventGridEvents('/resilient');
      assert.deepEqual(events.map((e) => e.subject), ['while-down']);
    }, { timeoutMs: 20_000 });
  });

  it('writes what it gives up on to the dead-letter file', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('evd');
    assert.equal((await subscribe('give-up', { vault, endpoint: receiver.url('/give-up'), maxDeliveryAttempts: 2 })).status, 201);
    receiver.failing = true;
    try {
      await client.setSecret('undeliverable', 'v');
      const file = path.join(h.dataDir, 'events', 'dead-letter.jsonl');
      await eventually(() => {
        assert.ok(fs.existsSync(file), 'a dead-letter file');
        const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
        const mine = lines.find((l) => l.subscription === 'give-up');
        assert.ok(mine, 'the undeliverable event');
        assert.equal(mine.deliveryAttempts, 2);
        assert.equal(mine.lastError, 'HTTP 500');
        assert.equal(mine.event.subject, 'undeliverable');
      }, { timeoutMs: 10_000 });
    } finally {
      receiver.failing = false;
    }
    assert.equal((await h.requestJson('DELETE', '/admin/event-subscriptions/give-up')).status, 200);
    assert.equal((await h.requestJson('GET', '/admin/event-subscriptions/give-up')).status, 404);
  });
});
