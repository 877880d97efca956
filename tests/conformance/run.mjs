#!/usr/bin/env node
// Launcher for the conformance suite (this is what ctest runs).
//
//   node tests/conformance/run.mjs [some.test.mjs ...] [-- extra node --test args]
//
// 1. runs `keyhaven init --data-dir <tmp>/base` once (CA, admin.json, ...);
// 2. runs `node --test` on the test files with
//      NODE_EXTRA_CA_CERTS=<tmp>/base/ca.pem   (read at process start, hence the launcher)
//      KEYHAVEN_TEMPLATE_DIR=<tmp>/base         (each test file copies it and serves the copy)
//      KEYHAVEN_TMP_ROOT=<tmp>, KEYHAVEN_BIN=<absolute path>
// 3. exits with node --test's exit code. The temp dir is removed on success and
//    kept (path printed; it holds each server's server.log) on failure or when
//    KEYHAVEN_KEEP_TMP=1.
//
// Env: KEYHAVEN_BIN (default ../../build/apps/keyhaven relative to this dir),
//      KEYHAVEN_SUITE_TIMEOUT_S (default 600), KEYHAVEN_PRINT_LOGS=1 (dump server logs).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(process.env.KEYHAVEN_BIN || path.join(here, '../../build/apps/keyhaven'));

function die(msg) {
  console.error(`run.mjs: ${msg}`);
  process.exit(1);
}

try {
  fs.accessSync(bin, fs.constants.X_OK);
} catch {
  die(`server binary not found or not executable: ${bin} (set KEYHAVEN_BIN)`);
}
if (!fs.existsSync(path.join(here, 'node_modules', '@azure', 'keyvault-secrets'))) {
  die(`node_modules missing: run \`npm ci\` in ${here}`);
}

// Test files: the arguments before `--`, or every *.test.mjs here.
const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const selected = dashdash === -1 ? argv : argv.slice(0, dashdash);
const extraNodeArgs = dashdash === -1 ? [] : argv.slice(dashdash + 1);
const files = selected.length
  ? selected.map((f) => path.resolve(f))
  : fs
      .readdirSync(here)
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => path.join(here, f));
if (files.length === 0) die('no test files');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'keyhaven-conformance-'));
const base = path.join(tmpRoot, 'base');
const keepTmp = !!process.env.KEYHAVEN_KEEP_TMP;

const init = spawnSync(bin, ['init', '--data-dir', base], { encoding: 'utf8', timeout: 60_000 });
if (init.status !== 0) {
  process.stderr.write(init.stdout ?? '');
  process.stderr.write(init.stderr ?? '');
  die(`\`${bin} init --data-dir ${base}\` failed (status ${init.status}, signal ${init.signal}, ${init.error ?? ''})`);
}
for (const f of ['ca.pem', 'admin.json']) {
  if (!fs.existsSync(path.join(base, f))) die(`\`keyhaven init\` did not create ${f} in ${base}`);
}

const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', ...extraNodeArgs, ...files],
  {
    cwd: here,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: path.join(base, 'ca.pem'),
      KEYHAVEN_TEMPLATE_DIR: base,
      KEYHAVEN_TMP_ROOT: tmpRoot,
      KEYHAVEN_BIN: bin,
    },
  },
);

// Forward Ctrl-C / ctest's termination to the test runner (it stops the servers).
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));

const suiteTimeoutS = Number(process.env.KEYHAVEN_SUITE_TIMEOUT_S || 600);
const guard = setTimeout(() => {
  console.error(`run.mjs: suite exceeded ${suiteTimeoutS} s, terminating`);
  child.kill('SIGTERM');
}, suiteTimeoutS * 1000);

child.on('exit', (code, signal) => {
  clearTimeout(guard);
  const status = code ?? (signal ? 1 : 0);
  if (status === 0 && !keepTmp) {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  } else {
    console.error(`run.mjs: kept ${tmpRoot} (server logs: */server.log)`);
  }
  process.exit(status);
});
