// Shared test harness for the Keyhaven conformance suite.
//
// Every test file starts its own `keyhaven serve` on a fresh copy of a template
// data dir that run.mjs prepared with `keyhaven init`. All copies share the
// template's CA, which the test processes trust only through
// NODE_EXTRA_CA_CERTS (set by run.mjs): no `ca` option anywhere, so the suite
// exercises exactly the path a user takes.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';

import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient, CryptographyClient } from '@azure/keyvault-keys';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';

export const CONFORMANCE_DIR = path.dirname(fileURLToPath(import.meta.url));
export const KEYHAVEN_BIN = process.env.KEYHAVEN_BIN
  ? path.resolve(process.env.KEYHAVEN_BIN)
  : path.resolve(CONFORMANCE_DIR, '../../build/apps/keyhaven');

/** Default data-plane api-version sent by @azure/keyvault-secrets 4.11.2. */
export const API_VERSION = '2025-07-01';
export const RESOURCE_GROUP = 'rg-conformance';
const READY_LINE = /^keyhaven: listening on (https:\/\/localhost:(\d+))\r?$/m;
// Printed before READY_LINE when the server has a --private-listen.
const PRIVATE_LINE = /^keyhaven: private listener on https:\/\/localhost:(\d+)\r?$/m;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------
// Name resolution: Node does not resolve `*.localhost` (glibc has no
// nss-myhostname here), so every client gets this lookup via an https.Agent.
// With autoSelectFamily (Node 20 default) net calls lookup with {all: true}.
// ---------------------------------------------------------------------------
export function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const host = String(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) {
    // rawRequest({family: 6}) asks for the IPv6 loopback.
    const [address, family] = options?.family === 6 ? ['::1', 6] : ['127.0.0.1', 4];
    if (options && options.all) {
      process.nextTick(callback, null, [{ address, family }]);
    } else {
      process.nextTick(callback, null, address, family);
    }
    return;
  }
  dns.lookup(hostname, options, callback);
}

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Random lower-case hex string of `bytes` bytes. */
export const randomHex = (bytes = 4) => crypto.randomBytes(bytes).toString('hex');

/** A unique vault name (starts with a letter, 3..24 chars, [a-z0-9-]). */
export const vaultName = (prefix = 'v') => `${prefix}${randomHex(4)}`.slice(0, 24);

/** A unique secret name. */
export const secretName = (prefix = 's') => `${prefix}-${randomHex(4)}`;

/** Retries `fn` until it returns without throwing, or rethrows after timeoutMs. */
export async function eventually(fn, { timeoutMs = 5000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await sleep(intervalMs);
  }
}

/** Inner error code of an SDK RestError (the KV deserializer camel-cases it to innerError). */
export function innerErrorCode(err) {
  const e = err?.details?.error;
  return e?.innerError?.code ?? e?.innererror?.code;
}

/**
 * Asserts that `action` (a promise or a function returning one) rejects with
 * an SDK RestError carrying the given HTTP status (and optionally code / inner
 * code). Returns the error for further checks.
 */
export async function rejectsWith(action, { status, code, inner }) {
  let err;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected an HTTP ${status} error, but the call succeeded`);
  const what = `${err.name}: ${err.message} (statusCode=${err.statusCode}, code=${err.code})`;
  if (Array.isArray(status)) {
    assert.ok(status.includes(err.statusCode), `expected status in ${status}, got ${what}`);
  } else {
    assert.equal(err.statusCode, status, `unexpected status: ${what}`);
  }
  // Every error must come with an Azure-style body, so the SDK can expose a code.
  assert.equal(typeof err.code, 'string', `error without a code: ${what}`);
  if (code !== undefined) assert.equal(err.code, code, `unexpected error code: ${what}`);
  if (inner !== undefined) {
    assert.equal(innerErrorCode(err), inner, `unexpected innererror code: ${what}`);
  }
  return err;
}

/**
 * Asserts that a raw response is an Azure-style JSON error:
 * {"error":{"code":"...","message":"..."}} with one of the given statuses.
 */
export function assertAzureError(res, status, { code } = {}) {
  const statuses = Array.isArray(status) ? status : [status];
  const show = `${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(statuses.includes(res.status), `expected status ${statuses.join(' or ')}, got ${show}`);
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/i, `content-type: ${show}`);
  assert.ok(res.json && typeof res.json === 'object', `body is not JSON: ${show}`);
  assert.ok(res.json.error && typeof res.json.error === 'object', `no "error" object: ${show}`);
  assert.equal(typeof res.json.error.code, 'string', `error.code missing: ${show}`);
  assert.ok(res.json.error.code.length > 0, `empty error.code: ${show}`);
  assert.equal(typeof res.json.error.message, 'string', `error.message missing: ${show}`);
  if (code !== undefined) assert.equal(res.json.error.code, code, `error.code: ${show}`);
}

/**
 * Raw HTTPS request (node:https, trust from NODE_EXTRA_CA_CERTS, our lookup,
 * a fresh connection each time). Resolves with
 * {status, headers, text, json, truncated}; a response that is cut off after
 * its status line arrived still resolves (truncated: true), because servers
 * may legitimately close a connection after rejecting an oversized request.
 */
export function rawRequest({ method = 'GET', url, headers = {}, body, timeoutMs = 15_000, localAddress, family }) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const hdrs = { ...headers };
    if (payload !== undefined && hdrs['content-length'] === undefined) hdrs['content-length'] = payload.length;
    let response;
    const chunks = [];
    let settled = false;
    const finish = (truncated) => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try {
        json = text.length ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: response.statusCode, headers: response.headers, text, json, truncated });
    };
    const fail = (err) => {
      if (settled) return;
      if (response) return finish(true);
      settled = true;
      reject(err);
    };
    const req = https.request(
      u,
      { method, headers: hdrs, lookup, agent: false, timeout: timeoutMs, localAddress, family },
      (res) => {
        response = res;
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => finish(false));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('response aborted')));
        res.on('close', () => finish(!res.complete));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', fail);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------
// Server lifecycle
// ---------------------------------------------------------------------------
const running = new Set();
function killRunning() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
// Last resort if a test process ends without running its after() hooks:
// never leave a server we started behind. Signals skip 'exit', so handle them.
process.on('exit', killRunning);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killRunning();
    process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  });
}

function templateDir() {
  const dir = process.env.KEYHAVEN_TEMPLATE_DIR;
  if (!dir || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'KEYHAVEN_TEMPLATE_DIR / NODE_EXTRA_CA_CERTS are not set. Run the suite through run.mjs ' +
        '(`node tests/conformance/run.mjs [file.test.mjs ...]`), which runs `keyhaven init` once and sets them.',
    );
  }
  return dir;
}

/** cp -r that also keeps permission bits (0600 key files must stay 0600). */
function copyTree(src, dst) {
  fs.cpSync(src, dst, { recursive: true });
  const walk = (s, d) => {
    fs.chmodSync(d, fs.statSync(s).mode & 0o7777);
    if (fs.statSync(s).isDirectory()) {
      for (const e of fs.readdirSync(s)) walk(path.join(s, e), path.join(d, e));
    }
  };
  walk(src, dst);
}

/**
 * A running (or stopped) keyhaven server with credentials and client
 * factories bound to it. Create with startServer().
 */
export class KeyhavenServer {
  constructor({ name, testClock = false, extraArgs = [], env = {} }) {
    this.name = name;
    this.testClock = testClock;
    this.extraArgs = extraArgs;
    this.env = env; // added to the server's environment
    const root = process.env.KEYHAVEN_TMP_ROOT || fs.mkdtempSync('/tmp/keyhaven-conformance-');
    this.workDir = fs.mkdtempSync(path.join(root, `${name}-`));
    this.dataDir = path.join(this.workDir, 'data');
    copyTree(templateDir(), this.dataDir);
    this.log = ''; // stdout + stderr of every run, in arrival order
    this.child = undefined;
    this.exit = undefined; // {code, signal} of the last run once it exited
  }

  /** Spawns `keyhaven serve` and waits for the ready line. */
  async start() {
    const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', this.dataDir];
    if (this.testClock) args.push('--test-clock');
    args.push(...this.extraArgs);
    this.log += `\n===== harness: ${KEYHAVEN_BIN} ${args.join(' ')}\n`;
    const child = spawn(KEYHAVEN_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    this.exit = undefined;
    running.add(child);
    let stdout = '';
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.exited = exited;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const ready = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not print its ready line within ${START_TIMEOUT_MS} ms\n${this.log}`)),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (d) => {
        this.log += d;
        stdout += d;
        const m = READY_LINE.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve({ url: m[1], port: Number(m[2]) });
        }
      });
      child.stderr.on('data', (d) => {
        this.log += d;
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${KEYHAVEN_BIN}: ${err.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})\n${this.log}`));
      });
    });
    const { url, port } = await ready;
    this.url = url; // https://localhost:PORT (auth + ARM + admin host)
    this.port = port;
    // --private-listen's port (requests there count as through a private endpoint), or undefined.
    const privateMatch = PRIVATE_LINE.exec(stdout);
    this.privatePort = privateMatch ? Number(privateMatch[1]) : undefined;
    // admin.json is read after start: its authorityHost may name an older
    // port, so we always use the URL from the ready line instead.
    this.admin = JSON.parse(fs.readFileSync(path.join(this.dataDir, 'admin.json'), 'utf8'));
    this.agent = new https.Agent({ lookup, keepAlive: true });
    this.newCredential();
    return this;
  }

  /** SIGTERM, then wait for exit. Returns {code, signal}. */
  async stop() {
    this.agent?.destroy();
    if (!this.child || this.exit) return this.exit;
    this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS, 'timeout');
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer); // a pending timer would keep the test process alive
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    return result;
  }

  /** Stops and starts again on the same data dir (the port changes). */
  async restart() {
    const exit = await this.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'clean exit on SIGTERM before restart');
    return this.start();
  }

  /** Stops the server (if running) and keeps its log next to the data dir. */
  async dispose() {
    try {
      await this.stop();
    } finally {
      fs.writeFileSync(path.join(this.workDir, 'server.log'), this.log);
      if (process.env.KEYHAVEN_PRINT_LOGS) process.stderr.write(`\n--- ${this.name} server log ---\n${this.log}\n`);
    }
  }

  /** stdout + stderr captured so far. */
  output() {
    return this.log;
  }

  get isRunning() {
    return !!this.child && !this.exit;
  }

  /**
   * Replaces this.credential with a new ClientSecretCredential (empty token
   * cache). Needed after the test clock moved far enough to expire tokens.
   * Clients built earlier keep the old credential.
   */
  newCredential() {
    const { tenantId, clientId, clientSecret } = this.admin;
    this.credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
      authorityHost: this.url,
      disableInstanceDiscovery: true,
      agent: this.agent,
    });
    return this.credential;
  }

  /**
   * Creates a service principal through the admin API (asserting 201) and returns its fields
   * plus a ClientSecretCredential for it. `managedIdentity` also issues an identity secret.
   */
  async createPrincipal(displayName, { managedIdentity = false } = {}) {
    const res = await this.requestJson('POST', '/admin/principals', { displayName, managedIdentity });
    assert.equal(res.status, 201, res.text);
    const p = res.json;
    const credential = new ClientSecretCredential(p.tenantId, p.clientId, p.clientSecret, {
      authorityHost: this.url,
      disableInstanceDiscovery: true,
      agent: this.agent,
    });
    return { ...p, credential };
  }

  /** The scope the server advertises in its challenge (resource + /.default). */
  get scope() {
    return `${this.url}/.default`;
  }

  /** Access token for the server's own resource. */
  async token(scope = this.scope, credential = this.credential) {
    return (await credential.getToken(scope)).token;
  }

  /** https://<name>.localhost:PORT (no trailing slash). */
  vaultUrl(name) {
    return `https://${name}.localhost:${this.port}`;
  }

  arm(credential = this.credential) {
    return new KeyVaultManagementClient(credential, this.admin.subscriptionId, {
      endpoint: this.url,
      agent: this.agent,
    });
  }

  /** SecretClient for a vault URL, WITHOUT disableChallengeResourceVerification. */
  secretClient(vaultUrl, options = {}) {
    return new SecretClient(vaultUrl, options.credential ?? this.credential, { agent: this.agent, ...options });
  }

  /** KeyClient for a vault URL (no challenge-resource override, like secretClient). */
  keyClient(vaultUrl, options = {}) {
    return new KeyClient(vaultUrl, options.credential ?? this.credential, { agent: this.agent, ...options });
  }

  /** CryptographyClient from a KeyVaultKey or a key id. */
  cryptoClient(keyOrId, options = {}) {
    return new CryptographyClient(keyOrId, options.credential ?? this.credential, { agent: this.agent, ...options });
  }

  /** Creates a vault through ARM and returns the Vault resource. */
  async createVault(name, { retentionDays = 7, purgeProtection, resourceGroup = RESOURCE_GROUP, tags } = {}) {
    const properties = {
      tenantId: this.admin.tenantId,
      sku: { family: 'A', name: 'standard' },
      softDeleteRetentionInDays: retentionDays,
    };
    if (purgeProtection !== undefined) properties.enablePurgeProtection = purgeProtection;
    return this.arm().vaults.createOrUpdate(
      resourceGroup,
      name,
      { location: 'local', tags, properties },
      { updateIntervalInMs: 20 },
    );
  }

  /** Creates a vault and returns a SecretClient for it (built from the returned vaultUri). */
  async createVaultWithClient(prefix = 'v', opts = {}) {
    const name = vaultName(prefix);
    const vault = await this.createVault(name, opts);
    return { name, vault, client: this.secretClient(vault.properties.vaultUri) };
  }

  /**
   * Raw request to this server. `url` may be absolute or a path on the auth
   * host. `token: true` adds a bearer token for the server's resource; a
   * string is used as the token verbatim.
   */
  async request({ token, headers = {}, url, ...rest }) {
    const hdrs = { ...headers };
    if (token === true) hdrs.authorization = `Bearer ${await this.token()}`;
    else if (typeof token === 'string') hdrs.authorization = `Bearer ${token}`;
    const abs = /^https:\/\//.test(url) ? url : `${this.url}${url}`;
    return rawRequest({ url: abs, headers: hdrs, ...rest });
  }

  /** Raw JSON request with a valid token (data plane or admin). */
  async requestJson(method, url, body, { headers = {}, ...extra } = {}) {
    return this.request({
      method,
      url,
      token: true,
      ...extra,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /**
   * Moves the server's test clock forward (needs --test-clock). The admin
   * call uses a throwaway credential, because earlier tokens may have expired
   * on the server clock; afterwards this.credential is replaced again, since
   * the token used for the call itself may now be expired (MSAL's cache
   * follows the real clock and would keep handing it out).
   */
  async advanceClock(seconds) {
    assert.ok(this.testClock, 'server was not started with --test-clock');
    const credential = this.newCredential();
    const res = await this.request({
      method: 'POST',
      url: '/admin/test-clock',
      token: await this.token(this.scope, credential),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: seconds }),
    });
    assert.equal(res.status, 200, `test-clock: ${res.status} ${res.text}`);
    assert.equal(typeof res.json?.now, 'number', `test-clock answer: ${res.text}`);
    this.newCredential();
    return res.json.now;
  }

  /** Asserts the process is running and answers a request. */
  async assertAlive() {
    assert.ok(this.isRunning, `server process exited: ${JSON.stringify(this.exit)}\n${this.log.slice(-4000)}`);
    const res = await rawRequest({ url: `${this.url}/${this.admin.tenantId}/v2.0/.well-known/openid-configuration` });
    assert.equal(res.status, 200, `liveness probe: ${res.status} ${res.text}`);
  }
}

/** Copies the template data dir, starts a server on it and waits until ready. */
export async function startServer({ name = 'server', testClock = false, extraArgs = [], env = {} } = {}) {
  const server = new KeyhavenServer({ name, testClock, extraArgs, env });
  await server.start();
  return server;
}

/** Every item of an async iterable (the SDKs' paged lists), in order. */
export async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

/**
 * A fresh SoftHSM2 token (Debian's softhsm2, installed by scripts/setup) in its own directory,
 * with a random user PIN in a 0600 file. Returns what startServer needs to keep HSM-protected
 * keys in it: { label, dir, tokensDir, env: {SOFTHSM2_CONF}, args: [--pkcs11-token, ...] }.
 */
export function softHsmToken(label) {
  const root = process.env.KEYHAVEN_TMP_ROOT || os.tmpdir();
  const dir = fs.mkdtempSync(path.join(root, `softhsm-${label}-`));
  const tokensDir = path.join(dir, 'tokens');
  fs.mkdirSync(tokensDir);
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${tokensDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pin = crypto.randomBytes(12).toString('hex');
  const pinFile = path.join(dir, 'pin');
  fs.writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  const env = { SOFTHSM2_CONF: conf };
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', crypto.randomBytes(12).toString('hex')],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    throw new Error(`softhsm2-util --init-token failed (is the softhsm2 package installed?): ${init.stderr || init.error}`);
  }
  return { label, dir, tokensDir, env, args: ['--pkcs11-token', label, '--pkcs11-pin-file', pinFile] };
}

/**
 * Byte patterns under which `value` could sit in a file: plain, hex, and
 * base64 / base64url at each of the three possible alignments (the value may
 * be embedded at any offset of a larger base64 blob; the last few characters
 * of each encoding depend on what follows, so they are dropped).
 */
export function encodingsOf(value) {
  const raw = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const patterns = [
    ['plain', raw],
    ['hex', Buffer.from(raw.toString('hex'))],
    ['HEX', Buffer.from(raw.toString('hex').toUpperCase())],
  ];
  if (!Buffer.isBuffer(value)) patterns.push(['utf16le', Buffer.from(value, 'utf16le')]);
  for (let shift = 0; shift < 3; shift++) {
    const part = raw.subarray(shift);
    const usable = Math.floor(part.length / 3) * 4; // characters that do not depend on later bytes
    patterns.push([`base64@${shift}`, Buffer.from(part.toString('base64').slice(0, usable))]);
    patterns.push([`base64url@${shift}`, Buffer.from(part.toString('base64url').slice(0, usable))]);
  }
  return patterns;
}

/** Returns "file: encoding" for every occurrence of `value` in the data dir. */
export function findInDataDir(dir, value) {
  const hits = [];
  for (const file of listFiles(dir)) {
    let content;
    try {
      content = fs.readFileSync(file);
    } catch (err) {
      if (err.code === 'ENOENT') continue; // e.g. a -wal file removed by a checkpoint meanwhile
      throw err;
    }
    for (const [enc, pattern] of encodingsOf(value)) {
      if (content.includes(pattern)) hits.push(`${file}: ${enc}`);
    }
  }
  return hits;
}

/** Lists every regular file under `dir` (recursively). */
export function listFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
