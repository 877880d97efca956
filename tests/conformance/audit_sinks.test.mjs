// Audit sinks (issue 6): the audit log copied to syslog (RFC 5424 over TCP with octet counting,
// and over UDP) and to an HTTPS webhook in {"records": [...]} batches. Every sink gets the same
// chained records as the file, none gets a secret, and the webhook gets what it missed while
// it was down. Sink health is on /metrics.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';

import { startServer, secretName, eventually, RESOURCE_GROUP } from './harness.mjs';
import { auditRecords } from './audit_util.mjs';
import { startWebhookReceiver, WebhookReceiver } from './webhook_receiver.mjs';
import { httpGet, metricsUrlOf, parsePrometheus } from './metrics_util.mjs';

const SYSLOG = /^<134>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) keyhaven (\d+) audit - (\{.*\})$/;

/** A TCP syslog collector (RFC 6587 octet counting). */
async function tcpSyslog() {
  const messages = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString());
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { messages, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

const seqs = (records) => records.map((r) => r.chain.seq);

describe('audit sinks: syslog and webhook', () => {
  let h;
  let syslog;
  let receiver;
  let cert;
  before(async () => {
    syslog = await tcpSyslog();
    ({ receiver, cert } = await startWebhookReceiver());
    h = await startServer({
      name: 'audit-sinks',
      extraArgs: [
        '--audit-syslog', `tcp://127.0.0.1:${syslog.port}`,
        '--audit-webhook', receiver.url('/audit'),
        '--event-webhook-ca', cert.cert,
        '--metrics-listen', '127.0.0.1:0',
      ],
    });
  });
  after(async () => {
    await h?.dispose();
    await receiver?.close();
    await syslog?.close();
  });

  const fileRecords = () => auditRecords(path.join(h.dataDir, 'audit'));
  const webhookRecords = () =>
    receiver.deliveries.filter((d) => d.path === '/audit').flatMap((d) => JSON.parse(d.body).records);
  const syslogRecords = () =>
    syslog.messages.map((m) => {
      const parsed = SYSLOG.exec(m);
      assert.ok(parsed, `an RFC 5424 message: ${m.slice(0, 120)}`);
      const record = JSON.parse(parsed[4]);
      assert.equal(parsed[1], record.time, 'the syslog timestamp is the record time');
      return record;
    });

  it('every sink gets the same chained records as the file, and no secret', { timeout: 60_000 }, async () => {
    const { client } = await h.createVaultWithClient('sink');
    const value = `CANARYsink${Date.now()}abcdef0123456789`;
    const name = secretName('sink');
    await client.setSecret(name, value);
    await client.getSecret(name);
    await eventually(() => {
      const file = fileRecords();
      assert.ok(file.some((r) => r.operationName === 'SecretGet'));
      assert.deepEqual(seqs(syslogRecords()), seqs(file), 'syslog has every record, in order');
      assert.deepEqual(seqs(webhookRecords()), seqs(file), 'the webhook has every record, in order');
    }, { timeoutMs: 10_000 });
    assert.deepEqual(webhookRecords(), fileRecords(), 'the same records, chain and all');
    assert.ok(!syslog.messages.join('\n').includes(value), 'no secret value in syslog');
    assert.ok(!receiver.deliveries.map((d) => d.body).join('\n').includes(value), 'none in the webhook');
  });

  it('the webhook gets what it missed while it was down', { timeout: 60_000 }, async () => {
    const port = receiver.port;
    await receiver.close();
    const { client } = await h.createVaultWithClient('sinkdown');
    await client.setSecret(secretName('while-down'), 'v');
    await new Promise((r) => setTimeout(r, 1500)); // at least one failed send
    const families = parsePrometheus((await httpGet(metricsUrlOf(h))).body);
    const up = families.find((f) => f.name === 'keyhaven_audit_sink_up').samples;
    assert.equal(up.find((s) => s.labels.sink === 'webhook').value, 0, 'the webhook is down');
    assert.equal(up.find((s) => s.labels.sink === 'syslog-tcp').value, 1);
    const missed = receiver.deliveries;
    receiver = new WebhookReceiver(cert);
    receiver.deliveries = missed;
    await receiver.listen(port);
    await eventually(() => {
      const file = seqs(fileRecords());
      const got = new Set(seqs(webhookRecords()));
      assert.deepEqual(file.filter((s) => !got.has(s)), [], 'records the webhook never got');
    }, { timeoutMs: 15_000 });
  });

  it("a vault's diagnostic settings send its records, and only its, to their destination", { timeout: 60_000 }, async () => {
    const a = await h.createVaultWithClient('diaga');
    const b = await h.createVaultWithClient('diagb');
    const settings = (vault) =>
      `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}/providers/Microsoft.Insights/diagnosticSettings`;
    const put = (body) => h.requestJson('PUT', `${settings(a.name)}/to-webhook?api-version=2021-05-01-preview`, body);
    assert.equal((await put({ properties: { logs: [{ category: 'AuditEvent', enabled: true }] } })).status, 400, 'no destination');
    assert.equal((await put({ properties: { keyhavenWebhookUrl: receiver.url('/diag'), logs: [] } })).status, 400, 'audit not enabled');
    const created = await put({
      properties: { keyhavenWebhookUrl: receiver.url('/diag'), logs: [{ category: 'AuditEvent', enabled: true }] },
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.type, 'Microsoft.Insights/diagnosticSettings');
    const listed = await h.requestJson('GET', `${settings(a.name)}?api-version=2021-05-01-preview`);
    assert.deepEqual(listed.json.value.map((s) => s.name), ['to-webhook']);

    await a.client.setSecret(secretName('diag'), 'v');
    await b.client.setSecret(secretName('diag'), 'v');
    const idOf = (vault) => `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/${vault}`.toUpperCase();
    const diag = () => receiver.deliveries.filter((d) => d.path === '/diag').flatMap((d) => JSON.parse(d.body).records);
    await eventually(() => assert.ok(diag().some((r) => r.operationName === 'SecretSet'), 'vault A\'s SecretSet'), { timeoutMs: 10_000 });
    assert.ok(diag().every((r) => r.resourceId === idOf(a.name)), 'only vault A\'s records');

    assert.equal((await h.requestJson('DELETE', `${settings(a.name)}/to-webhook?api-version=2021-05-01-preview`)).status, 200);
    const before = diag().length;
    await a.client.setSecret(secretName('after'), 'v');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(diag().length, before, 'nothing after the setting went');
    assert.equal((await h.requestJson('GET', `${settings(a.name)}/to-webhook?api-version=2021-05-01-preview`)).status, 404);
  });

  it('syslog over UDP too', { timeout: 60_000 }, async () => {
    const socket = dgram.createSocket('udp4');
    const datagrams = [];
    socket.on('message', (m) => datagrams.push(m.toString('utf8')));
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const udp = await startServer({ name: 'audit-udp', extraArgs: ['--audit-syslog', `udp://127.0.0.1:${socket.address().port}`] });
    try {
      await udp.createVaultWithClient('udp');
      await eventually(() => {
        const records = datagrams.map((d) => JSON.parse(SYSLOG.exec(d)[4]));
        assert.ok(records.some((r) => r.operationName === 'VaultPut'), 'the vault creation');
      }, { timeoutMs: 10_000 });
    } finally {
      await udp.dispose();
      socket.close();
    }
  });
});
