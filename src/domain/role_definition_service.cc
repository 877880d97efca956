#include "domain/role_definition_service.h"

#include "core/fields.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

constexpr char kPrefix[] = "roledefinitions/";

Fields ToFields(const RoleDefinitionRecord& r) {
  Fields f;
  f.Set("id", r.id);
  f.Set("role_name", r.role_name);
  f.Set("description", r.description);
  f.SetList("actions", r.actions);
  f.SetList("not_actions", r.not_actions);
  f.SetList("data_actions", r.data_actions);
  f.SetList("not_data_actions", r.not_data_actions);
  f.SetList("assignable_scopes", r.assignable_scopes);
  f.Set("created_by", r.created_by);
  f.Set("updated_by", r.updated_by);
  f.SetInt("created_at", r.created_at);
  f.SetInt("updated_at", r.updated_at);
  return f;
}

RoleDefinitionRecord FromFields(const Fields& f) {
  RoleDefinitionRecord r;
  r.id = f.GetOr("id", "");
  r.role_name = f.GetOr("role_name", "");
  r.description = f.GetOr("description", "");
  r.actions = f.GetList("actions");
  r.not_actions = f.GetList("not_actions");
  r.data_actions = f.GetList("data_actions");
  r.not_data_actions = f.GetList("not_data_actions");
  r.assignable_scopes = f.GetList("assignable_scopes");
  r.created_by = f.GetOr("created_by", "");
  r.updated_by = f.GetOr("updated_by", "");
  r.created_at = f.GetInt("created_at").value_or(0);
  r.updated_at = f.GetInt("updated_at").value_or(0);
  return r;
}

Status RoleNotFound(std::string_view id) {
  return NotFound("RoleDefinitionDoesNotExist", "The specified role definition with ID '" +
                                                    std::string(id.substr(0, 64)) +
                                                    "' does not exist.");
}

Status Invalid(std::string message) {
  return InvalidArgument(std::move(message), "InvalidRoleDefinition");
}

bool IsPrintable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Azure accepts "*" or "{Provider.Namespace}/{type}/.../{operation}" with at most one wildcard.
Status ValidateActions(const std::vector<std::string>& list, std::string_view field) {
  if (list.size() > kMaxPermissionEntries) {
    return Invalid("The property '" + std::string(field) + "' has more than " +
                   std::to_string(kMaxPermissionEntries) + " entries.");
  }
  for (const std::string& action : list) {
    size_t stars = 0;
    bool bad_char = false;
    for (char c : action) {
      if (c == '*') ++stars;
      if (c == ' ' || c == '\t' || c == '?' || c == '#') bad_char = true;
    }
    size_t slash = action.find('/');
    bool shaped = action == "*" || (slash != std::string::npos && slash > 0 &&
                                    action.find("//") == std::string::npos);
    if (action.empty() || action.size() > kMaxActionLength || !IsPrintable(action) || bad_char ||
        stars > 1 || !shaped) {
      return InvalidArgument("'" + action.substr(0, kMaxActionLength) +
                                 "' does not match any of the actions supported by the providers.",
                             "InvalidActionOrNotAction");
    }
  }
  return Status::Ok();
}

Status ValidateScopes(const std::vector<std::string>& scopes) {
  if (scopes.empty()) {
    return InvalidArgument("The role definition must have at least one assignable scope.",
                           "InvalidAssignableScope");
  }
  if (scopes.size() > kMaxAssignableScopes) {
    return InvalidArgument("A role definition can have at most " +
                               std::to_string(kMaxAssignableScopes) + " assignable scopes.",
                           "InvalidAssignableScope");
  }
  for (const std::string& scope : scopes) {
    // The root scope and wildcards are refused: updating the role must never widen who can be
    // granted it beyond named scopes (Azure's custom role limits).
    bool ok = scope.size() > 1 && scope.size() <= kMaxScopeLength && scope.front() == '/' &&
              scope.back() != '/' && IsPrintable(scope) &&
              scope.find_first_of("*? #") == std::string::npos &&
              scope.find("//") == std::string::npos;
    if (!ok) {
      return InvalidArgument("The assignable scope '" + scope.substr(0, 128) +
                                 "' is not valid: use a subscription, "
                                 "resource group or resource id without wildcards; '/' is not "
                                 "allowed for custom roles.",
                             "InvalidAssignableScope");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRoleDefinition(const RoleDefinitionRecord& r) {
  if (r.role_name.empty()) return Invalid("The property 'roleName' is required.");
  if (r.role_name.size() > kMaxRoleNameLength || !IsPrintable(r.role_name)) {
    return Invalid("The role name must be at most " + std::to_string(kMaxRoleNameLength) +
                   " printable characters.");
  }
  if (r.description.size() > kMaxRoleDescriptionLength) {
    return Invalid("The description must be at most " + std::to_string(kMaxRoleDescriptionLength) +
                   " characters.");
  }
  KH_RETURN_IF_ERROR(ValidateActions(r.actions, "actions"));
  KH_RETURN_IF_ERROR(ValidateActions(r.not_actions, "notActions"));
  KH_RETURN_IF_ERROR(ValidateActions(r.data_actions, "dataActions"));
  KH_RETURN_IF_ERROR(ValidateActions(r.not_data_actions, "notDataActions"));
  KH_RETURN_IF_ERROR(ValidateScopes(r.assignable_scopes));
  if (ToFields(r).Encode().size() > kMaxRoleDefinitionBytes) {
    return Invalid("The role definition is larger than " +
                   std::to_string(kMaxRoleDefinitionBytes / 1024) + " KiB.");
  }
  return Status::Ok();
}

RoleDefinitionService::RoleDefinitionService(barrier::Barrier* barrier, const Clock* clock)
    : barrier_(barrier), clock_(clock), roles_(std::make_shared<const RoleDefinitionSnapshot>()) {}

StatusOr<std::unique_ptr<RoleDefinitionService>> RoleDefinitionService::Open(
    barrier::Barrier* barrier, const Clock* clock) {
  std::unique_ptr<RoleDefinitionService> service(new RoleDefinitionService(barrier, clock));
  KH_ASSIGN_OR_RETURN(auto rows, barrier->Scan(barrier->system(), kPrefix, "", 0));
  auto roles = std::make_shared<RoleDefinitionSnapshot>();
  for (const auto& row : rows) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(row.plaintext.Reveal()));
    auto record = std::make_shared<const RoleDefinitionRecord>(FromFields(f));
    (*roles)[Lower(record->id)] = std::move(record);
  }
  service->roles_ = std::move(roles);
  return service;
}

StatusOr<PutRoleDefinitionResult> RoleDefinitionService::Put(
    RoleDefinitionRecord record, std::string_view caller,
    const std::function<Status(const RoleDefinitionRecord& existing)>& may_replace) {
  record.id = Lower(record.id);
  if (record.id.empty() || record.id.size() > 64 ||
      record.id.find_first_not_of("0123456789abcdef-") != std::string::npos) {
    return InvalidArgument("The role definition id must be a GUID.", "InvalidRoleDefinitionId");
  }
  KH_RETURN_IF_ERROR(ValidateRoleDefinition(record));
  std::lock_guard lock(mu_);
  const std::string name = Lower(record.role_name);
  std::shared_ptr<const RoleDefinitionRecord> existing;
  for (const auto& [id, role] : *roles_) {
    if (id == record.id) {
      existing = role;
    } else if (Lower(role->role_name) == name) {
      return Status(StatusCode::kConflict, "RoleDefinitionWithSameNameExists",
                    "A role definition cannot be updated with a name that already exists.");
    }
  }
  if (!existing && roles_->size() >= kMaxCustomRoles) {
    return InvalidArgument(
        "Role definition limit exceeded. No more role definitions can be "
        "created.",
        "RoleDefinitionLimitExceeded");
  }
  if (existing && may_replace) KH_RETURN_IF_ERROR(may_replace(*existing));
  int64_t now = clock_->NowSeconds();
  record.created_at = existing ? existing->created_at : now;
  record.created_by = existing ? existing->created_by : std::string(caller);
  record.updated_at = now;
  record.updated_by = std::string(caller);

  storage::WriteBatch batch;
  std::string path = kPrefix + record.id;
  if (!existing) batch.ExpectAbsent(path);
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, path, ToFields(record).Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  auto next = std::make_shared<RoleDefinitionSnapshot>(*roles_);  // copies pointers only
  (*next)[record.id] = std::make_shared<const RoleDefinitionRecord>(record);
  roles_ = std::move(next);
  return PutRoleDefinitionResult{std::move(record), !existing};
}

StatusOr<RoleDefinitionRecord> RoleDefinitionService::Get(std::string_view id) const {
  auto roles = Snapshot();
  auto it = roles->find(Lower(id));
  if (it == roles->end()) return RoleNotFound(id);
  return *it->second;
}

StatusOr<RoleDefinitionRecord> RoleDefinitionService::Delete(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = roles_->find(Lower(id));
  if (it == roles_->end()) return RoleNotFound(id);
  storage::WriteBatch batch;
  batch.Delete(kPrefix + it->first);
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  RoleDefinitionRecord removed = *it->second;
  auto next = std::make_shared<RoleDefinitionSnapshot>(*roles_);
  next->erase(Lower(id));
  roles_ = std::move(next);
  return removed;
}

std::shared_ptr<const RoleDefinitionSnapshot> RoleDefinitionService::Snapshot() const {
  std::lock_guard lock(mu_);
  return roles_;
}

}  // namespace kh::domain
