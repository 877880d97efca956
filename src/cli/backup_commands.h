#pragma once
// `keyhaven backup create|verify|restore`: whole-vault backup files through the server's
// /admin/vault-backup endpoints (format: docs/backup-format.md). The file is sealed under the
// deployment's backup key by the server; the CLI only moves it. Not thread-safe.
#include <optional>
#include <string>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

// Largest backup file the CLI reads (the server's upload limit).
inline constexpr size_t kMaxBackupFileBytes = size_t{256} * 1024 * 1024;

// Writes the backup of `vault` to `out_path` (mode 0600) and prints what it holds.
Status CreateVaultBackup(const Session& session, const std::string& vault,
                         const std::string& out_path, bool with_role_assignments = false);
// Asks the server to open the file (integrity and backup key) without restoring anything.
Status VerifyVaultBackup(const Session& session, const std::string& path);
// Restores the file into a new vault `new_vault` (in `resource_group`, default the original's).
Status RestoreVaultBackup(const Session& session, const std::string& path,
                          const std::string& new_vault,
                          const std::optional<std::string>& resource_group);

// Rebuilds `vault` from the automatic-backup journal in `dir` (a directory on the server's
// machine, e.g. another deployment's backup target) into a new vault `new_vault`, as it was at
// `at` (ISO-8601) when given.
Status RebuildVault(const Session& session, const std::string& dir, const std::string& vault,
                    const std::string& new_vault, const std::optional<std::string>& at,
                    const std::optional<std::string>& resource_group);

// `keyhaven backup-key export|import`: the deployment's backup key wrapped under a passphrase
// (read from `passphrase_file`, or standard input for "-"; its first line, at least 12
// characters). Export writes the wrapped key to `out_path` (0600); import makes the key in
// `key_path` this deployment's current backup key. Both print the key's fingerprint.
Status ExportBackupKey(const Session& session, const std::string& out_path,
                       const std::string& passphrase_file);
Status ImportBackupKey(const Session& session, const std::string& key_path,
                       const std::string& passphrase_file);

}  // namespace kh::cli
