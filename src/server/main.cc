#include "server/main.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "crypto/hsm_token.h"
#include "server/audit_command.h"
#include "server/config.h"
#include "server/serve.h"

namespace kh::server {

int Main(int argc, char** argv) {
  CLI::App app{"Keyhaven: a self-hosted vault that speaks the Azure Key Vault API"};
  app.require_subcommand(1);
  ServerConfig config;
  std::vector<std::string> listen;  // none: 127.0.0.1:8443
  std::string private_listen;

  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--data-dir", config.data_dir, "Data directory")->capture_default_str();
    cmd->add_option("--domain", config.domain,
                    "Parent domain: vaults are served at https://{vault}.{domain}:{port}")
        ->capture_default_str();
  };
  // Options may also come from a TOML file, under a [serve] table (`listen = "0.0.0.0:8443"`);
  // options given on the command line win. --config may follow the subcommand.
  app.set_config("--config", "", "Read options from this TOML file ([serve] table)");
  app.fallthrough();
  CLI::App* serve = app.add_subcommand("serve", "Run the server");
  add_common(serve);
  serve
      ->add_option("--listen", listen,
                   "Address and port to listen on (port 0: any); repeat for more addresses on "
                   "the same port, e.g. --listen 127.0.0.1:0 --listen [::1]:0")
      ->default_str("127.0.0.1:8443");
  serve->add_option("--private-listen", private_listen,
                    "A private endpoint: requests arriving on this ADDRESS:PORT pass the vault "
                    "firewall and reach vaults whose publicNetworkAccess is Disabled");
  std::string metrics_listen;
  serve->add_option("--metrics-listen", metrics_listen,
                    "Serve Prometheus metrics over plain HTTP at http://ADDRESS:PORT/metrics "
                    "(port 0: any; keep it on loopback or a management network)");
  serve->add_option("--public-port", config.public_port,
                    "Port clients use in URLs, when it differs from the listening port");
  serve->add_flag("--test-clock", config.test_clock,
                  "Enable POST /admin/test-clock to move time forward (tests only)");
  serve->add_option("--io-threads", config.io_threads, "Threads doing network I/O")
      ->check(CLI::Range(1, 64));
  serve->add_option("--worker-threads", config.worker_threads, "Threads running requests")
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option("--vault-request-limit", config.vault_requests_per_window,
                   "Requests per 10 seconds per vault before 429 Throttled (0: no limit)")
      ->capture_default_str();
  serve->add_option("--trusted-proxy", config.trusted_proxies,
                    "CIDR of a reverse proxy whose X-Forwarded-For the vault firewall trusts");
  serve->add_option("--network", config.networks,
                    "A named network for vault firewall virtualNetworkRules: NAME=CIDR[,CIDR...]");
  serve->add_option("--trusted-issuer", config.trusted_issuers,
                    "Accept tokens of an external OpenID issuer: issuer=URL,jwks=FILE-OR-HTTPS-URL"
                    "[,audience=AUD][,claim=oid][,ca=PEM]");
  serve->add_option("--audit-dir", config.audit_dir,
                    "The audit log's directory: hash-chained JSON lines, one Azure AuditEvent per "
                    "request (default: DATA_DIR/audit)");
  serve->add_flag("--audit-fail-open", config.audit_fail_open,
                  "Run requests even when the audit log cannot be written (default: refuse them "
                  "with 503)");
  serve->add_option("--audit-max-file-mb", config.audit_max_file_mb, "Rotate audit files at this size")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  serve->add_option("--audit-rotate-hours", config.audit_rotate_hours, "Rotate audit files this often")
      ->check(CLI::Range(1, 24 * 366))
      ->capture_default_str();
  serve
      ->add_option("--audit-retention-days", config.audit_retention_days,
                   "Remove audit files last written longer ago than this (0: keep all)")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  serve
      ->add_option("--audit-checkpoint-seconds", config.audit_checkpoint_seconds,
                   "Sign a checkpoint of the audit chain at least this often")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--audit-syslog", config.audit_syslog,
                    "Copy the audit log to syslog (RFC 5424): udp://HOST:PORT or tcp://HOST:PORT");
  serve->add_option("--audit-webhook", config.audit_webhook,
                    "Copy the audit log to an https:// webhook, in batches of {\"records\":[...]}"
                    " (checked against --event-webhook-ca)");
  serve->add_flag("--no-audit", config.no_audit,
                  "Turn the audit log off (benchmarks of its cost only; never in production)");
  serve->add_option("--event-webhook-ca", config.event_webhook_ca,
                    "PEM bundle that event-subscription webhook endpoints are checked against "
                    "(default: the system's trust store)");
  serve
      ->add_option("--event-retry-base-ms", config.event_retry_base_ms,
                   "Delay before the first retry of a failed event delivery; each later one "
                   "doubles it, up to 10 minutes")
      ->check(CLI::Range(int64_t{10}, int64_t{3600000}))
      ->capture_default_str();
  serve->add_option("--backup-dir", config.backup_dir,
                    "Automatic backups: the target directory for the journal of every change "
                    "(default: DATA_DIR/backups)");
  serve
      ->add_option("--backup-retention-days", config.backup_retention_days,
                   "Days of automatic-backup history to keep in the target (0: everything); "
                   "older segments go after a daily checkpoint")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  serve
      ->add_option("--pkcs11-module", config.pkcs11_module,
                   "PKCS#11 module for HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM)")
      ->default_str(crypto::kDefaultPkcs11Module);
  serve->add_option("--pkcs11-token", config.pkcs11_token,
                    "Label of the initialized PKCS#11 token that holds HSM-protected keys "
                    "(none: -HSM key types are refused)");
  serve->add_option("--pkcs11-pin-file", config.pkcs11_pin_file,
                    "File whose first line is the token's user PIN (else $KEYHAVEN_PKCS11_PIN)");
  CLI::App* init = app.add_subcommand("init", "Initialize the data directory and exit");
  add_common(init);
  init->add_option("--port", config.listen_port, "Port written into admin.json's authorityHost")
      ->capture_default_str();

  CLI::App* audit = app.add_subcommand("audit", "The audit log");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check audit files for changed, removed, reordered or inserted records");
  std::vector<std::string> audit_files;
  std::string audit_public_key;
  verify->add_option("files", audit_files, "Audit files, oldest first (a glob of one directory)")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("--public-key", audit_public_key,
                     "The server's audit-public-key.json (default: beside the first file)");

  CLI11_PARSE(app, argc, argv);
  if (init->parsed()) return Init(config);
  if (verify->parsed()) return VerifyAudit(audit_files, audit_public_key);
  if (std::string error = ApplyListen(listen, config); !error.empty()) {
    std::cerr << "keyhaven: " << error << "\n";
    return 2;
  }
  if (!private_listen.empty() &&
      !ParseListen(private_listen, config.private_listen_address, config.private_listen_port)) {
    std::cerr << "keyhaven: --private-listen must be HOST:PORT, e.g. 10.0.0.5:8443\n";
    return 2;
  }
  if (!metrics_listen.empty() &&
      !ParseListen(metrics_listen, config.metrics_listen_address, config.metrics_listen_port)) {
    std::cerr << "keyhaven: --metrics-listen must be HOST:PORT, e.g. 127.0.0.1:9464\n";
    return 2;
  }
  return Serve(config);
}

}  // namespace kh::server
