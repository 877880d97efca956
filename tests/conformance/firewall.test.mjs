// The vault firewall (networkAcls): judged on the data plane only, before authentication, by
// the client's address. Clients bind to different loopback addresses (127.0.0.2, .3, .4, ::1) to
// be different machines; 127.0.0.4 plays a trusted reverse proxy. The server listens on
// 127.0.0.1 and [::1] (same port) and has a private listener (Azure's private endpoint).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { startServer, API_VERSION, RESOURCE_GROUP } from './harness.mjs';

const ARM_VERSION = '2026-02-01';

/** True when this machine can listen on the IPv6 loopback (containers often cannot). */
function hasIpv6Loopback() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe('vault firewall', () => {
  let h;
  let ipv6 = false;
  before(async () => {
    ipv6 = await hasIpv6Loopback();
    h = await startServer({
      name: 'firewall',
      extraArgs: [
        // The harness passes --listen 127.0.0.1:0 first; this one binds the port that got.
        ...(ipv6 ? ['--listen', '[::1]:0'] : []),
        '--private-listen', '127.0.0.1:0',
        '--trusted-proxy', '127.0.0.4',
        '--network', 'office=127.0.0.5/32,127.0.0.6/32',
      ],
    });
    assert.ok(h.privatePort, 'the server printed its private listener');
    assert.notEqual(h.privatePort, h.port);
  });
  after(async () => {
    await h?.dispose();
  });

  const vaultPath = (name) =>
    `/subscriptions/${h.admin.subscriptionId}/resourceGroups/${RESOURCE_GROUP}` +
    `/providers/Microsoft.KeyVault/vaults/${name}?api-version=${ARM_VERSION}`;

  // localAddress '::1' connects to the server's [::1] listener (family 6).
  const familyOf = (localAddress) => (localAddress?.includes(':') ? 6 : undefined);

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
      family: familyOf(localAddress),
    });
  }

  async function listSecrets(vault, localAddress, headers = {}, { port = h.port, token = true } = {}) {
    return h.request({
      token,
      method: 'GET',
      url: `https://${vault}.localhost:${port}/secrets?api-version=${API_VERSION}`,
      headers,
      localAddress,
      family: familyOf(localAddress),
    });
  }

  // Through the private listener: Azure's private endpoint.
  const listSecretsPrivately = (vault, localAddress, opts = {}) =>
    listSecrets(vault, localAddress, {}, { ...opts, port: h.privatePort });

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

  it('IPv6: a ::1 client is allowed by an ::1/128 ipRule and denied by default', { timeout: 60_000 }, async (t) => {
    if (!ipv6) {
      t.skip('this machine has no IPv6 loopback (cannot listen on ::1): IPv6 firewall case not run');
      return;
    }
    const name = `fw6${Date.now().toString(36)}`;
    const created = await putVault(name, {
      networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '127.0.0.2' }, { value: '::1' }] },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.json.properties.networkAcls.ipRules, [{ value: '127.0.0.2/32' }, { value: '::1/128' }]);
    assert.equal((await listSecrets(name, '::1')).status, 200, '::1 by the ::1/128 ipRule');
    assert.equal((await listSecrets(name, '127.0.0.2')).status, 200, 'the IPv4 rule on the same port');

    // Without the IPv6 rule, the default action (Deny) applies to ::1. The change takes effect at
    // once: each vault's parsed rules follow its updates.
    const narrowed = await putVault(name, { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '127.0.0.2' }] } });
    assert.equal(narrowed.status, 200, narrowed.text);
    const denied = await listSecrets(name, '::1');
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.json.error.innererror.code, 'ForbiddenByFirewall');
    assert.match(denied.json.error.message, /Client address: ::1\r?\n/);
    assert.equal((await listSecrets(name, '127.0.0.2')).status, 200);

    // The management plane answers the denied ::1 client.
    const arm = await h.request({ token: true, method: 'GET', url: vaultPath(name), localAddress: '::1', family: 6 });
    assert.equal(arm.status, 200, arm.text);
  });

  it('publicNetworkAccess Disabled: ForbiddenByConnection publicly, 200 through the private listener', { timeout: 60_000 }, async () => {
    const name = `fwoff${Date.now().toString(36)}`.slice(0, 24);
    const created = await putVault(name, {
      publicNetworkAccess: 'Disabled',
      networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [{ value: '127.0.0.9' }] },
    });
    assert.equal(created.status, 200, created.text);
    for (const client of ['127.0.0.2', '127.0.0.9', ...(ipv6 ? ['::1'] : [])]) {
      const res = await listSecrets(name, client);
      assert.equal(res.status, 403, `${client}: ${res.text}`);
      assert.equal(res.json.error.code, 'Forbidden');
      assert.equal(res.json.error.innererror.code, 'ForbiddenByConnection', client);
      assert.match(res.json.error.message, /^Public network access is disabled/);
    }
    // A trusted proxy's X-Forwarded-For does not make a public request private.
    const proxied = await listSecrets(name, '127.0.0.4', { 'x-forwarded-for': '127.0.0.9' });
    assert.equal(proxied.json?.error?.innererror?.code, 'ForbiddenByConnection');

    // The private endpoint needs no firewall entry: defaultAction Deny and no matching ipRule.
    const priv = await listSecretsPrivately(name, '127.0.0.3');
    assert.equal(priv.status, 200, priv.text);
    assert.ok(Array.isArray(priv.json.value));
    // It still needs a token: the firewall is passed, authentication is not.
    const anonymous = await listSecretsPrivately(name, '127.0.0.3', { token: false });
    assert.equal(anonymous.status, 401, anonymous.text);

    // The management plane is unaffected: the vault is readable and can be reopened publicly.
    const arm = await h.request({ token: true, method: 'GET', url: vaultPath(name), localAddress: '127.0.0.3' });
    assert.equal(arm.status, 200, arm.text);
    assert.equal(arm.json.properties.publicNetworkAccess, 'Disabled');
    const reopened = await putVault(name, { publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow' } }, '127.0.0.3');
    assert.equal(reopened.status, 200, reopened.text);
    assert.equal((await listSecrets(name, '127.0.0.3')).status, 200);
  });

  it('the private listener passes the IP rules of a public vault too', { timeout: 30_000 }, async () => {
    const name = `fwpe${Date.now().toString(36)}`.slice(0, 24);
    const created = await putVault(name, { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '127.0.0.2' }] } });
    assert.equal(created.status, 200, created.text);
    assert.equal((await listSecrets(name, '127.0.0.3')).status, 403);
    assert.equal((await listSecretsPrivately(name, '127.0.0.3')).status, 200);
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
