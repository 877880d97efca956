// A webhook endpoint for event tests: HTTPS on localhost with its own self-signed certificate
// (made with openssl; the server is told to trust it with --event-webhook-ca). It answers Event
// Grid's validation handshake and CloudEvents' OPTIONS abuse protection, records every delivery,
// and can be told to fail (500) or be closed and reopened on the same port.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

/** A fresh certificate in a temp dir and a receiver listening with it: {receiver, cert}. */
export async function startWebhookReceiver() {
  const dir = fs.mkdtempSync(path.join(process.env.KEYHAVEN_TMP_ROOT || '/tmp', 'webhook-'));
  const cert = makeCertificate(dir);
  return { receiver: await new WebhookReceiver(cert).listen(), cert };
}

export function makeCertificate(dir) {
  const key = path.join(dir, 'webhook-key.pem');
  const cert = path.join(dir, 'webhook-cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', key, '-out', cert, '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'ignore' });
  return { key, cert };
}

export class WebhookReceiver {
  constructor({ key, cert }) {
    this.tls = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
    this.deliveries = []; // {path, headers, body}
    this.validations = 0;
    this.failing = false;
  }

  async listen(port = 0) {
    this.server = https.createServer(this.tls, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (body += d));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  url(hookPath = '/hook') {
    return `https://localhost:${this.port}${hookPath}`;
  }

  handle(req, res, body) {
    if (req.method === 'OPTIONS') {
      this.validations++;
      res.writeHead(200, { 'WebHook-Allowed-Origin': req.headers['webhook-request-origin'] ?? '*' });
      return res.end();
    }
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      this.validations++;
      const [event] = JSON.parse(body);
      const echo = req.url.includes('wrong') ? 'not-the-code' : event.data.validationCode;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ validationResponse: echo }));
    }
    if (this.failing) {
      res.writeHead(500);
      return res.end();
    }
    this.deliveries.push({ path: req.url, headers: req.headers, body });
    res.writeHead(200);
    res.end();
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
