// The server's own output (stdout + stderr) must never contain secret values,
// the admin client secret, or bearer tokens: not on success paths, and not
// when it rejects a request that carried them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, secretName, randomHex, rejectsWith, rawRequest, API_VERSION } from './harness.mjs';

const LRO = { intervalInMs: 20 };

describe('no secret material in server output', () => {
  let h;
  before(async () => {
    h = await startServer({ name: 'no-leak' });
  });
  after(async () => {
    await h?.dispose();
  });

  it('values, client secrets and tokens never appear in stdout/stderr', { timeout: 60_000 }, async () => {
    const mark = () => `LEAKCHECK-${randomHex(12)}`;
    const sensitive = []; // everything that must not show up in the output
    const remember = (v) => (sensitive.push(v), v);

    const { name: vault, client } = await h.createVaultWithClient('leak');
    const base = h.vaultUrl(vault);

    // Success paths through the SDK.
    const name = secretName('leak');
    const v1 = remember(mark());
    const v2 = remember(mark());
    await client.setSecret(name, v1, { contentType: 'text/plain' });
    const s2 = await client.setSecret(name, v2);
    assert.equal((await client.getSecret(name)).value, v2);
    await client.updateSecretProperties(name, s2.properties.version, { tags: { k: 'v' } });
    for await (const p of client.listPropertiesOfSecrets()) void p;
    const blob = await client.backupSecret(name);
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    await client.getDeletedSecret(name);
    await (await client.beginRecoverDeletedSecret(name, LRO)).pollUntilDone();
    await (await client.beginDeleteSecret(name, LRO)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    await client.restoreSecretBackup(blob);

    // Error paths that carry a value in the request.
    const tooBig = remember(mark());
    await rejectsWith(client.setSecret(secretName('big'), tooBig + 'x'.repeat(25600)), { status: 400 });
    const gone = secretName('gone');
    await client.setSecret(gone, remember(mark()));
    await (await client.beginDeleteSecret(gone, LRO)).pollUntilDone();
    await rejectsWith(client.setSecret(gone, remember(mark())), { status: 409 });

    const token = remember(await h.token());
    const raw = async (method, path, body) => {
      const res = await rawRequest({
        method,
        url: `${base}${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      for (const v of sensitive) assert.ok(!res.text.includes(v), `response to ${method} ${path} echoes ${v}`);
      return res;
    };
    const inBrokenJson = remember(mark());
    assert.equal((await raw('PUT', `/secrets/x?api-version=${API_VERSION}`, `{"value":"${inBrokenJson}"`)).status, 400);
    const inWrongType = remember(mark());
    assert.equal(
      (await raw('PUT', `/secrets/x?api-version=${API_VERSION}`, JSON.stringify({ value: 1, tags: inWrongType })))
        .status,
      400,
    );
    const inBadName = remember(mark());
    assert.equal(
      (await raw('PUT', `/secrets/bad_name?api-version=${API_VERSION}`, JSON.stringify({ value: inBadName }))).status,
      400,
    );
    // Certificates: an issuer password, and import passwords and key text that are refused.
    const issuerPassword = remember(mark());
    const issuer = await raw('PUT', `/certificates/issuers/leak-issuer?api-version=${API_VERSION}`,
      JSON.stringify({ provider: 'Test', credentials: { account_id: 'a', pwd: issuerPassword } }));
    assert.equal(issuer.status, 200, issuer.text);
    assert.equal((await raw('GET', `/certificates/issuers/leak-issuer?api-version=${API_VERSION}`)).status, 200);
    const pfxPassword = remember(mark());
    assert.equal((await raw('POST', `/certificates/leakpfx/import?api-version=${API_VERSION}`,
      JSON.stringify({ value: Buffer.from(`not a pfx ${mark()}`).toString('base64'), pwd: pfxPassword }))).status, 400);
    const keyText = remember(mark());
    assert.equal((await raw('POST', `/certificates/leakpem/import?api-version=${API_VERSION}`,
      JSON.stringify({ value: `-----BEGIN PRIVATE KEY-----\n${keyText}\n-----END PRIVATE KEY-----\n` }))).status, 400);

    // A rejected token must not be logged either.
    const badToken = remember(`${token.slice(0, -8)}AAAAAAAA`);
    const unauth = await rawRequest({ url: `${base}/secrets?api-version=${API_VERSION}`, headers: { authorization: `Bearer ${badToken}` } });
    assert.equal(unauth.status, 401);

    // Token endpoint: the right secret and a wrong one.
    remember(h.admin.clientSecret);
    const wrongSecret = remember(mark());
    const disco = await rawRequest({ url: `${h.url}/${h.admin.tenantId}/v2.0/.well-known/openid-configuration` });
    const tokenRes = await rawRequest({
      method: 'POST',
      url: disco.json.token_endpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: h.admin.clientId,
        client_secret: wrongSecret,
        grant_type: 'client_credentials',
        scope: h.scope,
      }).toString(),
    });
    assert.equal(tokenRes.status, 401);
    assert.ok(!tokenRes.text.includes(wrongSecret), 'token error echoes the submitted secret');

    // Stop first so everything the server buffered has been written.
    const exit = await h.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'clean exit on SIGTERM');
    const out = h.output();
    for (const v of sensitive) {
      assert.ok(!out.includes(v), `server output contains sensitive string ${v.slice(0, 24)}...`);
    }
    // Not even the signature part of a token (headers/payloads are not secret, signatures are bearer material).
    const signature = token.split('.')[2];
    if (signature) assert.ok(!out.includes(signature), 'server output contains a token signature');
  });
});
