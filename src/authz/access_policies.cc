#include "authz/access_policies.h"

#include <map>

#include "core/ascii.h"

namespace kh::authz {
namespace {

// dataAction suffix (after "Microsoft.KeyVault/vaults/") -> {list, permission}.
const std::map<std::string, std::pair<std::string, std::string>>& Table() {
  static const std::map<std::string, std::pair<std::string, std::string>> table = [] {
    std::map<std::string, std::pair<std::string, std::string>> t;
    auto add = [&](const char* action, const char* list, const char* permission) {
      t[AsciiLower(action)] = {list, permission};
    };
    add("secrets/getSecret/action", "secrets", "get");
    add("secrets/readMetadata/action", "secrets", "list");
    add("secrets/setSecret/action", "secrets", "set");
    add("secrets/update/action", "secrets", "set");
    add("secrets/delete", "secrets", "delete");
    for (const char* p : {"backup", "restore", "recover", "purge"}) {
      add((std::string("secrets/") + p + "/action").c_str(), "secrets", p);
    }
    add("keys/read", "keys", "get");
    add("keys/delete", "keys", "delete");
    add("keys/wrap/action", "keys", "wrapKey");
    add("keys/unwrap/action", "keys", "unwrapKey");
    for (const char* p : {"update", "create", "import", "recover", "restore", "backup", "purge",
                          "encrypt", "decrypt", "sign", "verify", "release", "rotate"}) {
      add((std::string("keys/") + p + "/action").c_str(), "keys", p);
    }
    add("keyrotationpolicies/read", "keys", "getrotationpolicy");
    add("keyrotationpolicies/write", "keys", "setrotationpolicy");
    add("certificates/read", "certificates", "get");
    add("certificates/delete", "certificates", "delete");
    for (const char* p : {"backup", "purge", "update", "create", "import", "recover", "restore"}) {
      add((std::string("certificates/") + p + "/action").c_str(), "certificates", p);
    }
    add("certificatecontacts/write", "certificates", "managecontacts");
    add("certificatecas/read", "certificates", "getissuers");
    add("certificatecas/write", "certificates", "setissuers");
    add("certificatecas/delete", "certificates", "deleteissuers");
    return t;
  }();
  return table;
}

const std::vector<std::string>& ListOf(const PolicyGrant& p, const std::string& list) {
  if (list == "keys") return p.keys;
  if (list == "secrets") return p.secrets;
  if (list == "certificates") return p.certificates;
  return p.storage;
}

bool Grants(const std::vector<std::string>& permissions, const std::string& wanted) {
  for (const auto& p : permissions) {
    std::string l = AsciiLower(p);
    if (l == "all" || l == AsciiLower(wanted)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> PermissionFor(std::string_view data_action) {
  constexpr std::string_view kPrefix = "microsoft.keyvault/vaults/";
  std::string action = AsciiLower(data_action);
  if (action.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  auto it = Table().find(action.substr(kPrefix.size()));
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

Decision CheckAccessPolicies(const Subject& subject, std::string_view data_action,
                             const std::vector<PolicyGrant>& policies, std::string_view vault) {
  auto needed = PermissionFor(data_action);
  if (needed) {
    for (const PolicyGrant& p : policies) {
      if (AsciiLower(p.object_id) != AsciiLower(subject.object_id)) continue;
      if (!p.application_id.empty() &&
          AsciiLower(p.application_id) != AsciiLower(subject.client_id)) {
        continue;
      }
      if (Grants(ListOf(p, needed->first), needed->second)) {
        return Decision{true, "access policy for " + p.object_id, p.object_id};
      }
    }
  }
  std::string what = needed ? needed->first + " " + needed->second : std::string(data_action);
  return Decision{false, "The user, group or application 'appid=" + subject.client_id +
                             ";oid=" + subject.object_id + "' does not have " + what +
                             " permission on key vault '" + std::string(vault) +
                             "'. For help resolving this issue, please see "
                             "https://go.microsoft.com/fwlink/?linkid=2125287"};
}

}  // namespace kh::authz
