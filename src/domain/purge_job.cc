#include "domain/purge_job.h"

#include <charconv>

#include "domain/names.h"

namespace kh::domain {
namespace {

struct Entry {
  int64_t when = 0;
  std::string kind, vault, name;
};

std::optional<Entry> ParseEntry(std::string_view key) {
  key.remove_prefix(PurgeSchedulePrefix().size());
  Entry e;
  size_t parts[3];
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    pos = key.find('/', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    parts[i] = pos++;
  }
  auto [p, ec] = std::from_chars(key.data(), key.data() + parts[0], e.when);
  if (ec != std::errc()) return std::nullopt;
  e.kind = std::string(key.substr(parts[0] + 1, parts[1] - parts[0] - 1));
  e.vault = std::string(key.substr(parts[1] + 1, parts[2] - parts[1] - 1));
  e.name = std::string(key.substr(parts[2] + 1));
  return e;
}

}  // namespace

StatusOr<size_t> PurgeJob::RunOnce(int64_t now) {
  constexpr size_t kEntriesPerScan = 256;
  size_t handled = 0;
  std::string after;
  for (;;) {
    KH_ASSIGN_OR_RETURN(auto rows, store_->Scan(PurgeSchedulePrefix(), after, kEntriesPerScan));
    if (rows.empty()) return handled;
    for (const auto& row : rows) {
      after = row.key;
      auto entry = ParseEntry(row.key);
      if (entry && entry->when > now) return handled;
      if (entry && entry->kind == "secret") {
        KH_RETURN_IF_ERROR(secrets_->PurgeIfDue(entry->vault, entry->name, now));
      } else if (entry && entry->kind == "key") {
        if (keys_) KH_RETURN_IF_ERROR(keys_->PurgeIfDue(entry->vault, entry->name, now));
      } else if (entry && entry->kind == "certificate") {
        if (certificates_) {
          KH_RETURN_IF_ERROR(certificates_->PurgeIfDue(entry->vault, entry->name, now));
        }
      } else if (entry && entry->kind == "vault") {
        KH_RETURN_IF_ERROR(vaults_->PurgeIfDue(entry->vault, now));
      }
      // The services remove their own entries; drop any left (stale or unknown kinds).
      storage::WriteBatch batch;
      batch.Delete(row.key);
      KH_RETURN_IF_ERROR(store_->Commit(batch));
      ++handled;
    }
  }
}

}  // namespace kh::domain
