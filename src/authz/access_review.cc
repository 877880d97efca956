#include "authz/access_review.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "authz/action_catalogue.h"
#include "authz/authorizer.h"
#include "authz/wildcard_rules.h"
#include "core/ascii.h"

namespace kh::authz {
namespace {

// Role assignments and access-policy entries of one principal, found by index.
struct PolicyRef {
  size_t vault;
  size_t entry;
};

struct ResolvedRole {
  const RoleDefinition* def = nullptr;  // null: unknown role
  bool custom = false;
};

ResolvedRole Resolve(const AccessReviewInput& in, std::string_view role_id) {
  if (const RoleDefinition* built_in = FindBuiltInRole(role_id)) return {built_in, false};
  for (const RoleDefinition& r : in.custom_roles) {
    if (AsciiEqualsIgnoreCase(r.id, role_id)) return {&r, true};
  }
  return {};
}

bool IsVaultManagementAction(const CatalogueAction& a) {
  return a.type.rfind("Microsoft.KeyVault/vaults", 0) == 0 ||
         a.type == "Microsoft.Authorization/roleAssignments";
}

std::vector<std::string> AllDataActions() {
  std::vector<std::string> out;
  for (const auto& a : DataActionCatalogue()) out.push_back(a.name);
  return out;
}

std::vector<std::string> AllVaultManagementActions() {
  std::vector<std::string> out;
  for (const auto& a : ManagementActionCatalogue()) {
    if (IsVaultManagementAction(a)) out.push_back(a.name);
  }
  return out;
}

// The catalogue data actions `view` grants, limited to `types` when that is not empty.
std::vector<std::string> DataActionsOf(const PermissionsView& view,
                                       const std::vector<std::string>& types) {
  std::vector<std::string> out;
  for (const auto& a : DataActionCatalogue()) {
    if (!types.empty() && std::find(types.begin(), types.end(), a.type) == types.end()) continue;
    if (PermissionsGrant(view, a.name, true)) out.push_back(a.name);
  }
  return out;
}

std::vector<std::string> VaultManagementActionsOf(const PermissionsView& view) {
  std::vector<std::string> out;
  for (const auto& a : ManagementActionCatalogue()) {
    if (IsVaultManagementAction(a) && PermissionsGrant(view, a.name, false)) out.push_back(a.name);
  }
  return out;
}

// Whether the role grants anything beyond reading metadata (BroadScope's severity).
bool GrantsMoreThanReads(const PermissionsView& view) {
  for (const auto& a : DataActionCatalogue()) {
    if (PermissionsGrant(view, a.name, true)) return true;
  }
  for (const auto& a : ManagementActionCatalogue()) {
    if (!IsReadOnlyAction(a.name) && PermissionsGrant(view, a.name, false)) return true;
  }
  return false;
}

// `names` restricted to the catalogue's order, without duplicates.
std::vector<std::string> InCatalogueOrder(const std::set<std::string>& names,
                                          const std::vector<CatalogueAction>& catalogue) {
  std::vector<std::string> out;
  for (const auto& a : catalogue) {
    if (names.count(a.name)) out.push_back(a.name);
  }
  return out;
}

std::string EnvironmentOf(const ReviewVault& vault) {
  for (const auto& [key, value] : vault.tags) {
    if (AsciiEqualsIgnoreCase(key, "environment")) return value;
  }
  return {};
}

bool PolicyMatches(const PolicyGrant& entry, const PrincipalReview& p) {
  if (!AsciiEqualsIgnoreCase(entry.object_id, p.object_id)) return false;
  // A compound identity entry names the application too; an unknown principal's client id is
  // not known, so the entry is shown rather than hidden.
  return entry.application_id.empty() || !p.known ||
         AsciiEqualsIgnoreCase(entry.application_id, p.client_id);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string Who(const PrincipalReview& p) {
  if (!p.known) return "unknown principal " + p.object_id;
  return "'" + p.display_name + "' (" + p.object_id + ")";
}

class Reviewer {
 public:
  explicit Reviewer(const AccessReviewInput& in) : in_(in) {}

  AccessReview Run();

 private:
  void CollectPrincipals();
  void Review(PrincipalReview& p);
  void AddAssignment(PrincipalReview& p, const ReviewAssignment& a,
                     std::map<size_t, VaultAccess>& by_vault);
  void AddPolicy(PrincipalReview& p, const PolicyRef& ref, std::map<size_t, VaultAccess>& by_vault);
  void CheckCrossEnvironment(const PrincipalReview& p);
  void CheckCredentials(const PrincipalReview& p);
  VaultAccess& AccessTo(std::map<size_t, VaultAccess>& by_vault, size_t v);
  void Flag(const PrincipalReview& p, std::string code, Severity severity, std::string message,
            std::vector<std::string> vaults, std::string assignment_id = {},
            std::string credential_id = {});
  void LimitToVault(AccessReview& review) const;

  const AccessReviewInput& in_;
  AccessReview out_;
  std::unordered_map<std::string, std::vector<const ReviewAssignment*>> assignments_by_principal_;
  std::unordered_map<std::string, std::vector<PolicyRef>> policies_by_principal_;  // lower-case
  std::set<std::string> policies_taken_;
};

VaultAccess& Reviewer::AccessTo(std::map<size_t, VaultAccess>& by_vault, size_t v) {
  auto [it, inserted] = by_vault.try_emplace(v);
  if (inserted) {
    const ReviewVault& vault = in_.vaults[v];
    it->second.vault_id = vault.id;
    it->second.vault_name = vault.name;
    it->second.rbac_authorization = vault.rbac_authorization;
    it->second.environment = EnvironmentOf(vault);
  }
  return it->second;
}

void Reviewer::Flag(const PrincipalReview& p, std::string code, Severity severity,
                    std::string message, std::vector<std::string> vaults, std::string assignment_id,
                    std::string credential_id) {
  out_.findings.push_back({std::move(code), severity, p.object_id, p.display_name,
                           std::move(assignment_id), std::move(credential_id), std::move(vaults),
                           std::move(message)});
}

void Reviewer::CollectPrincipals() {
  // Role assignments name their principal exactly (as the Authorizer compares); access policies
  // case-insensitively (as CheckAccessPolicies does). An assignment whose object id differs from
  // a principal's only in case grants that principal nothing, so it shows as an unknown one.
  std::set<std::string> exact, lower;
  auto add = [&](PrincipalReview p) {
    exact.insert(p.object_id);
    lower.insert(AsciiLower(p.object_id));
    out_.principals.push_back(std::move(p));
  };
  auto unknown = [](const std::string& object_id) {
    PrincipalReview p;
    p.object_id = object_id;
    p.known = false;
    return p;
  };
  for (const ReviewPrincipal& rp : in_.principals) {
    PrincipalReview p;
    p.object_id = rp.object_id;
    p.client_id = rp.client_id;
    p.display_name = rp.display_name;
    p.bootstrap_admin = rp.bootstrap_admin;
    p.credentials = rp.credentials;
    add(std::move(p));
  }
  for (const ReviewAssignment& a : in_.assignments) {
    assignments_by_principal_[a.principal_id].push_back(&a);
    if (!exact.count(a.principal_id)) add(unknown(a.principal_id));
  }
  for (size_t v = 0; v < in_.vaults.size(); ++v) {
    const auto& policies = in_.vaults[v].access_policies;
    for (size_t e = 0; e < policies.size(); ++e) {
      policies_by_principal_[AsciiLower(policies[e].object_id)].push_back({v, e});
      if (!lower.count(AsciiLower(policies[e].object_id))) add(unknown(policies[e].object_id));
    }
  }
}

void Reviewer::AddAssignment(PrincipalReview& p, const ReviewAssignment& a,
                             std::map<size_t, VaultAccess>& by_vault) {
  ResolvedRole role = Resolve(in_, a.role_id);
  PermissionsView view = role.def ? ViewOf(*role.def) : PermissionsView{};
  ScopeLevel level = ClassifyScope(a.scope);
  std::vector<std::string> vault_names;
  for (size_t v = 0; v < in_.vaults.size(); ++v) {
    const ReviewVault& vault = in_.vaults[v];
    bool vault_wide = ScopeCovers(a.scope, vault.id);
    if (!vault_wide && !ScopeCovers(vault.id, a.scope)) continue;
    vault_names.push_back(vault.name);
    Grant g;
    g.source = GrantSource::kRoleAssignment;
    g.assignment_id = a.id;
    g.role_id = a.role_id;
    g.role_name = role.def ? role.def->name : std::string();
    g.custom_role = role.custom;
    g.scope = a.scope;
    g.level = level;
    g.data_plane_ignored = !vault.rbac_authorization;
    std::vector<std::string> types;
    if (!vault_wide) {
      g.object = a.scope.substr(std::min(a.scope.size(), vault.id.size() + 1));
      types = DataTypesOfObject(g.object);
    }
    // An object-scope grant of a type without data actions ("secrets" for keys ...) grants
    // nothing there; DataTypesOfObject is empty only for unknown collections.
    bool object_without_types = !vault_wide && types.empty();
    if (!g.data_plane_ignored && !object_without_types) g.data_actions = DataActionsOf(view, types);
    if (vault_wide) g.management_actions = VaultManagementActionsOf(view);
    AccessTo(by_vault, v).grants.push_back(std::move(g));
  }
  if (p.bootstrap_admin) return;
  if (!p.known) {
    Flag(p, "UnknownPrincipal", Severity::kLow,
         "Role assignment " + a.id + " names " + a.principal_id +
             ", which is no Keyhaven principal: it was deleted, or it is an identity of a trusted "
             "external issuer. Remove the assignment if neither.",
         vault_names, a.id);
  }
  if (!role.def) {
    Flag(p, "UnknownRole", Severity::kLow,
         "Role assignment " + a.id + " names role " + a.role_id +
             ", which does not exist; it grants nothing. Remove it.",
         vault_names, a.id);
  }
  if (level == ScopeLevel::kRoot || level == ScopeLevel::kSubscription ||
      level == ScopeLevel::kResourceGroup) {
    bool high = role.def && GrantsMoreThanReads(view);
    Flag(p, "BroadScope", high ? Severity::kHigh : Severity::kMedium,
         Who(p) + " holds '" + (role.def ? role.def->name : a.role_id) + "' at " +
             std::string(ScopeLevelName(level)) + " scope (" + a.scope +
             "): it reaches every vault there, now " + std::to_string(vault_names.size()) +
             (vault_names.empty() ? "" : " (" + Join(vault_names) + ")") +
             ", and every vault created later. Assign it on the vaults that need it.",
         vault_names, a.id);
  }
  if (role.def) {
    std::vector<std::string> wild = WildcardPatterns(view);
    if (!wild.empty()) {
      Flag(p, "WildcardPermission", Severity::kHigh,
           Who(p) + " holds '" + role.def->name + "' at " + a.scope +
               ", whose wildcard permission " + Join(wild) +
               " spans several object types. Use a role limited to what it needs.",
           vault_names, a.id);
    }
  }
}

void Reviewer::AddPolicy(PrincipalReview& p, const PolicyRef& ref,
                         std::map<size_t, VaultAccess>& by_vault) {
  const ReviewVault& vault = in_.vaults[ref.vault];
  const PolicyGrant& entry = vault.access_policies[ref.entry];
  if (!PolicyMatches(entry, p)) return;
  Grant g;
  g.source = GrantSource::kAccessPolicy;
  g.scope = vault.id;
  g.level = ScopeLevel::kVault;
  g.application_id = entry.application_id;
  g.keys = entry.keys;
  g.secrets = entry.secrets;
  g.certificates = entry.certificates;
  g.storage = entry.storage;
  g.data_plane_ignored = vault.rbac_authorization;
  if (!g.data_plane_ignored) {
    Subject subject{p.object_id, p.known ? p.client_id : entry.application_id};
    for (const auto& a : DataActionCatalogue()) {
      if (CheckAccessPolicies(subject, a.name, {entry}, vault.name).allowed) {
        g.data_actions.push_back(a.name);
      }
    }
  }
  AccessTo(by_vault, ref.vault).grants.push_back(std::move(g));
  if (p.bootstrap_admin) return;
  if (!p.known) {
    Flag(p, "UnknownPrincipal", Severity::kLow,
         "An access policy of vault '" + vault.name + "' names " + entry.object_id +
             ", which is no Keyhaven principal: it was deleted, or it is an identity of a trusted "
             "external issuer. Remove the entry if neither.",
         {vault.name});
  }
  std::vector<std::string> wild = WildcardPolicyLists(entry);
  if (!wild.empty()) {
    Flag(p, "WildcardPermission", Severity::kHigh,
         Who(p) + " has an access policy on vault '" + vault.name + "' granting every " +
             Join(wild, " and every ") + " permission" +
             (vault.rbac_authorization ? " (dormant: the vault uses RBAC)" : "") +
             ". Grant only the permissions it needs.",
         {vault.name});
  }
}

void Reviewer::CheckCrossEnvironment(const PrincipalReview& p) {
  std::map<std::string, std::string> environments;  // lower-case value → as tagged
  std::vector<std::string> vaults;
  for (const VaultAccess& access : p.vaults) {
    if (access.environment.empty()) continue;
    bool reads = false;
    for (const Grant& g : access.grants) {
      for (const auto& action : g.data_actions) reads = reads || IsReadingDataAction(action);
    }
    if (!reads) continue;
    environments.emplace(AsciiLower(access.environment), access.environment);
    vaults.push_back(access.vault_name);
  }
  if (environments.size() < 2) return;
  std::vector<std::string> names;
  for (const auto& [lower, shown] : environments) names.push_back(shown);
  Flag(p, "CrossEnvironmentRead", Severity::kHigh,
       Who(p) + " can read vaults of " + std::to_string(names.size()) + " environments (" +
           Join(names) + "): " + Join(vaults) + ". Use one principal per environment.",
       vaults);
}

void Reviewer::CheckCredentials(const PrincipalReview& p) {
  for (const ReviewCredential& c : p.credentials) {
    if (c.end == 0 || c.end > in_.now) continue;
    Flag(p, "ExpiredCredential", Severity::kMedium,
         Who(p) + " has an expired " +
             (c.type == "AsymmetricX509Cert" ? "certificate" : "client secret") + " " + c.key_id +
             (c.display_name.empty() ? "" : " ('" + c.display_name + "')") +
             ". Remove it (keyhaven principal credential remove).",
         {}, {}, c.key_id);
  }
}

void Reviewer::Review(PrincipalReview& p) {
  std::map<size_t, VaultAccess> by_vault;
  if (p.bootstrap_admin) {
    for (size_t v = 0; v < in_.vaults.size(); ++v) {
      Grant g;
      g.source = GrantSource::kBootstrapAdministrator;
      g.scope = "/";
      g.level = ScopeLevel::kRoot;
      g.data_actions = AllDataActions();
      g.management_actions = AllVaultManagementActions();
      AccessTo(by_vault, v).grants.push_back(std::move(g));
    }
  }
  if (auto it = assignments_by_principal_.find(p.object_id);
      it != assignments_by_principal_.end()) {
    for (const ReviewAssignment* a : it->second) AddAssignment(p, *a, by_vault);
  }
  // Entries match case-insensitively: only the first principal of a case-folded id takes them.
  if (auto it = policies_by_principal_.find(AsciiLower(p.object_id));
      it != policies_by_principal_.end() && policies_taken_.insert(it->first).second) {
    for (const PolicyRef& ref : it->second) AddPolicy(p, ref, by_vault);
  }
  for (auto& [v, access] : by_vault) {
    std::set<std::string> data, management;
    for (const Grant& g : access.grants) {
      if (g.level != ScopeLevel::kObject) data.insert(g.data_actions.begin(), g.data_actions.end());
      management.insert(g.management_actions.begin(), g.management_actions.end());
    }
    access.data_actions = InCatalogueOrder(data, DataActionCatalogue());
    access.management_actions = InCatalogueOrder(management, ManagementActionCatalogue());
    p.vaults.push_back(std::move(access));
  }
  if (p.bootstrap_admin) return;
  CheckCrossEnvironment(p);
  CheckCredentials(p);
}

void Reviewer::LimitToVault(AccessReview& review) const {
  auto is_it = [&](const std::string& name) { return AsciiEqualsIgnoreCase(name, in_.only_vault); };
  std::set<std::string> kept;
  std::vector<PrincipalReview> principals;
  for (PrincipalReview& p : review.principals) {
    std::erase_if(p.vaults, [&](const VaultAccess& a) { return !is_it(a.vault_name); });
    if (p.vaults.empty()) continue;
    kept.insert(p.object_id);
    principals.push_back(std::move(p));
  }
  review.principals = std::move(principals);
  std::erase_if(review.findings, [&](const Finding& f) {
    if (f.code == "ExpiredCredential") return !kept.count(f.principal_id);
    return std::none_of(f.vaults.begin(), f.vaults.end(), is_it);
  });
}

AccessReview Reviewer::Run() {
  CollectPrincipals();
  for (PrincipalReview& p : out_.principals) Review(p);
  std::stable_sort(
      out_.principals.begin(), out_.principals.end(),
      [](const PrincipalReview& a, const PrincipalReview& b) {
        return std::make_tuple(!a.bootstrap_admin, !a.known, a.display_name, a.object_id) <
               std::make_tuple(!b.bootstrap_admin, !b.known, b.display_name, b.object_id);
      });
  std::stable_sort(out_.findings.begin(), out_.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return std::tie(a.severity, a.code, a.principal_name, a.principal_id, a.vaults,
                                     a.assignment_id, a.credential_id) <
                            std::tie(b.severity, b.code, b.principal_name, b.principal_id, b.vaults,
                                     b.assignment_id, b.credential_id);
                   });
  out_.notes.push_back("Unused assignments are not reported: Keyhaven keeps no audit trail yet.");
  out_.notes.push_back(
      "The bootstrap administrator may do everything on every vault; it is listed, never "
      "flagged.");
  std::vector<std::string> untagged;
  for (const ReviewVault& v : in_.vaults) {
    if (EnvironmentOf(v).empty() &&
        (in_.only_vault.empty() || AsciiEqualsIgnoreCase(v.name, in_.only_vault))) {
      untagged.push_back(v.name);
    }
  }
  if (!untagged.empty()) {
    out_.notes.push_back(
        "Vaults without an 'environment' tag take no part in the "
        "cross-environment check: " +
        Join(untagged) + ".");
  }
  if (!in_.only_vault.empty()) LimitToVault(out_);
  return std::move(out_);
}

}  // namespace

std::string_view ScopeLevelName(ScopeLevel level) {
  switch (level) {
    case ScopeLevel::kRoot:
      return "root";
    case ScopeLevel::kSubscription:
      return "subscription";
    case ScopeLevel::kResourceGroup:
      return "resourceGroup";
    case ScopeLevel::kVault:
      return "vault";
    case ScopeLevel::kObject:
      return "object";
    case ScopeLevel::kOther:
      break;
  }
  return "other";
}

std::string_view GrantSourceName(GrantSource source) {
  switch (source) {
    case GrantSource::kRoleAssignment:
      return "roleAssignment";
    case GrantSource::kAccessPolicy:
      return "accessPolicy";
    case GrantSource::kBootstrapAdministrator:
      break;
  }
  return "bootstrapAdministrator";
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kHigh:
      return "high";
    case Severity::kMedium:
      return "medium";
    case Severity::kLow:
      break;
  }
  return "low";
}

ScopeLevel ClassifyScope(std::string_view scope) {
  std::vector<std::string_view> s;
  size_t at = 0;
  while (at < scope.size()) {
    size_t slash = scope.find('/', at);
    if (slash == std::string_view::npos) slash = scope.size();
    if (slash > at) s.push_back(scope.substr(at, slash - at));
    at = slash + 1;
  }
  auto is = [&](size_t i, std::string_view word) {
    return i < s.size() && AsciiEqualsIgnoreCase(s[i], word);
  };
  if (s.empty()) return ScopeLevel::kRoot;
  if (!is(0, "subscriptions")) return ScopeLevel::kOther;
  if (s.size() == 2) return ScopeLevel::kSubscription;
  if (!is(2, "resourceGroups")) return ScopeLevel::kOther;
  if (s.size() == 4) return ScopeLevel::kResourceGroup;
  if (s.size() < 8 || !is(4, "providers") || !is(5, "Microsoft.KeyVault") || !is(6, "vaults")) {
    return ScopeLevel::kOther;
  }
  return s.size() == 8 ? ScopeLevel::kVault : ScopeLevel::kObject;
}

AccessReview ReviewAccess(const AccessReviewInput& input) { return Reviewer(input).Run(); }

}  // namespace kh::authz
