#pragma once
// Api: Keyhaven's HTTP surface, transport-neutral. The http module calls it in two phases so
// that every vault request is authenticated before its body is read (DESIGN.md section 3):
//
//   Admit(headers)        host → vault, authentication; a final Response (401 challenge,
//                         unknown vault) or an Admission to continue with
//   Handle(request, adm)  authorization, api-version, routing, the handler, serialization
//
// Thread-safe: both phases run concurrently on many threads.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "api/firewall_cache.h"
#include "api/rate_limiter.h"
#include "api/request.h"
#include "api/target.h"
#include "audit/alert_rules.h"
#include "audit/audit_event.h"
#include "audit/key_vault_event.h"
#include "audit/service_metrics.h"
#include "authn/principal.h"
#include "authn/token_service.h"
#include "authz/authorizer.h"
#include "authz/network_rules.h"
#include "core/clock.h"
#include "domain/certificate_issuers.h"
#include "domain/certificate_service.h"
#include "domain/event_subscriptions.h"
#include "domain/key_rotation.h"
#include "domain/key_service.h"
#include "domain/named_records.h"
#include "domain/role_assignment_service.h"
#include "domain/role_definition_service.h"
#include "domain/secret_service.h"
#include "domain/vault_backup.h"
#include "domain/vault_service.h"

namespace kh::api {

struct ApiConfig {
  std::string domain;  // "localhost"
  int port = 8443;     // the port clients use (as in URLs)
  std::string tenant_id;
  std::string subscription_id;
  bool test_clock = false;
  uint64_t vault_requests_per_window = kDefaultVaultRequestsPerWindow;  // 0 = unlimited
  authz::NetworkConfig network;  // trusted proxies and named networks for the firewall
};

// The server's event dispatcher, as the API sees it: where raised events go, and the webhook
// validation handshake a new subscription must pass.
class EventDelivery : public audit::EventSink {
 public:
  // Event Grid's handshake (or CloudEvents' abuse protection, by the subscription's schema);
  // InvalidArgument saying what the endpoint got wrong.
  virtual Status ValidateEndpoint(const domain::EventSubscription& subscription) = 0;
};

struct ApiServices {
  domain::VaultService* vaults = nullptr;
  domain::SecretService* secrets = nullptr;
  domain::KeyService* keys = nullptr;
  domain::CertificateService* certificates = nullptr;  // optional: /certificates 404s without
  domain::CertificateIssuers* certificate_issuers = nullptr;
  domain::VaultBackupService* vault_backups = nullptr;
  audit::AuditSink* audit = nullptr;  // one record per answered request; optional (benchmarks)
  audit::ServiceMetrics* metrics = nullptr;  // Azure's metrics, from the same records; optional
  EventDelivery* events = nullptr;           // events that requests raise; optional
  domain::EventSubscriptions* event_subscriptions = nullptr;
  audit::AlertEngine* alerts = nullptr;         // alert rules over the request stream
  domain::NamedRecords* alert_rules = nullptr;  // where the rules are kept
  // A vault's diagnostic settings (stored documents), and what to run after one changed.
  std::function<domain::NamedRecords(const std::string& vault)> diagnostic_settings;
  std::function<Status()> on_diagnostic_settings_changed;
  domain::KeyRotationService* key_rotation = nullptr;  // rotate, rotationpolicy
  domain::RoleAssignmentService* role_assignments = nullptr;
  domain::RoleDefinitionService* role_definitions = nullptr;  // custom roles; optional
  authn::TokenService* tokens = nullptr;
  authn::PrincipalStore* principals = nullptr;
  const authz::Authorizer* authorizer = nullptr;
  SystemClock* clock = nullptr;  // required; advanced by the test-clock endpoint when enabled
  std::function<void()> on_clock_advanced;  // runs the purge and rotation jobs right away
};

enum class Surface { kIdentity, kManagement, kAdmin, kVault };

// What authorization decided, for the audit record.
struct AuthorizationNote {
  audit::AuthorizationModel model = audit::AuthorizationModel::kNotEvaluated;
  bool allowed = false;
  std::string assignment_id;     // the role assignment that allowed it (RBAC)
  std::string policy_object_id;  // the access policy entry that allowed it
};

struct Admission {
  Surface surface = Surface::kIdentity;
  std::shared_ptr<const domain::Vault> vault;  // kVault only
  std::optional<authn::Caller> caller;         // all but kIdentity
  Target target;                               // parsed once, in Admit
  // Written by the handler's authorization check (one request, one thread at a time), read by
  // the audit record after the response.
  mutable AuthorizationNote authorization;
};

// Receives a function that builds the response; the caller runs it on a thread of its choice
// (the http module: the connection's I/O thread) and writes what it returns.
using Deferred = std::function<void(std::function<Response()> build)>;

class Api {
 public:
  Api(ApiConfig config, ApiServices services);

  std::variant<Response, Admission> Admit(const Request& headers_only);
  Response Handle(const Request& request, const Admission& admission);
  // For requests that can finish without a thread blocking on a durable commit (secret set):
  // starts it and returns true; `reply` is called exactly once, possibly from the storage's
  // committing thread. Returns false for every other request (use Handle()). `request` and
  // `admission` must stay alive until `reply` has been called.
  bool TryHandleAsync(const Request& request, const Admission& admission, Deferred reply);

  // Whether the request is cheap and never waits on storage, so the transport may run Handle()
  // on its I/O thread instead of handing it to a worker and back (which costs more than the work
  // itself on small machines): reads (but not a certificate secret's format conversion, which
  // parses a PFX), and key operations (CPU only: an RSA-2048 private-key operation takes
  // ~0.3 ms). Key creation is not: RSA generation takes up to seconds.
  bool RunsInline(const Request& request, const Admission& admission) const;

  // Fail-closed audit (DESIGN.md section 3), for a request that may change state: `go` receives
  // nullopt once the audit log has shown it can be written, or the 503 to answer instead. It may
  // run on another thread, or before this returns.
  void BeforeChange(const std::function<void(std::optional<Response>)>& go) const;

  // Writes the audit record of an answered request (admission null: answered before it).
  void Audit(const Request& request, const Admission* admission, const Response& response,
             int64_t duration_ms) const;

  // The largest body an admitted request may carry: kMaxBodyBytes, or kMaxBackupFileBytes for
  // uploads of whole-vault backup files.
  size_t MaxBodyBytes(const Admission& admission) const;

  // https://{domain}[:{port}]: the authority, the token audience and the ARM endpoint.
  std::string ServiceUrl() const;
  // https://{vault}.{domain}[:{port}]
  std::string VaultUrl(std::string_view vault_name) const;
  // VaultUrl(vault_name) appended to `out` (the audit record builds it once per request).
  void AppendVaultUrl(std::string& out, std::string_view vault_name) const;

 private:
  Response Dispatch(const Request& request, const Admission& admission);
  Response Challenge(const Status& status) const;
  // The vault's firewall verdict on this request's client; a 403 when it is blocked.
  std::optional<Response> Firewall(const Request& request,
                                   const std::shared_ptr<const domain::Vault>& vault) const;
  void AddCommonHeaders(const Request& request, Response& response) const;

  ApiConfig config_;
  ApiServices services_;
  RateLimiter rate_limiter_;
  mutable FirewallCache firewall_cache_;
};

}  // namespace kh::api
