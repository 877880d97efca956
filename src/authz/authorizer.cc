#include "authz/authorizer.h"

#include "authz/roles.h"
#include "core/ascii.h"

namespace kh::authz {
bool ScopeCovers(std::string_view s, std::string_view r) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  if (s == "/" || s.empty()) return true;
  if (r.size() < s.size()) return false;
  if (!AsciiEqualsIgnoreCase(s, r.substr(0, s.size()))) return false;
  return r.size() == s.size() || r[s.size()] == '/';
}

Decision Authorizer::Check(const Subject& subject, std::string_view action,
                           std::string_view resource,
                           const std::vector<RoleAssignment>& assignments, bool data_action) const {
  if (!admin_object_id_.empty() && subject.object_id == admin_object_id_) {
    return Decision{true, "bootstrap administrator"};
  }
  for (const RoleAssignment& a : assignments) {
    if (a.principal_id != subject.object_id || !ScopeCovers(a.scope, resource)) continue;
    bool granted = false;
    if (a.permissions) {
      granted = PermissionsGrant(*a.permissions, action, data_action);
    } else if (const RoleDefinition* role = FindBuiltInRole(a.role_id)) {
      granted = RoleGrants(*role, action, data_action);
    }
    if (granted) {
      return Decision{true, {},
                      std::string(a.scope) + "/providers/Microsoft.Authorization/roleAssignments/" +
                          std::string(a.id)};
    }
  }
  return Decision{false,
                  "Caller is not authorized to perform action on resource.\r\nIf role "
                  "assignments, deny assignments or role definitions were changed recently, "
                  "please observe propagation time.\r\nCaller: appid=" +
                      subject.client_id + ";oid=" + subject.object_id + "\r\nAction: '" +
                      std::string(action) + "'\r\nResource: '" + AsciiLower(resource) +
                      "'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: "
                      "'DeniedWithNoValidRBAC' \r\n"};
}

}  // namespace kh::authz
