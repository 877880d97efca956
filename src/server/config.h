#pragma once
// What `keyhaven serve` and `keyhaven init` are told on the command line.
#include <cstdint>
#include <string>
#include <vector>

namespace kh::server {

struct ServerConfig {
  std::string listen_address = "127.0.0.1";  // the first --listen
  int listen_port = 8443;
  // Every further --listen address; they bind the port the first one got.
  std::vector<std::string> extra_listen_addresses;
  // --private-listen: requests arriving here count as through a private endpoint. "" = none.
  std::string private_listen_address;
  int private_listen_port = 0;
  // --metrics-listen: Prometheus metrics over plain HTTP at /metrics. "" = none.
  std::string metrics_listen_address;
  int metrics_listen_port = 0;
  std::string data_dir = "./keyhaven-data";
  std::string domain = "localhost";
  // The port clients put in URLs; differs from listen_port only behind a port-mapping proxy.
  int public_port = 0;  // 0 = the bound port
  bool test_clock = false;
  int io_threads = 2;
  int worker_threads = 64;
  uint64_t vault_requests_per_window = 100000;  // per vault per 10 s; 0 = unlimited
  // Reverse proxies whose X-Forwarded-For the firewall believes (CIDRs).
  std::vector<std::string> trusted_proxies;
  // Trusted external OpenID issuers: "issuer=URL,jwks=FILE-OR-URL[,audience=..][,claim=..][,ca=..]".
  std::vector<std::string> trusted_issuers;
  // Named networks for vault firewall virtualNetworkRules: "NAME=CIDR[,CIDR...]".
  std::vector<std::string> networks;
  // HSM-protected keys: the PKCS#11 module, the token's label ("" = no HSM keys) and a file
  // holding the user PIN (else $KEYHAVEN_PKCS11_PIN; never a command-line argument, which any
  // local user could read).
  // The audit log (audit/audit_log.h): its directory ("" = {data_dir}/audit), rotation,
  // retention, and whether requests fail closed when it cannot be written. `no_audit` turns it
  // off altogether: for benchmarks that measure its cost, never for a real deployment.
  bool no_audit = false;
  std::string audit_dir;
  bool audit_fail_open = false;
  int audit_max_file_mb = 100;
  int audit_rotate_hours = 24;
  int audit_retention_days = 90;
  int audit_checkpoint_seconds = 60;
  // Copies of the audit log: "udp://HOST:PORT" or "tcp://HOST:PORT" (RFC 5424), an https:// URL.
  std::string audit_syslog;
  std::string audit_webhook;
  // Events: the CA bundle webhook endpoints are checked against ("" = the system's), and the
  // first retry's delay (each later one doubles it, up to 10 minutes).
  std::string event_webhook_ca;
  int64_t event_retry_base_ms = 10000;
  // Automatic backups' target directory ("" = {data_dir}/backups).
  std::string backup_dir;
  // Days of automatic-backup history the target keeps (0: all). With it, a checkpoint of every
  // journaled vault is written daily and older segments are removed.
  int backup_retention_days = 0;
  std::string pkcs11_module;
  std::string pkcs11_token;
  std::string pkcs11_pin_file;
};

// "127.0.0.1:8443", "[::1]:8443", ":8443" (all interfaces) → address and port.
bool ParseListen(const std::string& text, std::string& address, int& port);

// Every --listen value (none: 127.0.0.1:8443) into listen_address, listen_port and
// extra_listen_addresses. All share one port, so vault URLs name one: the others must give the
// first one's port or 0 (the first's, also when it is 0: "any free port"). "" or an error.
std::string ApplyListen(const std::vector<std::string>& values, ServerConfig& config);

}  // namespace kh::server
