// Fail-closed audit (issue 6): while the audit log cannot be written, requests are refused with
// 503 before they run and nothing changes in the store; once it can be written again, requests
// run, the refused ones are on record, and `keyhaven audit verify` accepts the log and catches a
// changed record.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { startServer, secretName, eventually, rawRequest, API_VERSION } from './harness.mjs';
import { auditFiles, auditEvents, verifyAudit } from './audit_util.mjs';

describe('audit log: fail-closed', () => {
  let h;
  let auditDir;
  let pointAuditDirAt;

  before(async () => {
    const root = path.join(process.env.KEYHAVEN_TMP_ROOT || '/tmp', `audit-closed-${process.pid}`);
    fs.mkdirSync(root, { recursive: true });
    // The server writes through a symlink, so the test can swap what the path names atomically
    // (rename over the link): a plain rmdir-then-rename would race the server recreating the
    // directory in between.
    fs.mkdirSync(path.join(root, 'audit.real'), { recursive: true });
    fs.writeFileSync(path.join(root, 'not-a-directory'), 'not a directory');
    auditDir = path.join(root, 'audit');
    pointAuditDirAt = (target) => {
      const link = path.join(root, 'audit.link');
      fs.rmSync(link, { force: true });
      fs.symlinkSync(target, link);
      fs.renameSync(link, auditDir);
    };
    pointAuditDirAt('audit.real');
    h = await startServer({ name: 'audit-closed', extraArgs: ['--audit-dir', auditDir] });
  });
  after(async () => {
    await h?.dispose();
  });

  it('refuses requests while the log cannot be written, changes nothing, and records them after', { timeout: 60_000 }, async () => {
    const { name: vault, client } = await h.createVaultWithClient('closed');
    const before = secretName('before');
    await client.setSecret(before, 'v1');
    const token = await h.token();
    const call = (method, name, body) =>
      rawRequest({
        method,
        url: `${h.vaultUrl(vault)}/secrets/${name}?api-version=${API_VERSION}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });

    // The audit directory becomes a file: no new audit file can be made there, even by root.
    pointAuditDirAt('not-a-directory');
    const during = secretName('during');
    const refusedSet = await call('PUT', during, { value: 'must-not-be-stored' });
    assert.equal(refusedSet.status, 503, refusedSet.text);
    assert.equal(refusedSet.json.error.code, 'ServiceUnavailable');
    const refusedDelete = await call('DELETE', before);
    assert.equal(refusedDelete.status, 503);
    const refusedGet = await call('GET', before);
    assert.equal(refusedGet.status, 503, 'reads are refused too: they would go unrecorded');

    // Back to writable: requests run again, and nothing changed meanwhile.
    pointAuditDirAt('audit.real');
    // Until the server has seen the log writable again, a GET here is refused (and recorded) too.
    let refusedGets = 1;
    await eventually(async () => {
      const res = await call('GET', before);
      if (res.status === 503) refusedGets += 1;
      assert.equal(res.status, 200);
    });
    assert.equal((await call('GET', during)).status, 404, 'the refused write did not happen');
    assert.equal((await client.getSecret(before)).value, 'v1', 'the refused delete did not happen');

    // The refusals were kept in memory and written once the log was back.
    await eventually(() => {
      const refused = auditEvents(auditDir).filter((r) => r.properties.httpStatusCode === 503);
      assert.deepEqual(
        refused.map((r) => r.operationName).sort(),
        ['SecretDelete', ...Array(refusedGets).fill('SecretGet'), 'SecretSet'],
      );
      assert.ok(refused.every((r) => r.resultSignature === 'ServiceUnavailable'));
    });
    await h.stop();
    const files = auditFiles(auditDir);
    const verdict = verifyAudit(files);
    assert.equal(verdict.status, 0, verdict.stdout + verdict.stderr);

    // A changed record is caught, and named by file and line.
    const victim = files.at(-1);
    const lines = fs.readFileSync(victim, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"SecretGet"') && l.includes('"httpStatusCode":200'));
    assert.ok(at > 0, 'a SecretGet record to change');
    lines[at] = lines[at].replace('"httpStatusCode":200', '"httpStatusCode":404');
    fs.writeFileSync(victim, lines.join('\n'));
    const tampered = verifyAudit(files);
    assert.equal(tampered.status, 1, tampered.stdout);
    assert.ok(tampered.stdout.includes(`TAMPERED: ${victim}:${at + 1}: `), tampered.stdout);
  });
});
