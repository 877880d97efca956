#pragma once
// The scheduled-purge job: removes soft-deleted objects and vaults whose retention has ended.
// Deletions add an entry `sched/{when}/{kind}/{vault}/{name}` in the same batch; this job walks
// the entries due by `now` in time order. Idempotent and safe to run from any thread (one
// instance at a time).
#include <cstdint>

#include "core/status.h"
#include "domain/certificate_service.h"
#include "domain/key_service.h"
#include "domain/secret_service.h"
#include "domain/vault_service.h"
#include "storage/store.h"

namespace kh::domain {

class PurgeJob {
 public:
  // `keys` and `certificates` may be null (tests of other services): their entries are then
  // dropped unhandled.
  PurgeJob(storage::Store* store, VaultService* vaults, SecretService* secrets,
           KeyService* keys = nullptr, CertificateService* certificates = nullptr)
      : store_(store),
        vaults_(vaults),
        secrets_(secrets),
        keys_(keys),
        certificates_(certificates) {}

  // Purges everything due at `now`; returns how many entries it handled.
  StatusOr<size_t> RunOnce(int64_t now);

 private:
  storage::Store* store_;
  VaultService* vaults_;
  SecretService* secrets_;
  KeyService* keys_;
  CertificateService* certificates_;
};

}  // namespace kh::domain
