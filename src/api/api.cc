#include "api/api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "api/audit_trail.h"
#include "api/call.h"
#include "api/error_mapping.h"
#include "api/event_source.h"
#include "api/key_handlers.h"
#include "api/rbac.h"
#include "authz/access_policies.h"
#include "core/ascii.h"
#include "core/ids.h"
#include "domain/names.h"

namespace kh::api {
namespace {

constexpr std::string_view kServiceVersion = "1.9.2755.1";

bool IsIpLiteral(std::string_view host) {
  if (host.find(':') != std::string_view::npos || host.front() == '[') return true;  // IPv6
  for (char c : host) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

}  // namespace

Api::Api(ApiConfig config, ApiServices services)
    : config_(std::move(config)),
      services_(std::move(services)),
      rate_limiter_(config_.vault_requests_per_window, services_.clock) {}

std::string Api::ServiceUrl() const {
  std::string url = "https://" + config_.domain;
  if (config_.port != 443) url += ":" + std::to_string(config_.port);
  return url;
}

std::string Api::VaultUrl(std::string_view vault_name) const {
  std::string url;
  AppendVaultUrl(url, vault_name);
  return url;
}

void Api::AppendVaultUrl(std::string& out, std::string_view vault_name) const {
  out.append("https://");
  for (char c : vault_name) out.push_back(AsciiLower(c));
  out.push_back('.');
  out.append(config_.domain);
  if (config_.port != 443) {
    char digits[8];
    out.push_back(':');
    out.append(digits, std::to_chars(digits, digits + sizeof digits, config_.port).ptr);
  }
}

Response Api::Challenge(const Status& status) const {
  Response r = ErrorResponse(status);
  // resource = the parent host, so the SDKs' challenge-resource check passes for any vault
  // host below it (azure-sdk-wire.md section 2).
  r.headers.emplace_back("WWW-Authenticate", "Bearer authorization=\"" + ServiceUrl() + "/" +
                                                 config_.tenant_id + "\", resource=\"" +
                                                 ServiceUrl() + "\"");
  return r;
}

std::variant<Response, Admission> Api::Admit(const Request& request) {
  Admission admission;
  auto target = ParseTarget(request.target);
  if (!target.ok()) return ErrorResponse(target.status());
  admission.target = std::move(*target);
  const std::string& host = request.host;
  const std::string suffix = "." + config_.domain;

  if (host.empty() || host == config_.domain || IsIpLiteral(host)) {
    // ARM clients that join "/{scope}" onto a path send "//subscriptions/..."; ARM accepts it.
    auto& segments = admission.target.segments;
    while (segments.size() > 1 && segments.front().empty()) segments.erase(segments.begin());
    const auto& s = admission.target.segments;
    if (!s.empty() && AsciiEqualsIgnoreCase(s[0], "subscriptions")) {
      admission.surface = Surface::kManagement;
    } else if (!s.empty() && s[0] == "admin") {
      admission.surface = Surface::kAdmin;
    } else {
      return admission;  // identity endpoints are public
    }
  } else if (host.size() > suffix.size() &&
             host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0 &&
             host.find('.') == host.size() - suffix.size()) {
    auto vault = services_.vaults->Find(host.substr(0, host.size() - suffix.size()));
    if (!vault.ok()) return ErrorResponse(vault.status());
    // The firewall judges the network before anything about the caller is looked at.
    if (auto blocked = Firewall(request, *vault)) return std::move(*blocked);
    admission.surface = Surface::kVault;
    admission.vault = std::move(*vault);
  } else {
    return ErrorResponse(NotFound(
        "HostNotFound", "The host name '" + host.substr(0, 255) + "' is not served here."));
  }

  std::string auth = request.Header("authorization");
  if (auth.empty()) {
    return Challenge(Unauthenticated("AKV10000: Request is missing a Bearer or PoP token."));
  }
  if (auth.size() < 7 || !AsciiEqualsIgnoreCase(auth.substr(0, 7), "bearer ")) {
    return Challenge(Unauthenticated("AKV10001: The authorization scheme must be Bearer."));
  }
  auto caller = services_.tokens->Verify(std::string_view(auth).substr(7));
  if (!caller.ok()) return Challenge(caller.status());
  admission.caller = std::move(*caller);
  if (admission.vault) {
    if (auto retry_after = rate_limiter_.Admit(admission.vault->name)) {
      Response r = ErrorResponse(
          Status(StatusCode::kThrottled, "Throttled",
                 "Request was not processed because too many requests were received. Reason: "
                 "VaultRequestTypeLimitReached (" +
                     std::to_string(config_.vault_requests_per_window) + " requests per " +
                     std::to_string(kRateWindowSeconds) + " seconds per vault)."));
      for (auto& [name, value] : r.headers) {
        if (name == "Retry-After") value = std::to_string(std::max<int64_t>(1, *retry_after));
      }
      return r;
    }
  }
  return admission;
}

std::optional<Response> Api::Firewall(const Request& request,
                                      const std::shared_ptr<const domain::Vault>& vault_ptr) const {
  const domain::Vault& vault = *vault_ptr;
  std::string client = authz::EffectiveClientAddress(config_.network, request.client_address,
                                                     request.Header("x-forwarded-for"));
  authz::FirewallRequest how{client, request.via_private_link};
  authz::FirewallDecision d;
  if (vault.ip_rules.empty() && vault.virtual_network_rules.empty()) {
    // Flags only (most vaults): nothing to parse, nothing worth a cache lookup.
    d = authz::VaultFirewall(NetworkRulesOf(vault)).Evaluate(config_.network, how);
  } else {
    d = firewall_cache_.Get(vault_ptr)->Evaluate(config_.network, how);
  }
  if (d.allowed) return std::nullopt;
  std::string where = "\r\nVault: " + vault.name + ";location=" + vault.location;
  if (d.inner_code == "ForbiddenByConnection") {
    return ErrorResponse(PermissionDenied(
        "Public network access is disabled and request is not from a trusted service nor via an "
        "approved private link.\r\nCaller: " +
            where,
        d.inner_code));
  }
  return ErrorResponse(PermissionDenied(
      "Client address is not authorized and caller is not a trusted service.\r\nClient address: " +
          d.client_address + "\r\nCaller: " + where,
      d.inner_code));
}

Response Api::Handle(const Request& request, const Admission& admission) {
  if (services_.audit) {
    if (Status writable = services_.audit->CheckWritable(); !writable.ok()) {
      Response r = ErrorResponse(writable);
      AddCommonHeaders(request, r);
      return r;
    }
  }
  Response r = Dispatch(request, admission);
  AddCommonHeaders(request, r);
  return r;
}

bool Api::TryHandleAsync(const Request& request, const Admission& admission, Deferred reply) {
  if (admission.surface != Surface::kVault) return false;
  if (services_.audit && !services_.audit->CheckWritable().ok()) return false;  // Handle: 503
  if (!IsSupportedDataPlaneVersion(admission.target.Query("api-version"))) return false;
  Call call{request, admission.target, admission, config_, services_, *this};
  return TrySetSecretAsync(call, [this, &request, reply](std::function<Response()> build) {
    reply([this, &request, build = std::move(build)] {
      Response r = build();
      AddCommonHeaders(request, r);
      return r;
    });
  });
}

bool Api::RunsInline(const Request& request, const Admission& admission) const {
  // A certificate secret's format conversion parses a PFX and checks its key: a worker's job.
  if (request.method == "GET") return !admission.target.HasQuery("outContentType");
  const auto& s = admission.target.segments;
  return admission.surface == Surface::kVault && request.method == "POST" && s.size() == 4 &&
         s[0] == "keys" && ParseKeyOperationPath(s[3]).has_value();
}

void Api::BeforeChange(const std::function<void(std::optional<Response>)>& go) const {
  if (!services_.audit) return go(std::nullopt);
  services_.audit->AfterNextWrite([go](Status writable) {
    if (writable.ok()) return go(std::nullopt);
    go(ErrorResponse(writable));
  });
}

void Api::Audit(const Request& request, const Admission* admission, const Response& response,
                int64_t duration_ms) const {
  // Build the record only for a consumer that wants this one: with the audit log off, a read
  // costs nothing here unless metrics or alert rules watch it.
  const bool raises_events = services_.events && request.method != "GET" && response.status < 300;
  const bool alerting = services_.alerts && services_.alerts->HasRules();
  if (!services_.audit && !services_.metrics && !raises_events && !alerting) return;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // One event per thread, reused: its strings keep their buffers from request to request.
  thread_local audit::AuditEvent event;
  BuildAuditEvent(*this, config_, services_, request, admission, response, duration_ms, now_ms,
                  event);
  if (services_.metrics) services_.metrics->Record(event);
  if (alerting) services_.alerts->Record(event, now_ms);
  if (raises_events) {
    // Outside the vault's host (ARM deletes and purges, role assignments) the record's
    // upper-cased ARM id is the topic: ARM ids compare without case.
    std::string topic = event.resource_id;
    std::string vault_name = AsciiLower(topic.substr(topic.rfind('/') + 1));
    if (admission && admission->vault) {
      const domain::Vault& v = *admission->vault;
      topic = domain::VaultArmId(config_.subscription_id, v.resource_group, v.name);
      vault_name = v.name;
    }
    auto raised = EventsOf(event, response, topic, vault_name, now_ms);
    if (!raised.empty()) services_.events->Publish(std::move(raised));
  }
  if (services_.audit) services_.audit->Write(event);
}

size_t Api::MaxBodyBytes(const Admission& admission) const {
  const auto& s = admission.target.segments;
  if (admission.surface == Surface::kAdmin && s.size() == 3 && s[1] == "vault-backup" &&
      (s[2] == "verify" || s[2] == "restore")) {
    return kMaxBackupFileBytes;
  }
  return kMaxBodyBytes;
}

Response Api::Dispatch(const Request& request, const Admission& admission) {
  Call call{request, admission.target, admission, config_, services_, *this};
  if (admission.surface == Surface::kIdentity) return HandleIdentity(call);
  if (admission.surface == Surface::kAdmin) return HandleAdmin(call);

  std::string version = admission.target.Query("api-version");
  if (version.empty()) {
    return ErrorResponse(InvalidArgument("The api-version query parameter is required."));
  }
  if (admission.surface == Surface::kManagement) {
    if (!IsWellFormedArmVersion(version)) {
      return ErrorResponse(
          InvalidArgument("The api-version '" + version.substr(0, 32) + "' is invalid.",
                          "InvalidApiVersionParameter"));
    }
    return HandleManagement(call);
  }
  if (!IsSupportedDataPlaneVersion(version)) {
    return ErrorResponse(InvalidArgument("The specified version (" + version.substr(0, 32) +
                                         ") is not recognized. Consider using the latest "
                                         "supported version (2025-07-01)."));
  }
  const auto& s = admission.target.segments;
  if (!s.empty() && (s[0] == "secrets" || s[0] == "deletedsecrets")) return HandleSecrets(call);
  if (!s.empty() && (s[0] == "keys" || s[0] == "deletedkeys" || s[0] == "rng")) {
    return HandleKeys(call);
  }
  if (!s.empty() && (s[0] == "certificates" || s[0] == "deletedcertificates")) {
    return HandleCertificates(call);
  }
  return UnknownRoute(request);
}

void Api::AddCommonHeaders(const Request& request, Response& response) const {
  response.headers.emplace_back("x-ms-request-id", NewGuid());
  std::string client_id = request.Header("x-ms-client-request-id");
  if (!client_id.empty() && client_id.size() <= 128) {
    response.headers.emplace_back("x-ms-client-request-id", client_id);
  }
  response.headers.emplace_back("x-ms-keyvault-service-version", std::string(kServiceVersion));
}

Response Respond(const std::function<StatusOr<Response>()>& body) {
  StatusOr<Response> r = body();
  if (!r.ok()) return ErrorResponse(r.status());
  return std::move(*r);
}

namespace {

std::optional<Response> Decide(const Call& call, std::string_view action, std::string_view scope,
                               bool data_action) {
  const authn::Caller& caller = *call.admission.caller;
  authz::Subject subject{caller.object_id, caller.client_id};
  const domain::Vault* vault = call.admission.vault.get();
  // Vaults on the access-policy model authorize data actions by their policies instead.
  if (data_action && vault && !vault->enable_rbac_authorization &&
      !call.services.authorizer->IsBootstrapAdmin(subject)) {
    std::vector<authz::PolicyGrant> grants;
    for (const auto& p : vault->access_policies) {
      grants.push_back(
          {p.object_id, p.application_id, p.keys, p.secrets, p.certificates, p.storage});
    }
    authz::Decision d = authz::CheckAccessPolicies(subject, action, grants,
                                                   vault->name + ";location=" + vault->location);
    call.admission.authorization = {
        audit::AuthorizationModel::kAccessPolicy, d.allowed, {}, d.granted_by};
    if (d.allowed) return std::nullopt;
    return ErrorResponse(PermissionDenied(d.reason, "ForbiddenByPolicy"));
  }
  // The bootstrap administrator needs no assignment lookup (the common case on the hot path).
  static const std::vector<authz::RoleAssignment> kNone;
  std::optional<CallerRoles> roles;
  if (!call.services.authorizer->IsBootstrapAdmin(subject)) {
    roles.emplace(call.services, caller.object_id);
  }
  authz::Decision d = call.services.authorizer->Check(
      subject, action, scope, roles ? roles->assignments() : kNone, data_action);
  call.admission.authorization.model =
      roles ? audit::AuthorizationModel::kRbac : audit::AuthorizationModel::kBootstrapAdministrator;
  call.admission.authorization.allowed = d.allowed;
  if (roles && d.allowed) {
    call.admission.authorization.assignment_id = d.granted_by;
  }
  if (d.allowed) return std::nullopt;
  std::string reason = d.reason;
  if (call.admission.vault) {
    reason += "Vault: " + call.admission.vault->name +
              ";location=" + call.admission.vault->location + "\r\n";
  }
  return ErrorResponse(PermissionDenied(reason, "ForbiddenByRbac"));
}

}  // namespace

std::string VaultResourceId(const Call& call, const domain::Vault& vault) {
  return domain::VaultArmId(call.config.subscription_id, vault.resource_group, vault.name);
}

std::optional<Response> DenyData(const Call& call, std::string_view action,
                                 std::string_view object) {
  std::string scope = VaultResourceId(call, *call.admission.vault);
  if (!object.empty()) scope += "/" + std::string(object);
  return Decide(call, action, scope, true);
}

std::optional<Response> DenyManagement(const Call& call, std::string_view action,
                                       std::string_view scope) {
  return Decide(call, action, scope, false);
}

Response MethodNotAllowed(const Request& request) {
  return ErrorResponse(
      Status(StatusCode::kMethodNotAllowed, "MethodNotAllowed",
             "The method " + request.method.substr(0, 16) + " is not allowed on this resource."));
}

Response UnknownRoute(const Request& request) {
  return ErrorResponse(NotFound("NotFound", "The requested path is not a supported operation."));
}

bool IsSupportedDataPlaneVersion(std::string_view v) {
  static constexpr std::string_view kVersions[] = {"7.0",           "7.1",
                                                   "7.2",           "7.3",
                                                   "7.4",           "7.4-preview.1",
                                                   "7.5",           "7.5-preview.1",
                                                   "7.6",           "7.6-preview.1",
                                                   "7.6-preview.2", "2025-06-01-preview",
                                                   "2025-07-01",    "2026-01-01-preview"};
  for (auto known : kVersions) {
    if (v == known) return true;
  }
  return false;
}

bool IsWellFormedArmVersion(std::string_view v) {
  if (v.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? v[i] != '-' : (v[i] < '0' || v[i] > '9')) return false;
  }
  return v.size() == 10 || v.substr(10) == "-preview";
}

}  // namespace kh::api
