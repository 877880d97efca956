#include "domain/expiry_job.h"

namespace kh::domain {
namespace {

constexpr int64_t kDay = 86400;

// Hands every item of every page of a listing to `each`; a page that fails is reported to
// `failed` and ends that listing.
template <typename ListPage, typename Each, typename Failed>
void ForEachItem(ListPage list_page, Each each, Failed failed) {
  std::string marker;
  do {
    auto page = list_page(marker);
    if (!page.ok()) return failed(page.status());
    for (const auto& item : page->items) each(item);
    marker = page->next_marker.value_or("");
  } while (!marker.empty());
}

}  // namespace

std::string ExpiryNoticePath(std::string_view vault, std::string_view type, std::string_view name,
                             std::string_view version, std::string_view point) {
  std::string path = "sys/expiry-notices/";
  for (std::string_view part : {vault, type, name, version}) path.append(part).append("/");
  return path.append(point);
}

StatusOr<bool> RaiseNoticeOnce(barrier::Barrier* barrier, const std::string& path, int64_t now) {
  KH_ASSIGN_OR_RETURN(auto raised, barrier->Read(barrier->system(), path));
  if (raised) return false;
  storage::WriteBatch batch;
  batch.ExpectAbsent(path);
  KH_RETURN_IF_ERROR(barrier->Write(barrier->system(), batch, path, std::to_string(now)));
  KH_RETURN_IF_ERROR(barrier->store().Commit(batch));
  return true;
}

Status ExpiryJob::Consider(const std::shared_ptr<const Vault>& vault, const std::string& type,
                           const std::string& name, const std::string& version,
                           const ObjectAttributes& attributes, int64_t now,
                           std::vector<ExpiryNotice>& out) {
  if (!attributes.expires) return Status::Ok();
  const int64_t exp = *attributes.expires;
  // Only the nearest point reached: a key found 2 days before expiry with thresholds 30, 7, 1
  // gets the 7-day notice (once), not three at once.
  std::optional<int> point;
  if (now >= exp) {
    point = 0;
  } else {
    for (int days : vault->near_expiry_days) {
      if (now >= exp - days * kDay && (!point || days < *point)) point = days;
    }
  }
  if (!point) return Status::Ok();
  const std::string path = ExpiryNoticePath(vault->name, type, name, version,
                                            *point == 0 ? "expired" : std::to_string(*point));
  KH_ASSIGN_OR_RETURN(bool raised_now, RaiseNoticeOnce(barrier_, path, now));
  if (!raised_now) return Status::Ok();
  out.push_back({vault, type, name, version, attributes.not_before, exp, *point});
  return Status::Ok();
}

StatusOr<std::vector<ExpiryNotice>> ExpiryJob::RunOnce(int64_t now) {
  std::vector<ExpiryNotice> out;
  KH_ASSIGN_OR_RETURN(auto vaults, vaults_->List(std::nullopt));
  Status first_error;
  const auto keep = [&first_error](const Status& st) {
    if (!st.ok() && first_error.ok()) first_error = st;
  };
  for (const auto& vault : vaults) {
    const auto secret_page = [&](const std::string& m) {
      return secrets_->List(*vault, m, kMaxPageSize);
    };
    const auto key_page = [&](const std::string& m) {
      return keys_->List(*vault, m, kMaxPageSize);
    };
    ForEachItem(
        secret_page,
        [&](const SecretVersion& s) {
          keep(Consider(vault, "Secret", s.name, s.version, s.attributes, now, out));
        },
        keep);
    ForEachItem(
        key_page,
        [&](const KeyVersion& k) {
          keep(Consider(vault, "Key", k.name, k.version, k.attributes, now, out));
        },
        keep);
  }
  if (!first_error.ok() && out.empty()) return first_error;
  return out;
}

}  // namespace kh::domain
