#pragma once
// The concrete actions Keyhaven knows, each with the object or resource type it acts on: Azure's
// Key Vault data actions (azure-kv-governance.md section 3.2) and the management actions a
// Keyhaven server checks or that Azure's built-in Key Vault roles name. Used to expand permission
// patterns ('*') into what they actually grant, e.g. for an access review. Pure; thread-safe.
//
// Left out on purpose: managed storage account data actions (`storageaccounts/...`), which
// Keyhaven does not serve, and management actions of other providers (Microsoft.Support,
// Microsoft.Insights, Microsoft.Resources), which grant nothing on a Keyhaven server.
#include <string>
#include <string_view>
#include <vector>

namespace kh::authz {

inline constexpr std::string_view kDataActionPrefix = "Microsoft.KeyVault/vaults/";

struct CatalogueAction {
  std::string name;  // Azure's full name, e.g. "Microsoft.KeyVault/vaults/secrets/getSecret/action"
  std::string type;  // what it acts on, e.g. "secrets" (data) or "Microsoft.KeyVault/vaults"
};

// Every Key Vault data action, grouped by type; types are the segment after
// "Microsoft.KeyVault/vaults/" (secrets, keys, keyrotationpolicies, certificates, certificatecas,
// certificatecontacts).
const std::vector<CatalogueAction>& DataActionCatalogue();
// Management actions: Microsoft.KeyVault (vaults and their sub-resources, deleted vaults, the
// provider), Microsoft.Authorization (role assignments and definitions) and Keyhaven's own
// administrative actions (Keyhaven/principals, Keyhaven/testClock, Keyhaven/accessReview).
const std::vector<CatalogueAction>& ManagementActionCatalogue();

// Whether the action only reads metadata: its name ends in "/read". (Secret values are read with
// secrets/getSecret/action, which is not such an action.)
bool IsReadOnlyAction(std::string_view action);

// Whether the data action lets its holder see an object's content or metadata: every "/read",
// secrets/getSecret/action, secrets/readMetadata/action, the backup actions (a backup blob
// carries the content) and keys/release/action (hands out the key).
bool IsReadingDataAction(std::string_view action);

// A short, stable rendering of granted data actions: names relative to
// "Microsoft.KeyVault/vaults/", with every type whose actions are all granted folded into
// "{type}/*", and "*" when every catalogue action is granted. Input order does not matter.
std::vector<std::string> SummarizeDataActions(const std::vector<std::string>& granted);

// The data-action type of an object path under a vault ("secrets/x" → {"secrets"}, "keys/k" →
// {"keys", "keyrotationpolicies"}, "certificates/c" → {"certificates"}); empty for anything else.
std::vector<std::string> DataTypesOfObject(std::string_view object_path);

}  // namespace kh::authz
