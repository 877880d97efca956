// Summarizes one ./scripts/bench run: reads the per-run JSON files the script left in its temp
// dir (NAME.wrk.json from bench/wrk/common.lua's done(), NAME.cpu.json, sqlite.json) and the
// environment in $BENCH_META, prints the table, and writes it as text and as JSON.
//
// Usage: node bench/summarize.mjs TMPDIR OUT.txt OUT.json
import fs from 'node:fs';
import path from 'node:path';

const [tmp, outText, outJson] = process.argv.slice(2);
const read = (name) => JSON.parse(fs.readFileSync(path.join(tmp, name), 'utf8'));
const meta = JSON.parse(process.env.BENCH_META || '{}');

const targets = {
  get_over_nginx: 0.5, set_over_sqlite: 1.5, rbac_get_over_get: 0.95,
  sign_rs256_over_openssl: 0.8, sign_es256_over_openssl: 0.2, set_over_set_no_backup: 0.75,
  get_over_get_no_audit: 0.9,
};

function wrkRun(name) {
  const w = read(`${name}.wrk.json`);
  const cpu = read(`${name}.cpu.json`);
  const e = w.errors;
  const socketErrors = e.connect + e.read + e.write + e.timeout;
  return {
    requests_per_second: w.rps,
    requests: w.requests,
    seconds: w.seconds,
    latency_us: { p50: w.p50_us, p90: w.p90_us, p99: w.p99_us, max: w.max_us, mean: w.mean_us },
    non2xx: w.non2xx,
    first_non2xx: w.first_non2xx || undefined,
    socket_errors: e,
    clean: w.non2xx === 0 && socketErrors === 0 && w.requests > 0,
    cpu,
  };
}

const nginx = wrkRun('nginx');
const get = wrkRun('get');
const getRbac = wrkRun('get_rbac');
// The alternating slices of GET with and without the audit log, added up.
function slices(prefix) {
  const runs = [];
  for (let i = 1; i <= Number(process.env.BENCH_AUDIT_SLICES || 6); i++) runs.push(wrkRun(`${prefix}_${i}`));
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const weighted = (f) => runs.reduce((n, r) => n + f(r) * r.seconds, 0) / seconds;
  return {
    requests_per_second: requests / seconds,
    requests,
    seconds,
    slices_per_second: runs.map((r) => Math.round(r.requests_per_second)),
    latency_us: { p50: weighted((r) => r.latency_us.p50), p99: weighted((r) => r.latency_us.p99) },
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    socket_errors: runs[0].socket_errors,
    clean: runs.every((r) => r.clean),
    cpu: {
      server_cpu_pct: Math.round(weighted((r) => r.cpu.server_cpu_pct)),
      wrk_cpu_pct: Math.round(weighted((r) => r.cpu.wrk_cpu_pct)),
      machine_busy_pct: Math.round(weighted((r) => r.cpu.machine_busy_pct)),
      cores: runs[0].cpu.cores,
    },
  };
}
const getAudit = slices('get_audit');
const getNoAudit = slices('get_no_audit');
const set = wrkRun('set');
const setNoBackup = wrkRun('set_no_backup');
const signRs = wrkRun('sign_rs256');
const signEs = wrkRun('sign_es256');
const openssl = read('openssl.json');
// Google Benchmark's figures for one audit record: name -> ns of CPU per iteration.
const auditRecord = Object.fromEntries(read('audit_record.json').benchmarks.map((b) => [
  b.name, b.time_unit === 'ms' ? b.cpu_time * 1e6 : b.cpu_time]));
const sq = read('sqlite.json');
const sqlite = {
  commits_per_second: sq.commits_per_second,
  commits: sq.commits,
  seconds: sq.seconds,
  latency_us: { p50: sq.p50_us, p99: sq.p99_us },
  value_bytes: sq.value_bytes,
  sqlite_version: sq.sqlite_version,
};

function verdict(ratio, target, ...runs) {
  if (!runs.every((r) => r.clean)) return 'INVALID (errors, see above)';
  return ratio >= target ? 'PASS' : 'MISS';
}
const getRatio = get.requests_per_second / nginx.requests_per_second;
const setRatio = set.requests_per_second / sqlite.commits_per_second;
const rbacRatio = getRbac.requests_per_second / get.requests_per_second;
const auditRatio = getAudit.requests_per_second / getNoAudit.requests_per_second;
// Each pair's own ratio (a pair ran back to back): their spread shows how much of the ratio
// above is the machine's drift rather than the audit log.
const auditPairRatios = getAudit.slices_per_second.map((on, i) => on / getNoAudit.slices_per_second[i]);
const backupRatio = set.requests_per_second / setNoBackup.requests_per_second;
const rsRatio = signRs.requests_per_second / openssl.rsa2048_sign_per_s;
const esRatio = signEs.requests_per_second / openssl.ecdsap256_sign_per_s;
const ratios = {
  get_over_get_no_audit: { value: auditRatio, pair_ratios: auditPairRatios,
                           target: targets.get_over_get_no_audit,
                           result: verdict(auditRatio, targets.get_over_get_no_audit, getAudit, getNoAudit) },
  rbac_get_over_get: { value: rbacRatio, target: targets.rbac_get_over_get,
                       result: verdict(rbacRatio, targets.rbac_get_over_get, get, getRbac) },
  get_over_nginx: { value: getRatio, target: targets.get_over_nginx,
                    result: verdict(getRatio, targets.get_over_nginx, get, nginx) },
  set_over_sqlite: { value: setRatio, target: targets.set_over_sqlite,
                     result: verdict(setRatio, targets.set_over_sqlite, set) },
  set_over_set_no_backup: { value: backupRatio, target: targets.set_over_set_no_backup,
                            result: verdict(backupRatio, targets.set_over_set_no_backup, set,
                                            setNoBackup) },
  sign_rs256_over_openssl: { value: rsRatio, target: targets.sign_rs256_over_openssl,
                             result: verdict(rsRatio, targets.sign_rs256_over_openssl, signRs) },
  sign_es256_over_openssl: { value: esRatio, target: targets.sign_es256_over_openssl,
                             result: verdict(esRatio, targets.sign_es256_over_openssl, signEs) },
};

// ---- text table ----
const ms = (us) => `${(us / 1000).toFixed(2)} ms`;
const num = (n) => Math.round(n).toLocaleString('en-US');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const lines = [];
lines.push(`Keyhaven benchmark  ${meta.date ?? ''}  commit ${meta.commit ?? '?'}`);
lines.push(`machine: ${meta.cores ?? '?'} cores (${meta.cpu ?? '?'}), kernel ${meta.kernel ?? '?'}, ` +
           `disk ${meta.disk ?? '?'}`);
lines.push(`load: wrk ${meta.wrk ?? ''} -t${meta.threads} -c${meta.connections} -d${meta.duration}` +
           ` (keep-alive), loopback; secret GET body ${meta.body_bytes} bytes`);
lines.push(`TLS keyhaven: ${meta.keyhaven_tls ?? '?'}`);
lines.push(`TLS nginx:    ${meta.nginx_tls ?? '?'}   (nginx ${meta.nginx ?? '?'}, ` +
           `OpenSSL ${meta.openssl ?? '?'})`);
lines.push('');
lines.push(`${pad('run', 40)}${lpad('rate', 12)}${lpad('p50', 11)}${lpad('p99', 11)}` +
           `${lpad('non-2xx', 9)}${lpad('sock err', 10)}   CPU server / wrk / machine`);
const row = (label, r) => {
  const e = r.socket_errors;
  lines.push(`${pad(label, 40)}${lpad(num(r.requests_per_second) + '/s', 12)}` +
             `${lpad(ms(r.latency_us.p50), 11)}${lpad(ms(r.latency_us.p99), 11)}` +
             `${lpad(r.non2xx, 9)}${lpad(e.connect + e.read + e.write + e.timeout, 10)}   ` +
             `${r.cpu.server_cpu_pct}% / ${r.cpu.wrk_cpu_pct}% / ${r.cpu.machine_busy_pct}% ` +
             `of ${r.cpu.cores * 100}%`);
};
row(`nginx static ${meta.body_bytes} B (reference)`, nginx);
row('keyhaven secret GET', get);
row('keyhaven secret GET via RBAC assignment', getRbac);
row('keyhaven secret GET, audit on (slices)', getAudit);
row('keyhaven secret GET, audit off (slices)', getNoAudit);
row('keyhaven secret SET (new version)', set);
row('keyhaven SET, no automatic backups', setNoBackup);
row('keyhaven key sign RS256 (RSA-2048)', signRs);
row('keyhaven key sign ES256 (P-256)', signEs);
lines.push(`${pad(`sqlite 1-row commit, WAL+FULL (reference)`, 40)}` +
           `${lpad(num(sqlite.commits_per_second) + '/s', 12)}${lpad(ms(sqlite.latency_us.p50), 11)}` +
           `${lpad(ms(sqlite.latency_us.p99), 11)}   (1 thread, ${sqlite.value_bytes}-byte rows, ` +
           `SQLite ${sqlite.sqlite_version})`);
lines.push(`${pad(`openssl speed -multi ${meta.cores} (reference)`, 40)}` +
           `   RSA-2048 sign ${num(openssl.rsa2048_sign_per_s)}/s, P-256 sign ` +
           `${num(openssl.ecdsap256_sign_per_s)}/s`);
lines.push(`${pad('one audit record (CPU)', 40)}   format ${num(auditRecord.FormatRecord)} ns, ` +
           `chain ${num(auditRecord.ChainLine)} ns, Write+Flush of 1000 ` +
           `${(auditRecord.WriteAndFlush / 1e6).toFixed(2)} ms (requests' thread only)`);
lines.push('');
lines.push(`${pad('ratio', 40)}${lpad('value', 12)}${lpad('target', 11)}   result`);
lines.push(`${pad('GET / nginx (requests/s)', 40)}${lpad(getRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.get_over_nginx.toFixed(2), 11)}   ${ratios.get_over_nginx.result}`);
lines.push(`${pad('SET / sqlite (requests/s / commits/s)', 40)}${lpad(setRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.set_over_sqlite.toFixed(2), 11)}   ${ratios.set_over_sqlite.result}`);
lines.push(`${pad('SET / SET without automatic backups', 40)}${lpad(backupRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.set_over_set_no_backup.toFixed(2), 11)}   ` +
           `${ratios.set_over_set_no_backup.result}`);
lines.push(`${pad('GET audit on / off (alternating slices)', 40)}${lpad(auditRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.get_over_get_no_audit.toFixed(2), 11)}   ` +
           `${ratios.get_over_get_no_audit.result}`);
lines.push(`${pad('  its pairs, each on / off', 40)}   ` +
           auditPairRatios.map((r) => r.toFixed(2)).join(', '));
lines.push(`${pad('GET via RBAC / GET as admin', 40)}${lpad(rbacRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.rbac_get_over_get.toFixed(2), 11)}   ${ratios.rbac_get_over_get.result}`);
lines.push(`${pad('sign RS256 / openssl RSA-2048 sign', 40)}${lpad(rsRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.sign_rs256_over_openssl.toFixed(2), 11)}   ` +
           `${ratios.sign_rs256_over_openssl.result}`);
lines.push(`${pad('sign ES256 / openssl P-256 sign', 40)}${lpad(esRatio.toFixed(2), 12)}` +
           `${lpad('>= ' + targets.sign_es256_over_openssl.toFixed(2), 11)}   ` +
           `${ratios.sign_es256_over_openssl.result}`);
for (const [label, r] of [['nginx', nginx], ['GET', get], ['GET RBAC', getRbac],
                          ['GET audit on', getAudit], ['GET audit off', getNoAudit], ['SET', set],
                          ['SET no backup', setNoBackup],
                          ['sign RS256', signRs], ['sign ES256', signEs]]) {
  if (!r.clean) {
    lines.push(`!!! ${label}: ${r.non2xx} non-2xx responses` +
               (r.first_non2xx ? ` (first: ${r.first_non2xx})` : '') +
               `, socket errors ${JSON.stringify(r.socket_errors)}`);
  }
}
const text = lines.join('\n') + '\n';
process.stdout.write('\n' + text);
fs.writeFileSync(outText, text);
fs.writeFileSync(outJson, JSON.stringify({ meta, targets, nginx, get, get_rbac: getRbac,
  get_audit: getAudit, get_no_audit: getNoAudit, set,
  set_no_backup: setNoBackup, sqlite,
  sign_rs256: signRs, sign_es256: signEs, openssl, audit_record_ns: auditRecord, ratios }, null, 2) + '\n');
