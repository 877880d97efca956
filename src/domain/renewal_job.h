#pragma once
// The certificate renewal job: performs the lifetime actions of every live certificate's latest
// version once they fall due. AutoRenew makes a new version (CertificateService::RenewIfDue);
// EmailContacts returns a notice (raised as a CertificateNearExpiry event by the server) and
// records it first (sys/expiry-notices/...), so each action of each version is noticed once.
// Nothing is scheduled ahead: due points are recomputed from the stored policy on every run, so
// the job survives restarts and a renewal happens once. One instance at a time.
#include <cstdint>
#include <vector>

#include "barrier/barrier.h"
#include "domain/certificate_service.h"
#include "domain/expiry_job.h"
#include "domain/vault_service.h"

namespace kh::domain {

struct RenewalResult {
  size_t renewed = 0;
  std::vector<ExpiryNotice> notices;  // EmailContacts actions due (already recorded as raised)
  Status first_error;  // the first certificate that failed; the others were still handled
};

class RenewalJob {
 public:
  RenewalJob(barrier::Barrier* barrier, VaultService* vaults, CertificateService* certificates)
      : barrier_(barrier), vaults_(vaults), certificates_(certificates) {}

  // A failure on one certificate is reported in first_error after the others were tried; the
  // notices raised meanwhile are returned all the same (they are recorded as raised).
  StatusOr<RenewalResult> RunOnce(int64_t now);

 private:
  Status NoticeIfDue(const std::shared_ptr<const Vault>& vault, const CertificateVersion& c,
                     int64_t now, RenewalResult& out);

  barrier::Barrier* barrier_;
  VaultService* vaults_;
  CertificateService* certificates_;
};

}  // namespace kh::domain
