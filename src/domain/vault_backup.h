#pragma once
// VaultBackupService: a whole vault in one file, and the file back into a new vault.
//
// The file (docs/backup-format.md) is "KHVAULTBACKUP1\n" followed by one AES-256-GCM seal, under
// the deployment's backup key, of every record the vault owns (each object's live or deleted
// head, every version, key rotation policies), the vault's own record (properties, tags, access
// policies, firewall) and its entries in the purge schedule and key-rotation index. A file that
// was changed, cut short, or sealed under another backup key does not open, and is refused
// before anything is written. A restore writes the new vault, with its own new data key, and
// all its records in one transaction: it happens entirely or not at all.
//
// HSM key material is exported as references to token backup copies and restored as fresh token
// copies, as for per-object key backups (KeyService), so it restores only with the same token.
// Role assignments scoped to the vault (or to one of its objects) go into the file on request
// and are re-created, scoped to the new vault, on restore.
//
// A backup reads the vault's records while writes may go on; an object changed during the
// backup is in the file as it was before or after the change. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "core/status_or.h"
#include "domain/key_service.h"
#include "domain/role_assignment_service.h"
#include "domain/vault_service.h"

namespace kh::domain {

// What a backup file holds (Verify) or what a restore wrote (Restore).
struct VaultBackupSummary {
  std::string vault;           // the name the vault had when backed up
  std::string resource_group;  // its resource group then
  int64_t created = 0;         // when the backup was made (seconds)
  size_t records = 0;          // records of the vault's objects (heads, versions, policies)
  size_t secrets = 0;          // object names, live or deleted
  size_t keys = 0;
  size_t deleted_objects = 0;
  size_t role_assignments = 0;          // in the file
  size_t role_assignments_skipped = 0;  // restore: not re-created (e.g. the grant exists)
};

class VaultBackupService {
 public:
  VaultBackupService(barrier::Barrier* barrier, VaultService* vaults, KeyService* keys,
                     const Clock* clock);

  // Role assignments for backups that carry them (Create's with_role_assignments) and for
  // restores; `subscription_id` is this deployment's, for the scopes of re-created assignments.
  void SetRoleAssignments(RoleAssignmentService* assignments, std::string subscription_id);

  // The backup file of an active vault; NotFound for an unknown or deleted vault.
  StatusOr<std::string> Create(std::string_view vault_name, bool with_role_assignments = false);
  // Opens and checks a backup file without writing anything; BadParameter if it does not open.
  StatusOr<VaultBackupSummary> Verify(std::string_view file);
  // Restores the file into a new vault `new_name` in `resource_group` (default: the original's).
  // BadParameter for a file that does not open; Conflict (VaultAlreadyExists) when the name is
  // taken, including by a soft-deleted vault.
  StatusOr<VaultBackupSummary> Restore(std::string_view file, std::string_view new_name,
                                       std::optional<std::string> resource_group,
                                       std::string_view caller);

  // Rebuilds `vault_name` from the automatic-backup journal in the backup target `dir` alone
  // (barrier/journal_target.h), as it was at server-clock time `at` (default: the last change
  // the target holds), into a new vault `new_name`, as Restore does. NotFound when the target
  // holds no record of the vault (or none up to `at`); BadParameter for an entry that does not
  // open (changed, or sealed under a backup key this deployment does not know).
  StatusOr<VaultBackupSummary> Rebuild(const std::string& dir, std::string_view vault_name,
                                       std::optional<int64_t> at, std::string_view new_name,
                                       std::optional<std::string> resource_group,
                                       std::string_view caller);

  // The deployment's backup key, moved between deployments under a passphrase (Barrier's
  // ExportBackupKey / ImportBackupKey): after an import both deployments open each other's
  // backups. Fingerprint: 16 hex digits naming the current key.
  StatusOr<std::string> ExportBackupKey(const SecretBytes& passphrase) const;
  StatusOr<std::string> ImportBackupKey(std::string_view exported, const SecretBytes& passphrase);
  std::string BackupKeyFingerprint() const;

 private:
  // Re-creates the file's role assignments at the new vault's scope; failures are counted.
  void RecreateRoleAssignments(const std::vector<std::string>& encoded,
                               const std::string& resource_group, std::string_view vault_name,
                               std::string_view caller, VaultBackupSummary& summary);

  barrier::Barrier* barrier_;
  VaultService* vaults_;
  KeyService* keys_;
  const Clock* clock_;
  RoleAssignmentService* assignments_ = nullptr;
  std::string subscription_id_;
};

}  // namespace kh::domain
