// Authentication: the vault challenge, token validation, and the built-in
// token service (OpenID discovery + client-credentials token endpoint).
// Raw HTTPS requests, so each check sees exactly what is on the wire.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, API_VERSION, assertAzureError, rawRequest } from './harness.mjs';

const b64u = (x) => Buffer.from(x).toString('base64url');
const fromB64u = (s) => Buffer.from(s, 'base64url');

/** Splits a JWT into its decoded header/payload and raw parts. */
function parseJwt(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'access token is a JWS compact serialization');
  return {
    parts,
    header: JSON.parse(fromB64u(parts[0]).toString('utf8')),
    payload: JSON.parse(fromB64u(parts[1]).toString('utf8')),
    signature: fromB64u(parts[2]),
  };
}

const form = (fields) => new URLSearchParams(fields).toString();

describe('authentication', () => {
  let h;
  let vault; // name
  let secretsUrl; // a data-plane URL that needs auth
  let expectedChallenge;

  before(async () => {
    h = await startServer({ name: 'auth', testClock: true });
    vault = (await h.createVaultWithClient('auth')).name;
    const client = h.secretClient(h.vaultUrl(vault));
    await client.setSecret('s1', 'auth-test-value');
    secretsUrl = `${h.vaultUrl(vault)}/secrets/s1/?api-version=${API_VERSION}`;
    expectedChallenge = `Bearer authorization="${h.url}/${h.admin.tenantId}", resource="${h.url}"`;
  });
  after(async () => {
    await h?.dispose();
  });

  /** GET the test secret with the given Authorization header value (or none). */
  const getWith = (authorization) =>
    rawRequest({ url: secretsUrl, headers: authorization === undefined ? {} : { authorization } });

  /** Asserts a 401 that lets the SDK re-challenge (WWW-Authenticate names our authority and resource). */
  const assert401 = (res, what) => {
    assert.equal(res.status, 401, `${what}: expected 401, got ${res.status} ${res.text.slice(0, 200)}`);
    const challenge = res.headers['www-authenticate'] ?? '';
    assert.ok(challenge.startsWith('Bearer '), `${what}: WWW-Authenticate is "${challenge}"`);
    assert.ok(challenge.includes(`authorization="${h.url}/${h.admin.tenantId}"`), `${what}: ${challenge}`);
    assert.ok(challenge.includes(`resource="${h.url}"`), `${what}: ${challenge}`);
    assert.ok(!res.text.includes('auth-test-value'), `${what}: secret value leaked in a 401`);
  };

  it('a request without a token gets 401 with the exact challenge header', async () => {
    const res = await getWith(undefined);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], expectedChallenge);
    assertAzureError(res, 401, { code: 'Unauthorized' });
  });

  it('the body-less first PUT of the SDK challenge flow gets 401, not 400', async () => {
    const res = await rawRequest({
      method: 'PUT',
      url: `${h.vaultUrl(vault)}/secrets/newname?api-version=${API_VERSION}`,
      headers: { 'content-type': 'application/json', 'content-length': '0' },
    });
    assert.equal(res.status, 401, `${res.status} ${res.text}`);
    assert.equal(res.headers['www-authenticate'], expectedChallenge);
    // Also for a body-carrying request without auth, and for POST routes.
    const post = await rawRequest({
      method: 'POST',
      url: `${h.vaultUrl(vault)}/secrets/restore?api-version=${API_VERSION}`,
      headers: { 'content-type': 'application/json' },
      body: '{"value":"not-a-backup"}',
    });
    assert.equal(post.status, 401, `${post.status} ${post.text}`);
  });

  it('a valid token is accepted (control for the negative cases below)', async () => {
    const res = await getWith(`Bearer ${await h.token()}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.value, 'auth-test-value');
  });

  it('garbage and malformed tokens get 401', async () => {
    for (const auth of [
      'Bearer garbage',
      'Bearer ',
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.',
      'Basic dXNlcjpwYXNz',
      `Bearer ${'A'.repeat(4000)}`,
    ]) {
      assert401(await getWith(auth), JSON.stringify(auth.slice(0, 40)));
    }
  });

  it('an alg:none token (real payload, no signature) gets 401', async () => {
    const { parts } = parseJwt(await h.token());
    const none = `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${parts[1]}.`;
    assert401(await getWith(`Bearer ${none}`), 'alg none');
    assert401(await getWith(`Bearer ${none.slice(0, -1)}`), 'alg none, two segments');
  });

  it('a token with one flipped signature byte gets 401', async () => {
    const { parts, signature } = parseJwt(await h.token());
    const flipped = Buffer.from(signature);
    flipped[Math.floor(flipped.length / 2)] ^= 0x01;
    assert401(await getWith(`Bearer ${parts[0]}.${parts[1]}.${b64u(flipped)}`), 'flipped signature');
  });

  it('a token whose payload was modified (aud) but keeps the original signature gets 401', async () => {
    const { parts, payload } = parseJwt(await h.token());
    const forged = { ...payload, aud: 'https://other.example' };
    assert401(await getWith(`Bearer ${parts[0]}.${b64u(JSON.stringify(forged))}.${parts[2]}`), 'modified aud');
    const longer = { ...payload, exp: (payload.exp ?? 0) + 86_400 };
    assert401(await getWith(`Bearer ${parts[0]}.${b64u(JSON.stringify(longer))}.${parts[2]}`), 'extended exp');
  });

  it('a token for another audience is refused (by the token endpoint or by the vault)', async () => {
    let other;
    try {
      other = (await h.credential.getToken('https://other.example/.default')).token;
    } catch {
      return; // the token endpoint refused to issue it: fine
    }
    assert401(await getWith(`Bearer ${other}`), 'token for https://other.example');
  });

  it('the OpenID discovery document has issuer, authorization_endpoint, token_endpoint, jwks_uri', async () => {
    const res = await rawRequest({ url: `${h.url}/${h.admin.tenantId}/v2.0/.well-known/openid-configuration` });
    assert.equal(res.status, 200, res.text);
    for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      assert.equal(typeof res.json[k], 'string', `${k} present`);
    }
    assert.ok(res.json.token_endpoint.startsWith('https://'), 'token endpoint is https');
    const jwks = await rawRequest({ url: res.json.jwks_uri });
    assert.equal(jwks.status, 200, jwks.text);
    assert.ok(Array.isArray(jwks.json.keys) && jwks.json.keys.length > 0, 'jwks has keys');
    for (const k of jwks.json.keys) assert.ok(!('d' in k), 'no private key material in the JWKS');
  });

  it('the token endpoint issues tokens for the right secret and answers invalid_client for a wrong one', async () => {
    const disco = await rawRequest({ url: `${h.url}/${h.admin.tenantId}/v2.0/.well-known/openid-configuration` });
    const tokenUrl = disco.json.token_endpoint;
    const post = (secret) =>
      rawRequest({
        method: 'POST',
        url: tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: form({
          client_id: h.admin.clientId,
          client_secret: secret,
          grant_type: 'client_credentials',
          scope: h.scope,
        }),
      });

    const good = await post(h.admin.clientSecret);
    assert.equal(good.status, 200, good.text);
    assert.equal(typeof good.json.access_token, 'string');
    assert.ok(Number(good.json.expires_in) > 0, 'expires_in');
    assert.equal(String(good.json.token_type).toLowerCase(), 'bearer');
    assert.equal((await getWith(`Bearer ${good.json.access_token}`)).status, 200, 'raw-issued token works');

    const bad = await post(`${h.admin.clientSecret}x`);
    assert.equal(bad.status, 401, bad.text);
    assert.equal(bad.json?.error, 'invalid_client', bad.text);
    assert.ok(!('access_token' in bad.json));

    const empty = await post('');
    assert.ok([400, 401].includes(empty.status), `empty secret: ${empty.status}`);
    assert.ok(!empty.json || !('access_token' in empty.json));
  });

  it('the tenant in the path is matched case-insensitively', async () => {
    const t = h.admin.tenantId;
    const other = t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase();
    assert.notEqual(other, t, 'tenant id has letters to change case of');
    const disco = await rawRequest({ url: `${h.url}/${other}/v2.0/.well-known/openid-configuration` });
    assert.equal(disco.status, 200, disco.text);
    const tok = await rawRequest({
      method: 'POST',
      url: `${h.url}/${other}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        client_id: h.admin.clientId,
        client_secret: h.admin.clientSecret,
        grant_type: 'client_credentials',
        scope: h.scope,
      }),
    });
    assert.equal(tok.status, 200, tok.text);
    assert.equal((await getWith(`Bearer ${tok.json.access_token}`)).status, 200);
    // An unknown tenant is not served.
    const unknown = await rawRequest({ url: `${h.url}/not-a-tenant/v2.0/.well-known/openid-configuration` });
    assert.ok(unknown.status >= 400 && unknown.status < 500, `unknown tenant: ${unknown.status}`);
  });

  // Last: it moves the clock forward, which expires every token issued so far.
  it('an expired token (test clock +2 h) gets 401', async () => {
    const old = await h.token();
    assert.equal((await getWith(`Bearer ${old}`)).status, 200, 'valid before the clock moves');
    await h.advanceClock(2 * 3600);
    assert401(await getWith(`Bearer ${old}`), 'expired token');
    // A fresh token works again.
    assert.equal((await getWith(`Bearer ${await h.token()}`)).status, 200);
  });
});
