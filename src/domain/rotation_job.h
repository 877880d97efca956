#pragma once
// The automatic key rotation job: walks the index of keys whose rotation policy has a Rotate
// action and rotates those due at `now` (KeyRotationService::RotateIfDue). Nothing is scheduled
// ahead: the due time is recomputed on every run from the stored policy and the latest
// version's created/exp, and a rotation makes a new latest version, so each due point rotates
// exactly once, across restarts too. Safe to run from any thread (one instance at a time).
#include <cstddef>
#include <cstdint>

#include "core/status_or.h"
#include "domain/key_rotation.h"
#include "domain/vault_service.h"
#include "storage/store.h"

namespace kh::domain {

class RotationJob {
 public:
  RotationJob(storage::Store* store, VaultService* vaults, KeyRotationService* rotation)
      : store_(store), vaults_(vaults), rotation_(rotation) {}

  // Rotates every key due at `now`; returns how many it rotated. A failure on one key is
  // reported after the others were tried.
  StatusOr<size_t> RunOnce(int64_t now);

 private:
  storage::Store* store_;
  VaultService* vaults_;
  KeyRotationService* rotation_;
};

}  // namespace kh::domain
