#include "domain/rotation_job.h"

#include "domain/names.h"

namespace kh::domain {

StatusOr<size_t> RotationJob::RunOnce(int64_t now) {
  constexpr size_t kEntriesPerScan = 256;
  size_t rotated = 0;
  Status first_error;
  std::string after;
  const std::string prefix = KeyRotationIndexPrefix();
  for (;;) {
    KH_ASSIGN_OR_RETURN(auto rows, store_->Scan(prefix, after, kEntriesPerScan));
    if (rows.empty()) break;
    for (const auto& row : rows) {
      after = row.key;
      std::string_view rest = std::string_view(row.key).substr(prefix.size());
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) continue;
      std::string_view vault_name = rest.substr(0, slash);
      std::string_view name = rest.substr(slash + 1);
      auto vault = vaults_->Find(vault_name);
      if (!vault.ok()) {
        // A deleted vault may come back; a purged one takes its records with it.
        if (vault.status().code() != StatusCode::kNotFound && first_error.ok()) {
          first_error = vault.status();
        }
        continue;
      }
      auto done = rotation_->RotateIfDue(**vault, name, now);
      if (!done.ok()) {
        if (first_error.ok()) first_error = done.status();
        continue;
      }
      if (*done) ++rotated;
    }
  }
  if (!first_error.ok()) return first_error;
  return rotated;
}

}  // namespace kh::domain
