#include "authz/action_catalogue.h"

#include <set>

#include "core/ascii.h"

namespace kh::authz {
namespace {

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         AsciiEqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

std::vector<CatalogueAction> MakeDataActions() {
  std::vector<CatalogueAction> out;
  auto add = [&](const std::string& type, std::initializer_list<const char*> suffixes) {
    for (const char* s : suffixes) {
      out.push_back({std::string(kDataActionPrefix) + type + "/" + s, type});
    }
  };
  add("secrets", {"getSecret/action", "readMetadata/action", "setSecret/action", "update/action",
                  "delete", "backup/action", "restore/action", "recover/action", "purge/action"});
  add("keys", {"read", "delete", "update/action", "create/action", "import/action",
               "recover/action", "restore/action", "backup/action", "purge/action",
               "encrypt/action", "decrypt/action", "wrap/action", "unwrap/action", "sign/action",
               "verify/action", "release/action", "rotate/action"});
  add("keyrotationpolicies", {"read", "write"});
  add("certificates", {"read", "delete", "backup/action", "purge/action", "update/action",
                       "create/action", "import/action", "recover/action", "restore/action"});
  add("certificatecas", {"read", "write", "delete"});
  add("certificatecontacts", {"write"});
  return out;
}

std::vector<CatalogueAction> MakeManagementActions() {
  std::vector<CatalogueAction> out;
  auto add = [&](const std::string& type, std::initializer_list<const char*> verbs) {
    for (const char* v : verbs) out.push_back({type + "/" + v, type});
  };
  add("Microsoft.KeyVault/vaults", {"read", "write", "delete", "deploy/action"});
  add("Microsoft.KeyVault/vaults/accessPolicies", {"write"});
  add("Microsoft.KeyVault/vaults/secrets", {"read", "write"});
  add("Microsoft.KeyVault/vaults/eventGridFilters", {"read", "write", "delete"});
  add("Microsoft.KeyVault/vaults/privateEndpointConnections", {"read", "write", "delete"});
  add("Microsoft.KeyVault/vaults/privateLinkResources", {"read"});
  add("Microsoft.KeyVault/deletedVaults", {"read"});
  add("Microsoft.KeyVault/locations/deletedVaults", {"read", "purge/action"});
  add("Microsoft.KeyVault/locations/operationResults", {"read"});
  add("Microsoft.KeyVault/checkNameAvailability", {"read"});
  add("Microsoft.KeyVault/operations", {"read"});
  add("Microsoft.KeyVault", {"register/action"});
  add("Microsoft.Authorization/roleAssignments", {"read", "write", "delete"});
  add("Microsoft.Authorization/roleDefinitions", {"read", "write", "delete"});
  add("Keyhaven/principals", {"read", "write", "delete"});
  add("Keyhaven/testClock", {"action"});
  add("Keyhaven/accessReview", {"read"});
  return out;
}

}  // namespace

const std::vector<CatalogueAction>& DataActionCatalogue() {
  static const std::vector<CatalogueAction> actions = MakeDataActions();
  return actions;
}

const std::vector<CatalogueAction>& ManagementActionCatalogue() {
  static const std::vector<CatalogueAction> actions = MakeManagementActions();
  return actions;
}

bool IsReadOnlyAction(std::string_view action) { return EndsWithIgnoreCase(action, "/read"); }

bool IsReadingDataAction(std::string_view action) {
  if (IsReadOnlyAction(action)) return true;
  for (std::string_view suffix :
       {"secrets/getSecret/action", "secrets/readMetadata/action", "secrets/backup/action",
        "keys/backup/action", "certificates/backup/action", "keys/release/action"}) {
    if (EndsWithIgnoreCase(action, std::string("/") + std::string(suffix))) return true;
  }
  return false;
}

std::vector<std::string> SummarizeDataActions(const std::vector<std::string>& granted) {
  std::set<std::string> have;
  for (const auto& g : granted) have.insert(AsciiLower(g));
  const auto& catalogue = DataActionCatalogue();
  std::vector<std::string> out;
  bool everything = true;
  for (size_t i = 0; i < catalogue.size();) {
    // One type's run of actions: [i, end).
    size_t end = i;
    bool all_of_type = true;
    std::vector<std::string> some;
    while (end < catalogue.size() && catalogue[end].type == catalogue[i].type) {
      const std::string& name = catalogue[end].name;
      if (have.count(AsciiLower(name))) {
        some.push_back(name.substr(kDataActionPrefix.size()));
      } else {
        all_of_type = false;
      }
      ++end;
    }
    everything = everything && all_of_type;
    if (all_of_type) {
      out.push_back(catalogue[i].type + "/*");
    } else {
      out.insert(out.end(), some.begin(), some.end());
    }
    i = end;
  }
  if (everything) return {"*"};
  return out;
}

std::vector<std::string> DataTypesOfObject(std::string_view object_path) {
  std::string_view collection = object_path.substr(0, object_path.find('/'));
  if (AsciiEqualsIgnoreCase(collection, "secrets")) return {"secrets"};
  if (AsciiEqualsIgnoreCase(collection, "keys")) return {"keys", "keyrotationpolicies"};
  if (AsciiEqualsIgnoreCase(collection, "certificates")) return {"certificates"};
  return {};
}

}  // namespace kh::authz
