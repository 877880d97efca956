#include "authz/wildcard_rules.h"

#include <map>
#include <set>
#include <span>

#include "authz/action_catalogue.h"
#include "core/ascii.h"

namespace kh::authz {
namespace {

bool AnyMatches(std::span<const std::string> patterns, std::string_view action) {
  for (const auto& p : patterns) {
    if (ActionMatches(p, action)) return true;
  }
  return false;
}

void AddWildcards(std::span<const std::string> patterns, std::span<const std::string> excluded,
                  const std::vector<CatalogueAction>& catalogue, std::vector<std::string>& out) {
  for (const std::string& pattern : patterns) {
    if (pattern.find('*') == std::string::npos) continue;
    std::set<std::string> types;
    for (const CatalogueAction& a : catalogue) {
      if (IsReadOnlyAction(a.name) || !ActionMatches(pattern, a.name) ||
          AnyMatches(excluded, a.name)) {
        continue;
      }
      types.insert(a.type);
    }
    if (types.size() >= 2) out.push_back(pattern);
  }
}

bool CoversEverything(const std::vector<std::string>& granted, const std::string& list) {
  std::set<std::string> have;
  for (const auto& g : granted) {
    std::string lower = AsciiLower(g);
    if (lower == "all") return true;
    have.insert(lower);
  }
  if (have.count("getissuers") && have.count("listissuers") && have.count("setissuers") &&
      have.count("deleteissuers")) {
    have.insert("manageissuers");
  }
  const auto& every = AccessPolicyPermissions(list);
  if (every.empty()) return false;
  for (const auto& p : every) {
    if (!have.count(AsciiLower(p))) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> WildcardPatterns(const PermissionsView& permissions) {
  std::vector<std::string> out;
  AddWildcards(permissions.actions, permissions.not_actions, ManagementActionCatalogue(), out);
  AddWildcards(permissions.data_actions, permissions.not_data_actions, DataActionCatalogue(), out);
  return out;
}

const std::vector<std::string>& AccessPolicyPermissions(const std::string& list) {
  // azure-kv-governance.md section 2.1.
  static const std::map<std::string, std::vector<std::string>> kLists = {
      {"keys",
       {"encrypt",
        "decrypt",
        "wrapKey",
        "unwrapKey",
        "sign",
        "verify",
        "get",
        "list",
        "create",
        "update",
        "import",
        "delete",
        "backup",
        "restore",
        "recover",
        "purge",
        "release",
        "rotate",
        "getrotationpolicy",
        "setrotationpolicy"}},
      {"secrets", {"get", "list", "set", "delete", "backup", "restore", "recover", "purge"}},
      {"certificates",
       {"get", "list", "delete", "create", "import", "update", "managecontacts", "getissuers",
        "listissuers", "setissuers", "deleteissuers", "manageissuers", "recover", "purge", "backup",
        "restore"}},
      {"storage",
       {"get", "list", "delete", "set", "update", "regeneratekey", "recover", "purge", "backup",
        "restore", "setsas", "listsas", "getsas", "deletesas"}},
  };
  static const std::vector<std::string> kNone;
  auto it = kLists.find(list);
  return it == kLists.end() ? kNone : it->second;
}

std::vector<std::string> WildcardPolicyLists(const PolicyGrant& grant) {
  std::vector<std::string> out;
  if (CoversEverything(grant.keys, "keys")) out.push_back("keys");
  if (CoversEverything(grant.secrets, "secrets")) out.push_back("secrets");
  if (CoversEverything(grant.certificates, "certificates")) out.push_back("certificates");
  if (CoversEverything(grant.storage, "storage")) out.push_back("storage");
  return out;
}

}  // namespace kh::authz
