// Reading /metrics in tests: a plain-HTTP GET, and the official Prometheus client's parser.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { CONFORMANCE_DIR } from './harness.mjs';

/** GET over plain HTTP: {status, type, body}. */
export function httpGet(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
      })
      .on('error', reject);
  });
}

/** Metric families as prometheus_client's text parser reads them; fails the test if it refuses. */
export function parsePrometheus(text) {
  const r = spawnSync('/usr/bin/python3', [path.join(CONFORMANCE_DIR, 'parse_prometheus.py')], {
    input: text,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `the Prometheus parser refused the text: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The server's metrics URL, from the line it prints at start. */
export function metricsUrlOf(server) {
  const m = /keyhaven: metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(server.output());
  assert.ok(m, 'the server says where its metrics are');
  return m[1];
}
