#include "api/event_source.h"

#include <boost/json.hpp>

#include "core/ids.h"

namespace kh::api {
namespace {

namespace json = boost::json;

struct Raised {
  const char* operation;
  const char* type;
  const char* object_type;
};

// Operation (the audit record's name) → event.
constexpr Raised kRaised[] = {
    {"SecretSet", "Microsoft.KeyVault.SecretNewVersionCreated", "Secret"},
    {"KeyCreate", "Microsoft.KeyVault.KeyNewVersionCreated", "Key"},
    {"KeyImport", "Microsoft.KeyVault.KeyNewVersionCreated", "Key"},
    {"KeyRotate", "Microsoft.KeyVault.KeyNewVersionCreated", "Key"},
    {"SecretDelete", "Keyhaven.KeyVault.ObjectDeleted", "Secret"},
    {"KeyDelete", "Keyhaven.KeyVault.ObjectDeleted", "Key"},
    {"SecretPurge", "Keyhaven.KeyVault.ObjectPurged", "Secret"},
    {"KeyPurge", "Keyhaven.KeyVault.ObjectPurged", "Key"},
    {"VaultDelete", "Keyhaven.KeyVault.ObjectDeleted", "Vault"},
    {"VaultPurge", "Keyhaven.KeyVault.ObjectPurged", "Vault"},
    {"RoleAssignmentPut", "Keyhaven.KeyVault.RoleAssignmentChanged", "RoleAssignment"},
    {"RoleAssignmentDelete", "Keyhaven.KeyVault.RoleAssignmentChanged", "RoleAssignment"},
};

// The object's URI, version and validity from a secret or key bundle.
void FromBundle(const std::string& body, audit::KeyVaultEvent& e) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.as_object();
  const json::value* id = o.if_contains("id");
  if (const json::value* key = o.if_contains("key"); key && key->is_object()) {
    id = key->as_object().if_contains("kid");
  }
  if (id && id->is_string()) {
    e.object_id = std::string(id->as_string());
    const size_t slash = e.object_id.rfind('/');
    if (slash != std::string::npos) e.version = e.object_id.substr(slash + 1);
  }
  if (const json::value* a = o.if_contains("attributes"); a && a->is_object()) {
    if (const json::value* nbf = a->as_object().if_contains("nbf"); nbf && nbf->is_int64()) {
      e.nbf = nbf->as_int64();
    }
    if (const json::value* exp = a->as_object().if_contains("exp"); exp && exp->is_int64()) {
      e.exp = exp->as_int64();
    }
  }
}

// The last path segment of a URI without its query ("/a/b?x" → "b").
std::string LastSegment(std::string_view uri) {
  uri = uri.substr(0, uri.find('?'));
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  const size_t slash = uri.rfind('/');
  return std::string(slash == std::string_view::npos ? uri : uri.substr(slash + 1));
}

}  // namespace

std::vector<audit::KeyVaultEvent> EventsOf(const audit::AuditEvent& record,
                                           const Response& response, const std::string& topic,
                                           const std::string& vault_name, int64_t now_ms) {
  std::vector<audit::KeyVaultEvent> out;
  if (response.status >= 300) return out;
  audit::KeyVaultEvent e;
  e.topic = topic;
  e.time_ms = now_ms;
  e.vault_name = vault_name;
  // Access policy edits go through the vault's accessPolicies route (logged as VaultPatch).
  if (record.operation_name == "VaultPatch" &&
      record.request_uri.find("/accessPolicies/") != std::string::npos) {
    e.type = "Microsoft.KeyVault.VaultAccessPolicyChanged";
    e.object_type = "Vault";
    e.object_name = e.subject = vault_name;
    e.object_id = record.id;
    e.id = NewGuid();
    out.push_back(std::move(e));
    return out;
  }
  for (const Raised& r : kRaised) {
    if (record.operation_name != r.operation) continue;
    e.type = r.type;
    e.object_type = r.object_type;
    if (e.object_type == "Secret" || e.object_type == "Key") {
      e.object_id = record.id;
      const std::string kind = e.object_type == "Secret" ? "/secrets/" : "/keys/";
      const size_t at = record.id.find(kind);
      e.object_name = at == std::string::npos ? "" : record.id.substr(at + kind.size());
      e.object_name = e.object_name.substr(0, e.object_name.find('/'));
      if (r.type == std::string_view("Microsoft.KeyVault.SecretNewVersionCreated") ||
          r.type == std::string_view("Microsoft.KeyVault.KeyNewVersionCreated")) {
        FromBundle(response.body, e);
      }
    } else if (e.object_type == "Vault") {
      e.object_name = vault_name.empty() ? LastSegment(record.request_uri) : vault_name;
      e.object_id = record.id;
    } else {
      e.object_name = LastSegment(record.request_uri);
      e.object_id = record.request_uri.substr(0, record.request_uri.find('?'));
    }
    e.subject = e.object_name;
    e.id = NewGuid();  // only for a raised event: most writes raise none
    out.push_back(std::move(e));
    break;
  }
  return out;
}

}  // namespace kh::api
