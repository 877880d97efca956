// Keyhaven's access review (not part of Azure's API): per principal, what it may do on each vault
// and why, and the grants to look at (authz/access_review.h decides; this gathers and serializes).
// Only the bootstrap administrator (or a root-scope grant of Keyhaven/accessReview/read) may read
// it.
//   GET /admin/access-review[?vault=NAME]
//   → {"generatedAt", "subscriptionId", "vault", "summary": {"principals", "findings", "high",
//      "medium", "low"}, "principals": [...], "findings": [...], "notes": [...]}
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "authz/access_review.h"
#include "authz/action_catalogue.h"
#include "core/ascii.h"
#include "core/time_format.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionRead = "Keyhaven/accessReview/read";

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.push_back(json::string(s));
  return out;
}

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object GrantToJson(const authz::Grant& g) {
  json::object o{{"source", authz::GrantSourceName(g.source)}};
  if (g.source == authz::GrantSource::kRoleAssignment) {
    o["assignmentId"] = g.assignment_id;
    o["roleDefinitionId"] = g.role_id;
    o["roleName"] = OrNull(g.role_name);
    o["customRole"] = g.custom_role;
    o["scope"] = g.scope;
    o["scopeLevel"] = authz::ScopeLevelName(g.level);
    o["object"] = OrNull(g.object);
  } else if (g.source == authz::GrantSource::kAccessPolicy) {
    o["applicationId"] = OrNull(g.application_id);
    o["permissions"] = json::object{{"keys", Strings(g.keys)},
                                    {"secrets", Strings(g.secrets)},
                                    {"certificates", Strings(g.certificates)},
                                    {"storage", Strings(g.storage)}};
  }
  o["dataPlaneIgnored"] = g.data_plane_ignored;
  o["dataActions"] = Strings(g.data_actions);
  o["summary"] = Strings(authz::SummarizeDataActions(g.data_actions));
  o["managementActions"] = Strings(g.management_actions);
  return o;
}

json::object VaultAccessToJson(const authz::VaultAccess& v) {
  json::array grants;
  for (const auto& g : v.grants) grants.push_back(GrantToJson(g));
  return json::object{{"name", v.vault_name},
                      {"id", v.vault_id},
                      {"permissionModel", v.rbac_authorization ? "rbac" : "accessPolicy"},
                      {"environment", OrNull(v.environment)},
                      {"dataActions", Strings(v.data_actions)},
                      {"summary", Strings(authz::SummarizeDataActions(v.data_actions))},
                      {"managementActions", Strings(v.management_actions)},
                      {"grants", std::move(grants)}};
}

json::object PrincipalToJson(const authz::PrincipalReview& p, int64_t now) {
  json::array credentials;
  for (const auto& c : p.credentials) {
    credentials.push_back(json::object{
        {"keyId", c.key_id},
        {"type", c.type},
        {"displayName", c.display_name},
        {"endDateTime", c.end ? json::value(FormatIso8601(c.end)) : json::value(nullptr)},
        {"expired", c.end != 0 && c.end <= now}});
  }
  json::array vaults;
  for (const auto& v : p.vaults) vaults.push_back(VaultAccessToJson(v));
  return json::object{{"objectId", p.object_id},
                      {"clientId", OrNull(p.client_id)},
                      {"displayName", OrNull(p.display_name)},
                      {"known", p.known},
                      {"bootstrapAdmin", p.bootstrap_admin},
                      {"credentials", std::move(credentials)},
                      {"vaults", std::move(vaults)}};
}

json::object FindingToJson(const authz::Finding& f) {
  return json::object{{"code", f.code},
                      {"severity", authz::SeverityName(f.severity)},
                      {"principalId", f.principal_id},
                      {"principalName", OrNull(f.principal_name)},
                      {"assignmentId", OrNull(f.assignment_id)},
                      {"credentialId", OrNull(f.credential_id)},
                      {"vaults", Strings(f.vaults)},
                      {"message", f.message}};
}

json::object ReviewToJson(const Call& call, const authz::AccessReview& review,
                          const std::string& only_vault, int64_t now) {
  json::array principals, findings;
  for (const auto& p : review.principals) principals.push_back(PrincipalToJson(p, now));
  int64_t by_severity[3] = {0, 0, 0};
  for (const auto& f : review.findings) {
    findings.push_back(FindingToJson(f));
    ++by_severity[static_cast<int>(f.severity)];
  }
  return json::object{{"generatedAt", FormatIso8601(now)},
                      {"subscriptionId", call.config.subscription_id},
                      {"vault", OrNull(only_vault)},
                      {"summary", json::object{{"principals", review.principals.size()},
                                               {"findings", review.findings.size()},
                                               {"high", by_severity[0]},
                                               {"medium", by_severity[1]},
                                               {"low", by_severity[2]}}},
                      {"principals", std::move(principals)},
                      {"findings", std::move(findings)},
                      {"notes", Strings(review.notes)}};
}

StatusOr<authz::AccessReviewInput> Gather(const Call& call) {
  const ApiServices& s = call.services;
  authz::AccessReviewInput in;
  in.now = s.clock->NowSeconds();
  KH_ASSIGN_OR_RETURN(std::vector<authn::Principal> principals, s.principals->List());
  for (const authn::Principal& p : principals) {
    authz::ReviewPrincipal rp{p.object_id, p.client_id, p.display_name, p.bootstrap_admin, {}};
    rp.bootstrap_admin =
        rp.bootstrap_admin || s.authorizer->IsBootstrapAdmin({p.object_id, p.client_id});
    for (const authn::Credential& c : p.credentials) {
      rp.credentials.push_back({c.key_id, c.type, c.display_name, c.end});
    }
    in.principals.push_back(std::move(rp));
  }
  KH_ASSIGN_OR_RETURN(auto vaults, s.vaults->List(std::nullopt));
  for (const auto& v : vaults) {
    authz::ReviewVault rv{
        VaultResourceId(call, *v), v->name, v->enable_rbac_authorization, v->tags, {}};
    for (const domain::AccessPolicy& p : v->access_policies) {
      rv.access_policies.push_back(
          {p.object_id, p.application_id, p.keys, p.secrets, p.certificates, p.storage});
    }
    in.vaults.push_back(std::move(rv));
  }
  if (s.role_assignments) {
    for (const auto& a : s.role_assignments->List()) {
      in.assignments.push_back({a.id, a.scope, a.role_id, a.principal_id});
    }
  }
  if (s.role_definitions) {
    for (const auto& [id, role] : *s.role_definitions->Snapshot()) {
      in.custom_roles.push_back({role->id, role->role_name, role->description, role->actions,
                                 role->not_actions, role->data_actions, role->not_data_actions});
    }
  }
  return in;
}

}  // namespace

// s = {"admin", "access-review"}
Response HandleAccessReview(const Call& call) {
  if (call.target.segments.size() != 2) return UnknownRoute(call.request);
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionRead, "/")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(authz::AccessReviewInput in, Gather(call));
    if (call.target.HasQuery("vault")) {
      in.only_vault = call.target.Query("vault");
      bool exists = false;
      for (const auto& v : in.vaults)
        exists = exists || AsciiEqualsIgnoreCase(v.name, in.only_vault);
      if (!exists) {
        return NotFound("ResourceNotFound",
                        "The vault '" + in.only_vault.substr(0, 64) + "' was not found.");
      }
    }
    int64_t now = in.now;
    authz::AccessReview review = authz::ReviewAccess(in);
    return JsonResponse(200, ReviewToJson(call, review, in.only_vault, now));
  });
}

}  // namespace kh::api
