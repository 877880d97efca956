// A certificate's EmailContacts lifetime action (issue 5) with the test clock: when it comes due,
// Microsoft.KeyVault.CertificateNearExpiry is delivered once to a subscribed webhook (read back
// with @azure/eventgrid), with the certificate's id and validity, and no version is added.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventGridDeserializer } from '@azure/eventgrid';

import { startServer, eventually, RESOURCE_GROUP } from './harness.mjs';
import { startWebhookReceiver } from './webhook_receiver.mjs';
import { certificateClient } from './cert_util.mjs';

const DAY = 86400;
const EVENT = 'Microsoft.KeyVault.CertificateNearExpiry';

describe('certificate lifetime action EmailContacts (test clock)', () => {
  let h;
  let receiver;
  before(async () => {
    let cert;
    ({ receiver, cert } = await startWebhookReceiver());
    h = await startServer({ name: 'cert-events', testClock: true, extraArgs: ['--event-webhook-ca', cert.cert] });
  });
  after(async () => {
    await h?.dispose();
    await receiver?.close();
  });

  it('raises CertificateNearExpiry once when the action is due, and renews nothing', { timeout: 90_000 }, async () => {
    const { name: vault, vault: resource } = await h.createVaultWithClient('certev');
    const url = resource.properties.vaultUri;
    const sub = await h.requestJson('PUT', '/admin/event-subscriptions/certs', {
      vault,
      endpoint: receiver.url('/certs'),
      includedEventTypes: [EVENT],
    });
    assert.equal(sub.status, 201, sub.text);
    const client = certificateClient(h, url);
    const poller = await client.beginCreateCertificate('mail-me', {
      issuerName: 'Self',
      subject: 'CN=mail-me',
      validityInMonths: 3,
      lifetimeActions: [{ action: 'EmailContacts', daysBeforeExpiry: 20 }],
    });
    const created = await poller.pollUntilDone();

    const deserializer = new EventGridDeserializer();
    const received = async () => {
      const all = [];
      for (const d of receiver.deliveries.filter((x) => x.path === '/certs')) {
        all.push(...(await deserializer.deserializeEventGridEvents(d.body)));
      }
      return all.filter((e) => e.eventType === EVENT);
    };
    const exp = Math.floor(created.properties.expiresOn.getTime() / 1000);
    const now = (await h.requestJson('POST', '/admin/test-clock', { advanceSeconds: 0 })).json.now;
    await h.advanceClock(exp - now - 25 * DAY); // 25 days before expiry: not yet
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await received()).length, 0, 'not before the action is due');
    await h.advanceClock(6 * DAY); // 19 days before
    await eventually(async () => assert.equal((await received()).length, 1), { timeoutMs: 10_000 });
    await h.advanceClock(DAY);
    await new Promise((r) => setTimeout(r, 300));
    const events = await received();
    assert.equal(events.length, 1, 'once per version');
    const [e] = events;
    assert.equal(e.subject, 'mail-me');
    assert.equal(e.topic.toLowerCase(), `/subscriptions/${h.admin.subscriptionId}/resourcegroups/${RESOURCE_GROUP}/providers/microsoft.keyvault/vaults/${vault}`.toLowerCase());
    assert.equal(e.data.Id, created.properties.id);
    assert.equal(e.data.ObjectType, 'Certificate');
    assert.equal(e.data.EXP, exp);
    const versions = [];
    // A new client: the first one's token has expired on the server's (moved) clock.
    const later = certificateClient(h, url);
    for await (const v of later.listPropertiesOfCertificateVersions('mail-me')) versions.push(v);
    assert.equal(versions.length, 1, 'EmailContacts does not renew');
  });
});
