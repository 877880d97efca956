#pragma once
// The expiry job: finds secrets and keys whose current version is near its expiry (at each of
// its vault's keyhavenNearExpiryDays) or past it, and returns a notice for each point not
// noticed before. A raised notice is recorded (sys/expiry-notices/...) before it is returned, so
// each point of each version is noticed once, across restarts. One instance at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "barrier/barrier.h"
#include "core/status_or.h"
#include "domain/key_service.h"
#include "domain/secret_service.h"
#include "domain/vault_service.h"

namespace kh::domain {

struct ExpiryNotice {
  std::shared_ptr<const Vault> vault;
  std::string object_type;  // "Secret" or "Key"
  std::string name;
  std::string version;
  std::optional<int64_t> not_before;
  int64_t expires = 0;
  int days_before = 0;  // the threshold reached; 0 = expired
};

// Where a raised notice is recorded: sys/expiry-notices/{vault}/{type}/{name}/{version}/{point}.
std::string ExpiryNoticePath(std::string_view vault, std::string_view type, std::string_view name,
                             std::string_view version, std::string_view point);
// Records the notice at `path` unless it was raised before (also by another node); true when
// this call raised it.
StatusOr<bool> RaiseNoticeOnce(barrier::Barrier* barrier, const std::string& path, int64_t now);

class ExpiryJob {
 public:
  ExpiryJob(barrier::Barrier* barrier, VaultService* vaults, SecretService* secrets,
            KeyService* keys)
      : barrier_(barrier), vaults_(vaults), secrets_(secrets), keys_(keys) {}

  StatusOr<std::vector<ExpiryNotice>> RunOnce(int64_t now);

 private:
  // Adds the notice if its point is reached and it was not raised before.
  Status Consider(const std::shared_ptr<const Vault>& vault, const std::string& type,
                  const std::string& name, const std::string& version,
                  const ObjectAttributes& attributes, int64_t now, std::vector<ExpiryNotice>& out);

  barrier::Barrier* barrier_;
  VaultService* vaults_;
  SecretService* secrets_;
  KeyService* keys_;
};

}  // namespace kh::domain
