#include "authz/authorizer.h"

#include <cctype>

#include "authz/roles.h"

namespace kh::authz {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool ScopeCovers(std::string_view s, std::string_view r) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  if (s == "/" || s.empty()) return true;
  if (r.size() < s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(r[i]))) {
      return false;
    }
  }
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
    const RoleDefinition* role = FindBuiltInRole(a.role_id);
    if (role && RoleGrants(*role, action, data_action)) {
      return Decision{true, {}};
    }
  }
  return Decision{false,
                  "Caller is not authorized to perform action on resource.\r\nIf role "
                  "assignments, deny assignments or role definitions were changed recently, "
                  "please observe propagation time.\r\nCaller: appid=" +
                      subject.client_id + ";oid=" + subject.object_id + "\r\nAction: '" +
                      std::string(action) + "'\r\nResource: '" + Lower(resource) +
                      "'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: "
                      "'DeniedWithNoValidRBAC' \r\n"};
}

}  // namespace kh::authz
