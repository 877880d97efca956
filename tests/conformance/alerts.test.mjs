// Alert rules (issue 6): conditions over the request stream in a sliding window fire once and
// resolve once, to a webhook and the server log; /admin/alerts shows their state.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, eventually, rawRequest, API_VERSION } from './harness.mjs';
import { startWebhookReceiver } from './webhook_receiver.mjs';

const LRO = { intervalInMs: 20 };

describe('alert rules', () => {
  let h;
  let receiver;
  before(async () => {
    let cert;
    ({ receiver, cert } = await startWebhookReceiver());
    h = await startServer({ name: 'alerts', extraArgs: ['--event-webhook-ca', cert.cert] });
  });
  after(async () => {
    await h?.dispose();
    await receiver?.close();
  });

  const notices = (hookPath) => receiver.deliveries.filter((d) => d.path === hookPath).map((d) => JSON.parse(d.body));
  const state = async (rule) =>
    (await h.requestJson('GET', '/admin/alerts')).json.value.find((a) => a.rule === rule);

  it('refuses a malformed rule', async () => {
    const bad = await h.requestJson('PUT', '/admin/alert-rules/bad', { condition: 'Sometimes', threshold: 1 });
    assert.equal(bad.status, 400, bad.text);
    const noThreshold = await h.requestJson('PUT', '/admin/alert-rules/bad', { statusCodes: [401] });
    assert.equal(noThreshold.status, 400);
    assert.equal((await h.requestJson('GET', '/admin/alert-rules/bad')).status, 404);
  });

  it('fires on a burst of denials for one vault, once, and resolves when the window empties', { timeout: 60_000 }, async () => {
    const { name: vault } = await h.createVaultWithClient('alr');
    const put = await h.requestJson('PUT', '/admin/alert-rules/denied-burst', {
      vault,
      statusCodes: [401, 403],
      condition: 'CountAbove',
      threshold: 3,
      windowSeconds: 3,
      webhook: receiver.url('/denied'),
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.json.condition, 'CountAbove');
    const listed = await h.requestJson('GET', '/admin/alert-rules');
    assert.ok(listed.json.value.some((r) => r.name === 'denied-burst'));

    for (let i = 0; i < 6; i++) {
      const r = await rawRequest({ url: `${h.vaultUrl(vault)}/secrets?api-version=${API_VERSION}` });
      assert.equal(r.status, 401);
    }
    await eventually(async () => {
      assert.deepEqual(notices('/denied').map((n) => n.state), ['Fired']);
      assert.equal((await state('denied-burst')).state, 'Fired');
    }, { timeoutMs: 5000 });
    const fired = notices('/denied')[0];
    assert.equal(fired.rule, 'denied-burst');
    assert.ok(fired.value > 3, `value ${fired.value}`);
    assert.equal(fired.vault, vault);

    // No repeat while it holds; resolved once the denials leave the 3-second window.
    await eventually(async () => {
      assert.deepEqual(notices('/denied').map((n) => n.state), ['Fired', 'Resolved']);
      const s = await state('denied-burst');
      assert.equal(s.state, 'Resolved');
      assert.ok(s.resolvedAt);
    }, { timeoutMs: 8000 });
    assert.match(h.output(), /ALERT Fired: rule denied-burst/);
    assert.match(h.output(), /ALERT Resolved: rule denied-burst/);
  });

  it('fires on any purge', { timeout: 60_000 }, async () => {
    assert.equal((await h.requestJson('PUT', '/admin/alert-rules/any-purge', {
      operationNames: ['SecretPurge', 'KeyPurge', 'VaultPurge'],
      threshold: 0,
      windowSeconds: 2,
      webhook: receiver.url('/purge'),
    })).status, 201);
    const { client } = await h.createVaultWithClient('alp');
    const name = secretName('gone');
    await client.setSecret(name, 'v');
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    assert.deepEqual(notices('/purge'), [], 'a delete is not a purge');
    await client.purgeDeletedSecret(name);
    await eventually(() => assert.deepEqual(notices('/purge').map((n) => n.state), ['Fired']), { timeoutMs: 5000 });
    await eventually(() => assert.deepEqual(notices('/purge').map((n) => n.state), ['Fired', 'Resolved']), { timeoutMs: 6000 });
    assert.equal((await h.requestJson('DELETE', '/admin/alert-rules/any-purge')).status, 200);
    assert.equal((await state('any-purge')), undefined);
  });
});
