#include "domain/renewal_job.h"

#include "domain/certificate_policy.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

constexpr int64_t kDay = 86400;

// The notice record of one EmailContacts action of one version.
std::string ActionNoticePath(const Vault& vault, const CertificateVersion& c,
                             const CertificateLifetimeAction& action) {
  const std::string trigger = action.lifetime_percentage
                                  ? "pct-" + std::to_string(*action.lifetime_percentage)
                                  : "days-" + std::to_string(action.days_before_expiry.value_or(0));
  return ExpiryNoticePath(vault.name, "Certificate", Lower(c.name), c.version, trigger);
}

}  // namespace

Status RenewalJob::NoticeIfDue(const std::shared_ptr<const Vault>& vault,
                               const CertificateVersion& c, int64_t now, RenewalResult& out) {
  if (!c.attributes.not_before || !c.attributes.expires) return Status::Ok();
  for (const CertificateLifetimeAction& action : c.policy.lifetime_actions) {
    if (action.action_type != "EmailContacts") continue;
    auto due = LifetimeActionDue(action, *c.attributes.not_before, *c.attributes.expires);
    if (!due || *due > now) continue;
    KH_ASSIGN_OR_RETURN(bool raised_now,
                        RaiseNoticeOnce(barrier_, ActionNoticePath(*vault, c, action), now));
    if (!raised_now) continue;
    const int64_t left = *c.attributes.expires - now;
    const int days = left <= 0 ? 0 : static_cast<int>((left + kDay - 1) / kDay);
    out.notices.push_back({vault, "Certificate", c.name, c.version, c.attributes.not_before,
                           *c.attributes.expires, days});
  }
  return Status::Ok();
}

StatusOr<RenewalResult> RenewalJob::RunOnce(int64_t now) {
  RenewalResult out;
  KH_ASSIGN_OR_RETURN(auto vaults, vaults_->List(std::nullopt));
  Status first_error;
  const auto keep = [&first_error](const Status& st) {
    if (!st.ok() && first_error.ok()) first_error = st;
  };
  for (const auto& vault : vaults) {
    std::string marker;
    do {
      auto page = certificates_->List(*vault, marker, kMaxPageSize);
      if (!page.ok()) {
        keep(page.status());
        break;
      }
      for (const CertificateVersion& c : page->items) {
        // The listing already read the latest version: only a due one is read again, under
        // the certificate's lock, to renew it.
        auto renewed = AutoRenewDue(c, now) ? certificates_->RenewIfDue(*vault, c.name, now)
                                            : StatusOr<bool>(false);
        if (!renewed.ok()) {
          keep(renewed.status());
        } else if (*renewed) {
          ++out.renewed;
          continue;  // the new version's actions lie ahead
        }
        keep(NoticeIfDue(vault, c, now, out));
      }
      marker = page->next_marker.value_or("");
    } while (!marker.empty());
  }
  out.first_error = first_error;
  return out;
}

}  // namespace kh::domain
