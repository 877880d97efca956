// The audit record of each answered request (audit/audit_event.h): Azure's operationName for the
// route, the vault's ARM id, the caller's claims, and what the response said, never a body.
#include "api/audit_trail.h"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "core/ascii.h"

namespace kh::api {
namespace {

// The path's parts, lower-cased, without empty ones ("/secrets/db/" and "/secrets//db" alike).
// Into one vector per thread, reused: this runs for every request.
const std::vector<std::string>& Parts(const std::vector<std::string>& segments) {
  thread_local std::vector<std::string> parts;
  size_t n = 0;
  for (const auto& s : segments) {
    if (s.empty()) continue;
    if (n == parts.size()) parts.emplace_back();
    parts[n].assign(s);
    for (char& c : parts[n]) c = AsciiLower(c);
    ++n;
  }
  parts.resize(n);
  return parts;
}

// "Secret" or "Key" and the verb for the data plane's object routes.
std::string ObjectOperation(const std::string& method, const std::vector<std::string>& p) {
  const bool deleted = p[0] == "deletedsecrets" || p[0] == "deletedkeys";
  const std::string noun = (p[0] == "secrets" || p[0] == "deletedsecrets") ? "Secret" : "Key";
  const size_t n = p.size();
  if (deleted) {
    if (n == 1) return noun + "ListDeleted";
    if (n == 2) return noun + (method == "DELETE" ? "Purge" : "GetDeleted");
    if (n == 3 && p[2] == "recover") return noun + "Recover";
    return noun + "Unknown";
  }
  if (n == 1) return noun + "List";
  if (n == 2 && p[1] == "restore") return noun + "Restore";
  if (n == 2 || (n == 3 && p[2] != "versions" && p[2] != "backup" && p[2] != "create" &&
                 p[2] != "rotate" && p[2] != "rotationpolicy")) {
    if (method == "GET") return noun + "Get";
    if (method == "PATCH") return noun + "Update";
    if (method == "DELETE") return noun + "Delete";
    if (method == "PUT") return noun == "Secret" ? "SecretSet" : "KeyImport";
    return noun + "Unknown";
  }
  if (n == 3) {
    if (p[2] == "versions") return noun + "ListVersions";
    if (p[2] == "backup") return noun + "Backup";
    if (p[2] == "create") return "KeyCreate";
    if (p[2] == "rotate") return "KeyRotate";
    if (p[2] == "rotationpolicy")
      return method == "GET" ? "KeyRotationPolicyGet" : "KeyRotationPolicySet";
  }
  if (n == 4 && noun == "Key") {
    static const std::pair<const char*, const char*> kOps[] = {
        {"sign", "KeySign"},       {"verify", "KeyVerify"}, {"encrypt", "KeyEncrypt"},
        {"decrypt", "KeyDecrypt"}, {"wrapkey", "KeyWrap"},  {"unwrapkey", "KeyUnwrap"},
        {"release", "KeyRelease"}};
    for (const auto& [op, name] : kOps) {
      if (p[3] == op) return name;
    }
  }
  return noun + "Unknown";
}

// Azure's operationName for /certificates... and /deletedcertificates... (p lower-cased).
std::string CertificateOperation(const std::string& method, const std::vector<std::string>& p) {
  const size_t n = p.size();
  if (p[0] == "deletedcertificates") {
    if (n == 1) return "CertificateListDeleted";
    if (n == 2) return method == "DELETE" ? "CertificatePurge" : "CertificateGetDeleted";
    if (n == 3 && p[2] == "recover") return "CertificateRecover";
    return "CertificateUnknown";
  }
  if (n == 1) return "CertificateList";
  if (p[1] == "contacts" && n == 2) {
    return method == "GET"      ? "CertificateContactsGet"
           : method == "DELETE" ? "CertificateContactsDelete"
                                : "CertificateContactsSet";
  }
  if (p[1] == "issuers") {
    if (n == 2) return "CertificateIssuersList";
    return method == "GET"      ? "CertificateIssuerGet"
           : method == "DELETE" ? "CertificateIssuerDelete"
           : method == "PATCH"  ? "CertificateIssuerUpdate"
                                : "CertificateIssuerSet";
  }
  if (n == 2 && p[1] == "restore") return "CertificateRestore";
  if (n == 2) return method == "DELETE" ? "CertificateDelete" : "CertificateGet";
  const std::string& third = p[2];
  if (n == 3) {
    if (third == "create") return "CertificateCreate";
    if (third == "import") return "CertificateImport";
    if (third == "versions") return "CertificateListVersions";
    if (third == "backup") return "CertificateBackup";
    if (third == "policy")
      return method == "GET" ? "CertificatePolicyGet" : "CertificatePolicyUpdate";
    if (third == "pending") {
      return method == "GET"      ? "CertificatePendingGet"
             : method == "DELETE" ? "CertificatePendingDelete"
                                  : "CertificatePendingUpdate";
    }
    return method == "PATCH" ? "CertificateUpdate" : "CertificateGet";
  }
  if (n == 4 && third == "pending" && p[3] == "merge") return "CertificatePendingMerge";
  return "CertificateUnknown";
}

std::string ManagementOperation(const Request& request, const std::vector<std::string>& p) {
  const std::string& m = request.method;
  // subscriptions/{sub}/providers/microsoft.keyvault/...
  if (p.size() >= 5 && p[2] == "providers") {
    if (p[4] == "deletedvaults") return "VaultListDeleted";
    if (p[4] == "checknameavailability") return "VaultCheckNameAvailability";
    if (p[4] == "vaults") return "VaultList";
    if (p[4] == "locations" && p.size() >= 8)
      return p.size() == 9 ? "VaultPurge" : "VaultGetDeleted";
  }
  // subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.keyvault/vaults[/{name}[/...]]
  if (p.size() >= 7 && p[2] == "resourcegroups" && p[6] == "vaults") {
    if (p.size() == 7) return "VaultList";
    if (p.size() == 8) {
      if (m == "GET") return "VaultGet";
      if (m == "PATCH") return "VaultPatch";
      if (m == "DELETE") return "VaultDelete";
      if (m == "PUT") return "VaultPut";  // also createMode "recover" (bodies are not read)
    }
    if (p.size() >= 9 && p[8] == "accesspolicies") return "VaultPatch";
  }
  if (std::find(p.begin(), p.end(), "roleassignments") != p.end()) {
    return m == "GET"      ? "RoleAssignmentGet"
           : m == "DELETE" ? "RoleAssignmentDelete"
                           : "RoleAssignmentPut";
  }
  if (std::find(p.begin(), p.end(), "roledefinitions") != p.end()) {
    return m == "GET"      ? "RoleDefinitionGet"
           : m == "DELETE" ? "RoleDefinitionDelete"
                           : "RoleDefinitionPut";
  }
  return "ManagementUnknown";
}

// The vault's ARM id, upper-cased as Azure's audit records show it, appended to `out`.
void AppendVaultResourceId(std::string& out, const ApiConfig& config, std::string_view group,
                           std::string_view name) {
  const size_t start = out.size();
  domain::AppendVaultArmId(out, config.subscription_id, group, name);
  for (size_t i = start; i < out.size(); ++i) out[i] = AsciiUpper(out[i]);
}

// Appends the request-target as the audit record shows it: the raw path, and of the query only
// the parameters Keyhaven's API defines (api-version, paging, filters), with decoded names. Any
// other parameter, which a client might use for anything, shows as REDACTED, name and all.
void AppendTargetWithoutSecrets(std::string& out, std::string_view raw, const Target& parsed,
                                bool parsed_ok) {
  static constexpr std::string_view kKnown[] = {
      "api-version", "maxresults",    "$skiptoken", "$filter",        "$top",
      "resource",    "resourcegroup", "vault",      "outcontenttype", "includepending"};
  const size_t question = raw.find('?');
  out.append(raw.substr(0, question));
  if (question == std::string_view::npos) return;
  if (!parsed_ok) {
    out.append("?REDACTED");
    return;
  }
  char separator = '?';
  for (const auto& [name, value] : parsed.query) {
    out.push_back(separator);
    separator = '&';
    if (std::find(std::begin(kKnown), std::end(kKnown), AsciiLower(name)) != std::end(kKnown)) {
      out.append(name).append("=").append(UrlEncode(value));
    } else {
      out.append("REDACTED");
    }
  }
}

// The most specific error code of a failure: the inner one when there is one
// (ForbiddenByRbac, ForbiddenByFirewall, ...), else the code.
std::string ErrorCode(const Response& response) {
  boost::system::error_code ec;
  auto v = boost::json::parse(response.body, ec);
  if (ec || !v.is_object()) return {};
  auto* error = v.as_object().if_contains("error");
  if (!error || !error->is_object()) return {};
  const auto code_of = [](const boost::json::object& o) {
    auto* code = o.if_contains("code");
    return code && code->is_string() ? std::string(code->as_string()) : std::string();
  };
  if (auto* inner = error->as_object().if_contains("innererror"); inner && inner->is_object()) {
    if (std::string code = code_of(inner->as_object()); !code.empty()) return code;
  }
  return code_of(error->as_object());
}

}  // namespace

void BuildAuditEvent(const Api& api, const ApiConfig& config, const ApiServices& services,
                     const Request& request, const Admission* admission, const Response& response,
                     int64_t duration_ms, int64_t now_ms, audit::AuditEvent& e) {
  audit::ClearKeepingCapacity(e);
  e.time_ms = now_ms;
  e.duration_ms = duration_ms;
  e.http_status = response.status;
  if (response.status >= 400) e.result_description = ErrorCode(response);
  e.caller_ip = request.client_address;
  e.tls_version = request.tls_version;
  static const std::string kRequestId = "x-ms-client-request-id", kUserAgent = "user-agent";
  if (auto it = request.headers.find(kRequestId); it != request.headers.end())
    e.correlation_id = it->second;
  if (auto it = request.headers.find(kUserAgent); it != request.headers.end())
    e.client_info = it->second;
  if (admission && admission->caller) {
    e.object_id = admission->caller->object_id;
    e.app_id = admission->caller->client_id;
    // The server's own tenant goes without saying (it is every local caller's); an external
    // issuer's tenant is worth its bytes.
    if (admission->caller->tenant_id != config.tenant_id)
      e.tenant_id = admission->caller->tenant_id;
  }
  if (admission) {
    e.authorization = admission->authorization.model;
    e.authorized = admission->authorization.allowed;
    e.applied_assignment_id = admission->authorization.assignment_id;
    e.access_policy_object_id = admission->authorization.policy_object_id;
  }

  // The admission's parsed target; requests answered before admission are parsed here.
  std::optional<Target> parsed_here;
  bool parsed_ok = true;
  if (!admission) {
    auto parsed = ParseTarget(request.target);
    parsed_ok = parsed.ok();
    parsed_here = parsed_ok ? std::move(*parsed) : Target{};
  }
  const Target& target = admission ? admission->target : *parsed_here;
  e.operation_version = target.Query("api-version");
  const std::vector<std::string>& p = Parts(target.segments);
  // A vault's host is "<name>.<domain>".
  const std::string_view host = request.host;
  const std::string_view domain = config.domain;
  const bool vault_host = host.size() > domain.size() + 1 && host.ends_with(domain) &&
                          host[host.size() - domain.size() - 1] == '.';
  if (vault_host) {
    const std::string vault_name(host.substr(0, host.size() - domain.size() - 1));
    std::shared_ptr<const domain::Vault> vault = admission ? admission->vault : nullptr;
    if (!vault && services.vaults) {
      auto found = services.vaults->Find(vault_name);
      if (found.ok()) vault = *found;
    }
    if (vault) AppendVaultResourceId(e.resource_id, config, vault->resource_group, vault->name);
    // Admitted vault requests passed the firewall; a firewall 403 is the other verdict.
    if (admission && admission->vault) e.address_authorized = true;
    if (e.result_description == "ForbiddenByFirewall") e.address_authorized = false;
    api.AppendVaultUrl(e.request_uri, vault_name);
    e.id = e.request_uri;
    e.id.push_back('/');
    AppendTargetWithoutSecrets(e.request_uri, request.target, target, parsed_ok);
    if (response.status == 401) {
      e.operation_name = "Authentication";
    } else if (!p.empty() && (p[0] == "secrets" || p[0] == "keys" || p[0] == "deletedsecrets" ||
                              p[0] == "deletedkeys")) {
      e.operation_name = ObjectOperation(request.method, p);
      if (p.size() >= 2 && p[1] != "restore") {  // the object's id: /secrets/NAME[/VERSION]
        e.id.append(p[0]).append("/").append(p[1]);
        if (p.size() >= 3 && p[2].size() == 32) e.id.append("/").append(p[2]);
      }
    } else if (!p.empty() && (p[0] == "certificates" || p[0] == "deletedcertificates")) {
      e.operation_name = CertificateOperation(request.method, p);
      const bool object =
          p.size() >= 2 && p[1] != "restore" && p[1] != "contacts" && p[1] != "issuers";
      if (object) {
        e.id.append(p[0]).append("/").append(p[1]);
        if (p.size() >= 3 && p[2].size() == 32) e.id.append("/").append(p[2]);
      }
    } else if (!p.empty() && p[0] == "rng") {
      e.operation_name = "KeyRandom";
    } else {
      e.operation_name = "VaultUnknown";
    }
    return;
  }
  e.request_uri = api.ServiceUrl();
  AppendTargetWithoutSecrets(e.request_uri, request.target, target, parsed_ok);
  if (!p.empty() && p[0] == "subscriptions") {
    e.operation_name = ManagementOperation(request, p);
    if (p.size() >= 8 && p[2] == "resourcegroups" && p[6] == "vaults") {
      AppendVaultResourceId(e.resource_id, config, p[3], p[7]);
      e.id = api.VaultUrl(p[7]) + "/";
    } else if (p.size() >= 8 && p[2] == "providers" && p[4] == "locations" &&
               p[6] == "deletedvaults") {
      // A deleted vault's own ARM id (.../locations/{loc}/deletedVaults/{name}): after a purge
      // there is no vault record left to name its resource group.
      const size_t start = e.resource_id.size();
      e.resource_id.append("/subscriptions/").append(config.subscription_id);
      e.resource_id.append("/providers/Microsoft.KeyVault/locations/").append(p[5]);
      e.resource_id.append("/deletedVaults/").append(p[7]);
      for (size_t i = start; i < e.resource_id.size(); ++i) {
        e.resource_id[i] = AsciiUpper(e.resource_id[i]);
      }
      e.id = api.VaultUrl(p[7]) + "/";
    }
  } else if (!p.empty() && p[0] == "admin") {
    e.operation_name = "Admin" + (p.size() > 1 ? "/" + p[1] : std::string());
  } else {
    e.operation_name = "Authentication";  // the token endpoint and OpenID discovery
  }
}

}  // namespace kh::api
