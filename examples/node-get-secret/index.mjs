// Reads a secret from a Keyhaven vault with the unmodified Azure SDK for JavaScript.
//
//   export NODE_EXTRA_CA_CERTS=$PWD/keyhaven-data/ca.pem        # trust Keyhaven's CA
//   export AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=...   # from admin.json
//   export AZURE_AUTHORITY_HOST=https://localhost:8443
//   export VAULT_URL=https://myapp.localhost:8443 SECRET_NAME=db-password
//   node index.mjs
import https from "node:https";
import dns from "node:dns";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

// Node does not resolve *.localhost; send those names to the loopback address. (With a real
// domain in DNS or /etc/hosts, drop this and the `agent` option.)
function lookup(hostname, options, callback) {
  if (typeof options === "function") [callback, options] = [options, {}];
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    return options.all
      ? callback(null, [{ address: "127.0.0.1", family: 4 }])
      : callback(null, "127.0.0.1", 4);
  }
  return dns.lookup(hostname, options, callback);
}

const env = (name) => {
  if (!process.env[name]) throw new Error(`set ${name}`);
  return process.env[name];
};

const credential = new ClientSecretCredential(
  env("AZURE_TENANT_ID"),
  env("AZURE_CLIENT_ID"),
  env("AZURE_CLIENT_SECRET"),
  { authorityHost: env("AZURE_AUTHORITY_HOST"), disableInstanceDiscovery: true },
);
const client = new SecretClient(env("VAULT_URL"), credential, {
  agent: new https.Agent({ lookup, keepAlive: true }),
});

const secret = await client.getSecret(env("SECRET_NAME"));
console.log(`${secret.name} = ${secret.value}`);
