#include "server/serve.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "authn/principal_store.h"
#include "authn/token_service.h"
#include "authz/authorizer.h"
#include "authz/network_rules.h"
#include "barrier/journal_target.h"
#include "core/ascii.h"
#include "domain/expiry_job.h"
#include "domain/key_rotation.h"
#include "domain/key_service.h"
#include "domain/purge_job.h"
#include "domain/renewal_job.h"
#include "domain/role_assignment_service.h"
#include "domain/role_definition_service.h"
#include "domain/rotation_job.h"
#include "domain/secret_service.h"
#include "domain/vault_backup.h"
#include "domain/vault_service.h"
#include "http/server.h"
#include "http/tls_context.h"
#include "server/data_dir.h"
#include "server/expiry_events.h"
#include "server/hsm_config.h"
#include "server/jwks_source.h"
#include "server/observability.h"

namespace kh::server {
namespace {

constexpr int kPurgeIntervalSeconds = 5;

std::string Authority(const std::string& domain, int port) {
  std::string url = "https://" + domain;
  if (port != 443) url += ":" + std::to_string(port);
  return url;
}

// Runs the scheduled purge and the automatic key rotation every few seconds, and at once when
// poked (test clock).
class PurgeLoop {
 public:
  PurgeLoop(domain::PurgeJob* job, domain::RotationJob* rotation, const Clock* clock)
      : job_(job), rotation_(rotation), clock_(clock) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PurgeLoop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // More work for every pass (the expiry job), once the rest of the server exists.
  void SetAfterPass(std::function<void(int64_t now)> after) {
    std::lock_guard lock(mu_);
    after_ = std::move(after);
  }
  // Runs one pass now and returns when it is done.
  void RunNow() {
    std::unique_lock lock(mu_);
    uint64_t target = ++requested_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return completed_ >= target || stop_; });
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      uint64_t serving = requested_;
      lock.unlock();
      auto result = job_->RunOnce(clock_->NowSeconds());
      if (!result.ok()) std::cerr << "keyhaven: purge job: " << result.status().ToString() << "\n";
      auto rotated = rotation_->RunOnce(clock_->NowSeconds());
      if (!rotated.ok()) {
        std::cerr << "keyhaven: rotation job: " << rotated.status().ToString() << "\n";
      }
      lock.lock();
      if (after_) {
        auto after = after_;
        lock.unlock();
        after(clock_->NowSeconds());
        lock.lock();
      }
      completed_ = serving;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(kPurgeIntervalSeconds),
                   [&] { return stop_ || requested_ > completed_; });
    }
  }

  domain::PurgeJob* job_;
  domain::RotationJob* rotation_;
  std::function<void(int64_t)> after_;
  const Clock* clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t requested_ = 0, completed_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

StatusOr<authz::NetworkConfig> NetworkConfigFrom(const ServerConfig& config) {
  authz::NetworkConfig out;
  for (const std::string& cidr : config.trusted_proxies) {
    KH_ASSIGN_OR_RETURN(authz::IpNetwork n, authz::IpNetwork::Parse(cidr));
    out.trusted_proxies.push_back(n);
  }
  for (const std::string& spec : config.networks) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--network must be NAME=CIDR[,CIDR...]: " + spec);
    }
    std::string name = AsciiLower(spec.substr(0, eq));
    std::string_view rest = std::string_view(spec).substr(eq + 1);
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      KH_ASSIGN_OR_RETURN(authz::IpNetwork n, authz::IpNetwork::Parse(rest.substr(0, comma)));
      out.named_networks[name].push_back(n);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return out;
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts: all inherit it
  return set;
}

}  // namespace

int Init(const ServerConfig& config) {
  umask(077);  // every file in the data dir is private unless written with another mode
  auto dir = OpenDataDir(config.data_dir, Authority(config.domain, config.listen_port));
  if (!dir.ok()) {
    std::cerr << "keyhaven: " << dir.status().message() << "\n";
    return 1;
  }
  std::cout << "keyhaven: data directory " << dir->path
            << (dir->initialized_now ? " initialized" : " already initialized") << "\n";
  return 0;
}

int Serve(const ServerConfig& config) {
  // Key material must not end up in core dumps.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  umask(077);  // every file in the data dir is private unless written with another mode
  sigset_t stop_signals = BlockStopSignals();

  auto network = NetworkConfigFrom(config);
  if (!network.ok()) {
    std::cerr << "keyhaven: " << network.status().message() << "\n";
    return 2;
  }
  int port_hint = config.public_port ? config.public_port : config.listen_port;
  auto dir = OpenDataDir(config.data_dir, Authority(config.domain, port_hint));
  if (!dir.ok()) {
    std::cerr << "keyhaven: " << dir.status().message() << "\n";
    return 1;
  }
  auto hsm = OpenConfiguredHsm(config);
  if (!hsm.ok()) {
    std::cerr << "keyhaven: HSM keys: " << hsm.status().message() << "\n";
    return 1;
  }
  if (*hsm) {
    std::cerr << "keyhaven: HSM-protected keys live in PKCS#11 token '" << (*hsm)->label()
              << "' (serial " << (*hsm)->serial() << ")\n";
  }
  auto tls = http::TlsContext::Create(dir->ca, config.domain);
  if (!tls.ok()) {
    std::cerr << "keyhaven: TLS setup failed: " << tls.status().message() << "\n";
    return 1;
  }

  http::ServerOptions options;
  options.address = config.listen_address;
  options.port = config.listen_port;
  options.extra_addresses = config.extra_listen_addresses;
  options.private_address = config.private_listen_address;
  options.private_port = config.private_listen_port;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  http::HttpServer server(options, tls->get());
  if (Status st = server.Bind(); !st.ok()) {
    std::cerr << "keyhaven: " << st.message() << "\n";
    return 1;
  }
  int public_port = config.public_port ? config.public_port : server.port();
  std::string authority = Authority(config.domain, public_port);

  SystemClock clock;
  domain::VaultService vaults(dir->barrier.get(), &clock);
  domain::SecretService secrets(dir->barrier.get(), &clock);
  domain::KeyService keys(dir->barrier.get(), &clock, *hsm);
  domain::VaultBackupService vault_backups(dir->barrier.get(), &vaults, &keys, &clock);
  // Automatic backups: journal every change of a vault that has them, ship it to the target.
  dir->store->Attach(dir->barrier.get(), &clock,
                     [&vaults](std::string_view vault) { return vaults.AutomaticBackups(vault); });
  barrier::JournalTarget journal_target(config.backup_dir.empty() ? config.data_dir + "/backups"
                                                                  : config.backup_dir);
  barrier::ShipperOptions shipper_options;
  shipper_options.retention_seconds = int64_t{config.backup_retention_days} * 86400;
  barrier::JournalShipper journal_shipper(dir->store.get(), &journal_target, shipper_options);
  journal_shipper.Start();
  domain::CertificateIssuers certificate_issuers(dir->barrier.get(), &clock);
  domain::CertificateService certificates(dir->barrier.get(), &clock, &keys, &secrets,
                                          &certificate_issuers);
  domain::PurgeJob purge_job(dir->store.get(), &vaults, &secrets, &keys, &certificates);
  domain::KeyRotationService key_rotation(dir->barrier.get(), &keys, &clock);
  domain::RotationJob rotation_job(dir->store.get(), &vaults, &key_rotation);
  PurgeLoop purge_loop(&purge_job, &rotation_job, &clock);
  authn::PrincipalStore principals(dir->barrier.get(), &clock);
  authz::Authorizer authorizer(dir->identity.admin_object_id);
  auto role_assignments = domain::RoleAssignmentService::Open(dir->barrier.get(), &clock);
  if (!role_assignments.ok()) {
    std::cerr << "keyhaven: " << role_assignments.status().message() << "\n";
    return 1;
  }
  auto role_definitions = domain::RoleDefinitionService::Open(dir->barrier.get(), &clock);
  if (!role_definitions.ok()) {
    std::cerr << "keyhaven: " << role_definitions.status().message() << "\n";
    return 1;
  }
  std::vector<authn::ExternalIssuerConfig> issuer_configs;
  for (const std::string& spec : config.trusted_issuers) {
    auto parsed = authn::ParseExternalIssuerSpec(spec);
    if (!parsed.ok()) {
      std::cerr << "keyhaven: " << parsed.status().message() << "\n";
      return 2;
    }
    issuer_configs.push_back(std::move(*parsed));
  }
  authn::ExternalIssuers external_issuers(std::move(issuer_configs), FetchJwks, &clock);
  if (Status loaded = external_issuers.LoadAll(); !loaded.ok()) {
    std::cerr << "keyhaven: " << loaded.message() << "\n";
    return 1;
  }
  authn::TokenService tokens(
      {authority, dir->identity.tenant_id, authority, dir->identity.admin_object_id},
      std::move(*dir->signing_key), &principals, &clock, &external_issuers);

  api::ApiConfig api_config;
  api_config.domain = config.domain;
  api_config.port = public_port;
  api_config.tenant_id = dir->identity.tenant_id;
  api_config.subscription_id = dir->identity.subscription_id;
  api_config.test_clock = config.test_clock;
  api_config.vault_requests_per_window = config.vault_requests_per_window;
  api_config.network = std::move(*network);
  api::ApiServices services;
  services.vaults = &vaults;
  services.secrets = &secrets;
  services.keys = &keys;
  services.certificates = &certificates;
  services.certificate_issuers = &certificate_issuers;
  services.vault_backups = &vault_backups;
  services.key_rotation = &key_rotation;
  services.tokens = &tokens;
  services.principals = &principals;
  services.role_assignments = role_assignments->get();
  auto observability = StartObservability(
      config, dir->path, config.audit_dir.empty() ? dir->path + "/audit" : config.audit_dir,
      *dir->audit_key, dir->barrier.get(), services);
  if (!observability.ok()) {
    std::cerr << "keyhaven: " << observability.status().message() << "\n";
    return 1;
  }
  vault_backups.SetRoleAssignments(role_assignments->get(), dir->identity.subscription_id);
  vaults.SetBeforeRemove([&keys](std::string_view vault) { keys.DestroyHsmMaterial(vault); });
  services.role_definitions = role_definitions->get();
  services.authorizer = &authorizer;
  services.clock = &clock;
  services.on_clock_advanced = [&purge_loop] { purge_loop.RunNow(); };
  api::Api api(api_config, services);
  domain::ExpiryJob expiry_job(dir->barrier.get(), &vaults, &secrets, &keys);
  domain::RenewalJob renewal_job(dir->barrier.get(), &vaults, &certificates);
  purge_loop.SetAfterPass([&](int64_t now) {
    std::vector<domain::ExpiryNotice> notices;
    if (auto expiring = expiry_job.RunOnce(now); expiring.ok()) {
      notices = std::move(*expiring);
    } else {
      std::cerr << "keyhaven: expiry job: " << expiring.status().ToString() << "\n";
    }
    // Certificates' lifetime actions: AutoRenew renews, EmailContacts raises a notice.
    auto renewals = renewal_job.RunOnce(now);
    Status renewal_error = renewals.ok() ? renewals->first_error : renewals.status();
    if (!renewal_error.ok()) {
      std::cerr << "keyhaven: certificate renewal job: " << renewal_error.ToString() << "\n";
    }
    if (renewals.ok()) {
      for (auto& n : renewals->notices) notices.push_back(std::move(n));
    }
    if (notices.empty()) return;
    ExpiryOutput out = ExpiryEvents(notices, api, dir->identity.subscription_id, now * 1000);
    if (services.audit) {
      for (auto& record : out.records) services.audit->Write(std::move(record));
    }
    if (services.events) services.events->Publish(std::move(out.events));
  });

  if (Status st = UpdateAdminAuthority(*dir, authority); !st.ok()) {
    std::cerr << "keyhaven: could not update admin.json: " << st.message() << "\n";
  }
  server.Start(&api);

  std::cout << "keyhaven: data directory " << dir->path
            << (dir->initialized_now ? " (initialized now)" : "") << "\n"
            << "keyhaven: trust the CA in " << dir->CaFile()
            << "  (Node: NODE_EXTRA_CA_CERTS=" << dir->CaFile() << ")\n"
            << "keyhaven: administrator credential in " << dir->AdminFile() << " (mode 0600)\n"
            << "keyhaven: for the Azure SDKs: AZURE_TENANT_ID=" << dir->identity.tenant_id
            << " AZURE_CLIENT_ID=" << dir->identity.admin_client_id
            << " AZURE_AUTHORITY_HOST=" << authority << " (the client secret is in admin.json)\n"
            << "keyhaven: a vault named NAME is served at https://NAME." << config.domain
            << (public_port != 443 ? ":" + std::to_string(public_port) : "") << "\n";
  if (config.test_clock) {
    std::cout << "keyhaven: WARNING: TEST CLOCK ENABLED: POST " << authority
              << "/admin/test-clock moves time forward. Never use this in production.\n";
  }
  if (!config.extra_listen_addresses.empty()) {
    std::cout << "keyhaven: port " << server.port() << " on " << config.listen_address;
    for (const std::string& a : config.extra_listen_addresses) std::cout << ", " << a;
    std::cout << "\n";
  }
  if (server.private_port()) {
    // Requests arriving here pass vault firewalls as through a private endpoint. Tests parse
    // this line, as they parse the one below.
    std::cout << "keyhaven: private listener on " << Authority(config.domain, server.private_port())
              << "\n";
  }
  if (observability->listener) {
    std::cout << "keyhaven: metrics on http://" << config.metrics_listen_address << ":"
              << observability->listener->port() << "/metrics\n";
  }
  std::cout << "keyhaven: listening on " << authority << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "keyhaven: stopping (signal " << signal_number << ")" << std::endl;
  server.Stop();
  // The expiry pass uses the api and services below, which go before the purge loop does.
  purge_loop.SetAfterPass({});
  purge_loop.RunNow();
  journal_shipper.Stop();
  if (Status drained = journal_shipper.Drain(); !drained.ok()) {
    std::cerr << "keyhaven: the backup target could not take every change; the rest waits in "
                 "the store until the next start: "
              << drained.message() << "\n";
  }
  storage::StoreStats stats = dir->store->Stats();
  std::cout << "keyhaven: stopped; " << stats.commits << " writes in " << stats.transactions
            << " durable transactions" << std::endl;
  return 0;
}

}  // namespace kh::server
