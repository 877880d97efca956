// The README's quick-start example (examples/node-get-secret/index.mjs), run unmodified with
// only the environment a user sets, against a real server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { startServer, secretName, randomHex, CONFORMANCE_DIR } from './harness.mjs';

const EXAMPLE = path.resolve(CONFORMANCE_DIR, '../../examples/node-get-secret/index.mjs');

describe('README quick-start example', () => {
  let h;
  let copy;
  before(async () => {
    h = await startServer({ name: 'example' });
    // ESM resolves packages next to the script: run a byte-identical copy placed here, where
    // the pinned SDK packages are installed.
    copy = path.join(CONFORMANCE_DIR, `.example-${randomHex(4)}.mjs`);
    fs.copyFileSync(EXAMPLE, copy);
  });
  after(async () => {
    if (copy) fs.rmSync(copy, { force: true });
    await h?.dispose();
  });

  it('prints the secret set through the SDK', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('example');
    const name = secretName('example');
    const value = `example-${randomHex(8)}`;
    await client.setSecret(name, value);
    const { tenantId, clientId, clientSecret } = h.admin;
    const env = {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_SECRET: clientSecret,
      AZURE_AUTHORITY_HOST: h.url,
      VAULT_URL: h.vaultUrl(vault),
      SECRET_NAME: name,
    };
    const stdout = await new Promise((resolve, reject) => {
      execFile(process.execPath, [copy], { env, timeout: 45_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out));
    });
    assert.equal(stdout.trim(), `${name} = ${value}`);
  });
});
