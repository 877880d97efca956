// Metrics (issue 6): Azure Key Vault's metrics (ServiceApiHit, ServiceApiLatency,
// ServiceApiResult, Availability, SaturationShoebox) with Azure's dimensions, and the audit log's
// health, in Prometheus text on a separate plain-HTTP listener; parsed with the official
// Prometheus client's parser.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, rejectsWith, rawRequest, API_VERSION } from './harness.mjs';
import { httpGet as get, parsePrometheus as parse, metricsUrlOf } from './metrics_util.mjs';

describe('metrics (/metrics on its own listener)', () => {
  let h;
  let metricsUrl;
  before(async () => {
    h = await startServer({ name: 'metrics', extraArgs: ['--metrics-listen', '127.0.0.1:0', '--vault-request-limit', '1000'] });
    metricsUrl = metricsUrlOf(h);
  });
  after(async () => {
    await h?.dispose();
  });

  it('counts requests by vault, activity and status, and parses as Prometheus text', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('met');
    const name = secretName('m');
    await client.setSecret(name, 'v');
    for (let i = 0; i < 3; i++) await client.getSecret(name);
    await rejectsWith(client.getSecret(secretName('absent')), { status: 404 });
    const unauth = await rawRequest({ url: `${h.vaultUrl(vault)}/secrets?api-version=${API_VERSION}` });
    assert.equal(unauth.status, 401);

    const res = await get(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const families = parse(res.body);
    const family = (n) => families.find((f) => f.name === n);
    const sample = (n, labels) =>
      families
        .flatMap((f) => f.samples)
        .find((s) => s.name === n && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    assert.equal(family('keyhaven_service_api_hit').type, 'counter');
    assert.equal(family('keyhaven_service_api_latency_milliseconds').type, 'histogram');
    assert.equal(family('keyhaven_availability_percent').type, 'gauge');
    const get4 = { vault, activity_type: 'secret', activity_name: 'SecretGet' };
    assert.equal(sample('keyhaven_service_api_hit_total', get4).value, 4);
    assert.equal(sample('keyhaven_service_api_result_total', { ...get4, status_code: '200', status_code_class: '2xx' }).value, 3);
    assert.equal(sample('keyhaven_service_api_result_total', { ...get4, status_code: '404', status_code_class: '4xx' }).value, 1);
    assert.equal(sample('keyhaven_service_api_latency_milliseconds_count', get4).value, 4);
    assert.equal(sample('keyhaven_service_api_latency_milliseconds_bucket', { ...get4, le: '+Inf' }).value, 4);
    // The SDK's own first request is a 401 challenge too.
    const challenges = sample('keyhaven_service_api_result_total', { vault, activity_name: 'Authentication', status_code: '401' });
    assert.ok(challenges.value >= 1, 'the 401s are counted');
    assert.equal(sample('keyhaven_service_api_hit_total', { vault, activity_name: 'SecretSet' }).value, 1);
    assert.equal(sample('keyhaven_availability_percent', { vault }).value, 100);
    const saturation = sample('keyhaven_saturation_shoebox_percent', { vault }).value;
    assert.ok(saturation > 0 && saturation <= 100, `saturation ${saturation}`);
    assert.equal(sample('keyhaven_audit_writable', {}).value, 1);
    assert.ok(sample('keyhaven_audit_records_written_total', {}).value >= 1);

    const other = await get(metricsUrl.replace('/metrics', '/'));
    assert.equal(other.status, 404, 'only /metrics is served there');
  });
});
