// Hostile or malformed input, sent raw with a valid token. Every rejection
// must be a JSON error, and the server must stay up after each test.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';

import { startServer, API_VERSION, assertAzureError, sleep } from './harness.mjs';

const SLOW_CLIENT_LIMIT_MS = 40_000;

describe('bad input', () => {
  let h;
  let base; // https://<vault>.localhost:PORT
  const q = `api-version=${API_VERSION}`;

  before(async () => {
    h = await startServer({ name: 'bad-input' });
    base = h.vaultUrl((await h.createVaultWithClient('bad')).name);
  });
  afterEach(async () => {
    await h.assertAlive();
  });
  after(async () => {
    await h?.dispose();
  });

  it('malformed JSON body is 400 with an error code', async () => {
    for (const body of ['{"value":', 'not json', '{"value":"x"} trailing', '\u0000\u0001', '[]', 'null']) {
      const res = await h.requestJson('PUT', `${base}/secrets/s1?${q}`, body);
      assertAzureError(res, 400);
    }
  });

  it('wrong JSON types are 400', async () => {
    const cases = [
      { value: 5 },
      { value: null },
      {},
      { value: 'x', tags: 'not-an-object' },
      { value: 'x', tags: { a: 1 } },
      { value: 'x', contentType: 7 },
      { value: 'x', attributes: { enabled: 'yes' } },
      { value: 'x', attributes: { exp: 'tomorrow' } },
    ];
    for (const body of cases) {
      const res = await h.requestJson('PUT', `${base}/secrets/s1?${q}`, body);
      assertAzureError(res, 400);
    }
    // The PATCH route validates too.
    const ok = await h.requestJson('PUT', `${base}/secrets/typed?${q}`, { value: 'x' });
    assert.equal(ok.status, 200, ok.text);
    const version = ok.json.id.split('/').pop();
    assertAzureError(await h.requestJson('PATCH', `${base}/secrets/typed/${version}?${q}`, { tags: [1, 2] }), 400);
  });

  it('a 2 MiB body is rejected with 413 or 400 and a JSON error', async () => {
    const huge = JSON.stringify({ value: 'x'.repeat(2 * 1024 * 1024) });
    const res = await h.requestJson('PUT', `${base}/secrets/huge?${q}`, huge, { timeoutMs: 30_000 });
    assertAzureError(res, [413, 400]);
  });

  it('a 100 KiB header is rejected with 431 or 400', async () => {
    const res = await h.request({
      url: `${base}/secrets?${q}`,
      token: true,
      headers: { 'x-huge': 'h'.repeat(100 * 1024) },
    });
    assert.ok([431, 400].includes(res.status), `got ${res.status}`);
  });

  it('many headers are rejected or served, never crash the server', async () => {
    const headers = {};
    for (let i = 0; i < 2000; i++) headers[`x-h-${i}`] = 'v';
    const res = await h.request({ url: `${base}/secrets?${q}`, token: true, headers });
    assert.ok([200, 400, 431].includes(res.status), `got ${res.status}`);
  });

  it('an unknown route is 404 (or 400) with a JSON error', async () => {
    assertAzureError(await h.request({ url: `${base}/nothing/here?${q}`, token: true }), [404, 400]);
    assertAzureError(await h.request({ url: `${base}/secrets/a/b/c/d?${q}`, token: true }), [404, 400]);
  });

  it('a wrong method is 405 with a JSON error', async () => {
    assertAzureError(await h.requestJson('PATCH', `${base}/secrets?${q}`, { value: 'x' }), 405);
    assertAzureError(await h.request({ method: 'DELETE', url: `${base}/secrets/restore?${q}`, token: true }), [405, 404]);
    assertAzureError(await h.request({ method: 'PUT', url: `${base}/deletedsecrets?${q}`, token: true }), 405);
  });

  it('bad percent-encoding in the query or path is 400', async () => {
    assertAzureError(await h.request({ url: `${base}/secrets?api-version=%zz`, token: true }), 400);
    assertAzureError(await h.request({ url: `${base}/secrets?${q}&maxresults=%`, token: true }), 400);
    assertAzureError(await h.request({ url: `${base}/secrets/ab%zzcd?${q}`, token: true }), [400, 404]);
  });

  it('invalid secret names are 400 (127 characters is the maximum)', async () => {
    for (const name of ['bad_name', 'a'.repeat(128), 'dot.name', 'sp%20ace', '%C3%A9t%C3%A9']) {
      const res = await h.requestJson('PUT', `${base}/secrets/${name}?${q}`, { value: 'x' });
      assertAzureError(res, 400);
    }
    const max = 'a'.repeat(127);
    const ok = await h.requestJson('PUT', `${base}/secrets/${max}?${q}`, { value: 'x' });
    assert.equal(ok.status, 200, ok.text);
  });

  it('maxresults outside 1..25 is 400', async () => {
    for (const m of ['0', '26', '-1', 'abc', '1.5', '99999999999999999999']) {
      assertAzureError(await h.request({ url: `${base}/secrets?${q}&maxresults=${m}`, token: true }), 400);
    }
    for (const m of ['1', '25']) {
      const res = await h.request({ url: `${base}/secrets?${q}&maxresults=${m}`, token: true });
      assert.equal(res.status, 200, `maxresults=${m}: ${res.text}`);
    }
  });

  it(
    'slow clients (partial request line, silent TLS handshake) are cut off while others are served',
    { timeout: SLOW_CLIENT_LIMIT_MS + 20_000 },
    async () => {
      const started = Date.now();
      const closedMs = {};
      const closedAt = (socket, key) =>
        new Promise((resolve) => {
          socket.on('error', () => {}); // a reset is as good as a close here
          socket.on('close', () => resolve((closedMs[key] ??= Date.now() - started)));
          socket.resume(); // discard a 408, if any
        });

      // 1. Completed TLS handshake, then half a header line and silence.
      const slowTls = tls.connect({ host: '127.0.0.1', port: h.port, servername: 'localhost' });
      await new Promise((resolve, reject) => {
        slowTls.once('secureConnect', resolve);
        slowTls.once('error', reject);
      });
      const tlsClosed = closedAt(slowTls, 'tls');
      slowTls.write(`GET /secrets?${q} HTTP/1.1\r\nHost: local`);

      // 2. A TCP connection that never even sends a ClientHello.
      const silent = net.connect({ host: '127.0.0.1', port: h.port });
      const silentClosed = closedAt(silent, 'silent');

      // Meanwhile, normal requests keep working.
      let served = 0;
      let done = false;
      const both = Promise.all([tlsClosed, silentClosed]).finally(() => {
        done = true;
      });
      while (!done && Date.now() - started < SLOW_CLIENT_LIMIT_MS) {
        const res = await h.request({ url: `${base}/secrets?${q}`, token: true });
        assert.equal(res.status, 200, 'served while a slow client is connected');
        served++;
        await Promise.race([sleep(1000), both]);
      }
      assert.ok(served >= 1, 'at least one request was served meanwhile');
      let timer;
      const limit = new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, SLOW_CLIENT_LIMIT_MS - (Date.now() - started)), 'timeout');
      });
      const result = await Promise.race([both, limit]);
      clearTimeout(timer);
      slowTls.destroy();
      silent.destroy();
      assert.notEqual(
        result,
        'timeout',
        `still open after ${SLOW_CLIENT_LIMIT_MS} ms: ${[
          closedMs.tls === undefined && 'TLS connection with a partial request line',
          closedMs.silent === undefined && 'TCP connection that never sent a ClientHello',
        ]
          .filter(Boolean)
          .join(', ')}`,
      );
    },
  );
});
