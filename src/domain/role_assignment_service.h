#pragma once
// RoleAssignmentService: Azure RBAC role assignments (who has which role at which scope),
// stored in the barrier's system scope and held in memory: every request is authorized
// against them, so reads never touch storage. Thread-safe. The decision itself is
// authz's (pure); this only keeps the records.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "core/status_or.h"

namespace kh::domain {

constexpr size_t kMaxRoleAssignments = 2000;  // Azure's per-subscription limit

struct RoleAssignmentRecord {
  std::string id;  // GUID (the ARM resource name)
  std::string scope;
  std::string role_id;  // role definition GUID
  std::string principal_id;
  std::string principal_type = "ServicePrincipal";
  std::string created_by;
  int64_t created_at = 0;
};

class RoleAssignmentService {
 public:
  // Loads every assignment from storage.
  static StatusOr<std::unique_ptr<RoleAssignmentService>> Open(barrier::Barrier* barrier,
                                                               const Clock* clock);

  // Creates the assignment `id`. Idempotent for an identical request; Conflict when `id` is
  // taken by a different assignment or the same grant exists under another id.
  StatusOr<RoleAssignmentRecord> Create(RoleAssignmentRecord record);
  StatusOr<RoleAssignmentRecord> Get(std::string_view id) const;
  // Removes the assignment; NotFound when there is none.
  StatusOr<RoleAssignmentRecord> Delete(std::string_view id);
  std::vector<RoleAssignmentRecord> List() const;
  // A snapshot shared with other readers: no copy per request (authorization runs on each).
  std::shared_ptr<const std::vector<RoleAssignmentRecord>> ForPrincipal(
      std::string_view principal_id) const;

 private:
  RoleAssignmentService(barrier::Barrier* barrier, const Clock* clock)
      : barrier_(barrier), clock_(clock) {}

  barrier::Barrier* barrier_;
  const Clock* clock_;
  mutable std::mutex mu_;
  void Reindex();  // caller holds mu_

  std::vector<RoleAssignmentRecord> assignments_;
  std::unordered_map<std::string, std::shared_ptr<const std::vector<RoleAssignmentRecord>>>
      by_principal_;
};

}  // namespace kh::domain
