// The vault firewall (networkAcls): judged on the data plane only, before authentication, by
// the client's address. Clients bind to different loopback addresses (127.0.0.2, .3, .4) to be
// different machines; 127.0.0.4 plays a trusted reverse proxy.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, API_VERSION, RESOURCE_GROUP } from './harness.mjs';

const ARM_VERSION = '2026-02-01';

describe('vault firewall', () => {
  let h;
  before(async () => {
    h = await startServer({
      name: 'firewall',
      extraArgs: ['--trusted-proxy', '127.0.0.4', '--network', 'office=127.0.0.5/32,127.0.0.6/32'],
    });
  });
  after(async () => {
    await h?.dispose();
  });

  const vaultPath = (name) =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}` +
    `/providers/Microsoft.KeyVault/vaults/${name}?api-version=${ARM_VERSION}`;

  async function putVault(name, properties, localAddress) {
    return h.request({
      token: true,
      method: 'PUT',
      url: vaultPath(name),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        location: 'local',
        properties: { tenantId: h.admin.tenantId, sku: { family: 'A', name: 'standard' }, ...properties },
      }),
      localAddress,
    });
  }

  async function listSecrets(vault, localAddress, headers = {}) {
    return h.request({
      token: true,
      method: 'GET',
      url: `${h.vaultUrl(vault)}/secrets?api-version=${API_VERSION}`,
      headers,
      localAddress,
    });
  }

  it('allows listed addresses and named networks, denies the rest with ForbiddenByFirewall', { timeout: 60_000 }, async () => {
    const name = `fw${Date.now().toString(36)}`;
    const created = await putVault(name, {
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'None',
        ipRules: [{ value: '127.0.0.2' }],
        virtualNetworkRules: [{ id: 'office' }],
      },
    });
    assert.equal(created.status, 200, created.text);
    // Azure returns single addresses as /32.
    assert.deepEqual(created.json.properties.networkAcls.ipRules, [{ value: '127.0.0.2/32' }]);
    assert.equal(created.json.properties.networkAcls.defaultAction, 'Deny');

    assert.equal((await listSecrets(name, '127.0.0.2')).status, 200, 'ipRule');
    assert.equal((await listSecrets(name, '127.0.0.6')).status, 200, 'named network');
    const denied = await listSecrets(name, '127.0.0.3');
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'Forbidden');
    assert.equal(denied.json.error.innererror.code, 'ForbiddenByFirewall');
    assert.match(denied.json.error.message, /Client address: 127\.0\.0\.3/);

    // Before authentication: no token still gets the firewall's 403, not a 401 challenge.
    const anonymous = await h.request({
      method: 'GET',
      url: `${h.vaultUrl(name)}/secrets?api-version=${API_VERSION}`,
      localAddress: '127.0.0.3',
    });
    assert.equal(anonymous.status, 403);

    // X-Forwarded-For counts only from the trusted proxy.
    const viaProxy = await listSecrets(name, '127.0.0.4', { 'x-forwarded-for': '127.0.0.2' });
    assert.equal(viaProxy.status, 200, 'trusted proxy forwarding an allowed client');
    const spoofed = await listSecrets(name, '127.0.0.3', { 'x-forwarded-for': '127.0.0.2' });
    assert.equal(spoofed.status, 403, 'X-Forwarded-For from an untrusted peer is ignored');
    const proxiedDenied = await listSecrets(name, '127.0.0.4', { 'x-forwarded-for': '127.0.0.3' });
    assert.equal(proxiedDenied.status, 403, 'the proxy itself is not an allowed client');

    // The management plane is not behind the vault firewall.
    const armFromBlocked = await h.request({ token: true, method: 'GET', url: vaultPath(name), localAddress: '127.0.0.3' });
    assert.equal(armFromBlocked.status, 200);

    // Opening the firewall (defaultAction Allow) lets everyone through again.
    const opened = await putVault(name, { networkAcls: { defaultAction: 'Allow' } }, '127.0.0.3');
    assert.equal(opened.status, 200, opened.text);
    assert.equal((await listSecrets(name, '127.0.0.3')).status, 200);
  });

  it('publicNetworkAccess Disabled blocks the data plane with ForbiddenByConnection', { timeout: 30_000 }, async () => {
    const name = `fwoff${Date.now().toString(36)}`.slice(0, 24);
    assert.equal((await putVault(name, { publicNetworkAccess: 'Disabled' })).status, 200);
    const res = await listSecrets(name, '127.0.0.2');
    assert.equal(res.status, 403);
    assert.equal(res.json.error.innererror.code, 'ForbiddenByConnection');
  });

  it('rejects malformed rules and unknown networks with 400', async () => {
    for (const networkAcls of [
      { defaultAction: 'Deny', ipRules: [{ value: '300.1.1.1' }] },
      { defaultAction: 'Deny', ipRules: [{ value: '10.0.0.0/40' }] },
      { defaultAction: 'Sometimes' },
      { defaultAction: 'Deny', virtualNetworkRules: [{ id: 'nowhere' }] },
    ]) {
      const res = await putVault(`fwbad${Date.now().toString(36)}`.slice(0, 24), { networkAcls });
      assert.equal(res.status, 400, JSON.stringify(networkAcls) + ' ' + res.text);
      assert.ok(res.json.error.code);
    }
  });
});
