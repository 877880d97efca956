#pragma once
// What an access review calls a wildcard grant (authz/access_review.h, WildcardPermission).
// Pure; thread-safe.
#include <string>
#include <vector>

#include "authz/access_policies.h"
#include "authz/roles.h"

namespace kh::authz {

// The '*' patterns of a role (actions and data actions) that, after the role's not-actions,
// grant non-read catalogue actions (authz/action_catalogue.h) of two or more types. Read-only
// patterns (every action they reach ends in "/read") and patterns that reach no catalogue action
// are not wildcards here. Empty when the role has none.
std::vector<std::string> WildcardPatterns(const PermissionsView& permissions);

// Azure's permission names for an access-policy list ("keys", "secrets", "certificates",
// "storage"), without "all"; empty for any other list.
const std::vector<std::string>& AccessPolicyPermissions(const std::string& list);

// The lists of an access-policy entry that hold "all" or every permission of
// AccessPolicyPermissions (case-insensitive; "manageissuers" counts as present when getissuers,
// listissuers, setissuers and deleteissuers all are), in the order keys, secrets, certificates,
// storage.
std::vector<std::string> WildcardPolicyLists(const PolicyGrant& grant);

}  // namespace kh::authz
