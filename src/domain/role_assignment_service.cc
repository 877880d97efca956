#include "domain/role_assignment_service.h"

#include "core/fields.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

constexpr char kPrefix[] = "roleassignments/";

Fields ToFields(const RoleAssignmentRecord& r) {
  Fields f;
  f.Set("id", r.id);
  f.Set("scope", r.scope);
  f.Set("role_id", r.role_id);
  f.Set("principal_id", r.principal_id);
  f.Set("principal_type", r.principal_type);
  f.Set("created_by", r.created_by);
  f.SetInt("created_at", r.created_at);
  return f;
}

RoleAssignmentRecord FromFields(const Fields& f) {
  RoleAssignmentRecord r;
  r.id = f.GetOr("id", "");
  r.scope = f.GetOr("scope", "");
  r.role_id = f.GetOr("role_id", "");
  r.principal_id = f.GetOr("principal_id", "");
  r.principal_type = f.GetOr("principal_type", "ServicePrincipal");
  r.created_by = f.GetOr("created_by", "");
  r.created_at = f.GetInt("created_at").value_or(0);
  return r;
}

bool SameGrant(const RoleAssignmentRecord& a, const RoleAssignmentRecord& b) {
  return Lower(a.scope) == Lower(b.scope) && Lower(a.role_id) == Lower(b.role_id) &&
         a.principal_id == b.principal_id;
}

Status AssignmentNotFound(std::string_view id) {
  return NotFound("RoleAssignmentNotFound",
                  "The role assignment '" + std::string(id.substr(0, 64)) + "' is not found.");
}

}  // namespace

StatusOr<std::unique_ptr<RoleAssignmentService>> RoleAssignmentService::Open(
    barrier::Barrier* barrier, const Clock* clock) {
  std::unique_ptr<RoleAssignmentService> service(new RoleAssignmentService(barrier, clock));
  KH_ASSIGN_OR_RETURN(auto rows, barrier->Scan(barrier->system(), kPrefix, "", 0));
  for (const auto& row : rows) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(row.plaintext.Reveal()));
    service->assignments_.push_back(FromFields(f));
  }
  service->Reindex();
  return service;
}

StatusOr<RoleAssignmentRecord> RoleAssignmentService::Create(RoleAssignmentRecord record) {
  std::lock_guard lock(mu_);
  for (const auto& existing : assignments_) {
    if (Lower(existing.id) == Lower(record.id)) {
      if (SameGrant(existing, record)) return existing;
      return Conflict("The role assignment '" + record.id +
                          "' already exists with different properties; its properties cannot be "
                          "changed.",
                      "RoleAssignmentUpdateNotPermitted");
    }
    if (SameGrant(existing, record)) {
      return Status(StatusCode::kConflict, "RoleAssignmentExists",
                    "The role assignment already exists (id " + existing.id + ").");
    }
  }
  if (assignments_.size() >= kMaxRoleAssignments) {
    return InvalidArgument("No more than 2000 role assignments can be created.",
                           "RoleAssignmentLimitExceeded");
  }
  record.created_at = clock_->NowSeconds();
  storage::WriteBatch batch;
  std::string path = kPrefix + Lower(record.id);
  batch.ExpectAbsent(path);
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, path, ToFields(record).Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  assignments_.push_back(record);
  Reindex();
  return record;
}

StatusOr<RoleAssignmentRecord> RoleAssignmentService::Get(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& a : assignments_) {
    if (Lower(a.id) == Lower(id)) return a;
  }
  return AssignmentNotFound(id);
}

StatusOr<RoleAssignmentRecord> RoleAssignmentService::Delete(std::string_view id) {
  std::lock_guard lock(mu_);
  for (auto it = assignments_.begin(); it != assignments_.end(); ++it) {
    if (Lower(it->id) != Lower(id)) continue;
    storage::WriteBatch batch;
    batch.Delete(kPrefix + Lower(it->id));
    KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
    RoleAssignmentRecord removed = *it;
    assignments_.erase(it);
    Reindex();
    return removed;
  }
  return AssignmentNotFound(id);
}

std::vector<RoleAssignmentRecord> RoleAssignmentService::List() const {
  std::lock_guard lock(mu_);
  return assignments_;
}

void RoleAssignmentService::Reindex() {
  std::unordered_map<std::string, std::vector<RoleAssignmentRecord>> grouped;
  for (const auto& a : assignments_) grouped[a.principal_id].push_back(a);
  by_principal_.clear();
  for (auto& [principal, list] : grouped) {
    by_principal_[principal] =
        std::make_shared<const std::vector<RoleAssignmentRecord>>(std::move(list));
  }
}

std::shared_ptr<const std::vector<RoleAssignmentRecord>> RoleAssignmentService::ForPrincipal(
    std::string_view principal_id) const {
  static const auto kNone = std::make_shared<const std::vector<RoleAssignmentRecord>>();
  std::lock_guard lock(mu_);
  auto it = by_principal_.find(std::string(principal_id));
  return it == by_principal_.end() ? kNone : it->second;
}

}  // namespace kh::domain
