// Reading a server's audit log (audit-*.jsonl, hash-chained AuditEvent lines) in tests.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { KEYHAVEN_BIN } from './harness.mjs';

/** The audit files of a directory, oldest first. */
export function auditFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^audit-\d+-.*\.jsonl$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every record of every audit file in `dir`, oldest first (the last line may be in flight). */
export function auditRecords(dir) {
  const out = [];
  for (const file of auditFiles(dir)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // a line being written right now
      }
    }
  }
  return out;
}

/** Only the AuditEvent records (not the chain's own file-start and checkpoint records). */
export const auditEvents = (dir) => auditRecords(dir).filter((r) => r.category === 'AuditEvent');

/** Runs `keyhaven audit verify` on files: {status, stdout, stderr}. */
export function verifyAudit(files, extra = []) {
  const r = spawnSync(KEYHAVEN_BIN, ['audit', 'verify', ...files, ...extra], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
