#include "domain/key_rotation.h"

#include "core/ascii.h"
#include "core/fields.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

Status BadPolicy(std::string message) { return InvalidArgument(std::move(message)); }

Fields PolicyToFields(const KeyRotationPolicy& p) {
  Fields f;
  f.SetInt("actions", static_cast<int64_t>(p.actions.size()));
  for (size_t i = 0; i < p.actions.size(); ++i) {
    std::string prefix = "a" + std::to_string(i) + ".";
    f.Set(prefix + "type", p.actions[i].type);
    f.SetBool(prefix + "before_expiry", p.actions[i].before_expiry);
    f.Set(prefix + "duration", p.actions[i].duration);
  }
  if (p.expiry_time) f.Set("expiry_time", *p.expiry_time);
  if (p.created) f.SetInt("created", *p.created);
  if (p.updated) f.SetInt("updated", *p.updated);
  return f;
}

KeyRotationPolicy PolicyFromFields(const Fields& f) {
  KeyRotationPolicy p;
  int64_t n = f.GetInt("actions").value_or(0);
  for (int64_t i = 0; i < n; ++i) {
    std::string prefix = "a" + std::to_string(i) + ".";
    p.actions.push_back({f.GetOr(prefix + "type", ""), f.GetBool(prefix + "before_expiry", false),
                         f.GetOr(prefix + "duration", "")});
  }
  p.expiry_time = f.Get("expiry_time");
  p.created = f.GetInt("created");
  p.updated = f.GetInt("updated");
  return p;
}

bool Rotates(const KeyRotationPolicy& p) {
  for (const auto& a : p.actions) {
    if (a.type == "Rotate") return true;
  }
  return false;
}

}  // namespace

StatusOr<int64_t> ParseIsoDuration(std::string_view d) {
  Status bad = BadPolicy("Invalid ISO 8601 duration '" + std::string(d) +
                         "'; expected a form such as P90D, P1Y2M, PT48H.");
  if (d.size() < 2 || (d[0] != 'P' && d[0] != 'p')) return bad;
  int64_t total = 0;
  bool in_time = false, any = false, t_component = false;
  std::string_view units_date = "YMWD", units_time = "HMS";
  size_t last_unit = 0;  // components in order, each at most once
  size_t i = 1;
  while (i < d.size()) {
    char c = static_cast<char>(d[i] >= 'a' && d[i] <= 'z' ? d[i] - 32 : d[i]);
    if (c == 'T') {
      if (in_time) return bad;
      in_time = true;
      last_unit = 0;
      ++i;
      continue;
    }
    size_t start = i;
    int64_t value = 0;
    while (i < d.size() && d[i] >= '0' && d[i] <= '9') {
      if (value > 1'000'000) return bad;
      value = value * 10 + (d[i] - '0');
      ++i;
    }
    if (i == start || i == d.size()) return bad;
    char u = static_cast<char>(d[i] >= 'a' && d[i] <= 'z' ? d[i] - 32 : d[i]);
    ++i;
    std::string_view units = in_time ? units_time : units_date;
    size_t pos = units.find(u);
    if (pos == std::string_view::npos || pos + 1 <= last_unit) return bad;
    last_unit = pos + 1;
    static constexpr int64_t kDate[] = {365 * 86400, 30 * 86400, 7 * 86400, 86400};
    static constexpr int64_t kTime[] = {3600, 60, 1};
    total += value * (in_time ? kTime[pos] : kDate[pos]);
    any = true;
    if (in_time) t_component = true;
  }
  if (!any || (in_time && !t_component)) return bad;
  return total;
}

KeyRotationPolicy DefaultRotationPolicy() {
  KeyRotationPolicy p;
  p.actions.push_back({"Notify", true, "P30D"});
  return p;
}

Status ValidateRotationPolicy(KeyRotationPolicy& policy) {
  std::optional<int64_t> expiry;
  if (policy.expiry_time) {
    KH_ASSIGN_OR_RETURN(expiry, ParseIsoDuration(*policy.expiry_time));
    if (*expiry < kMinRotationExpirySeconds) {
      return BadPolicy("The key rotation policy expiryTime must be at least 28 days (P28D).");
    }
  }
  int rotates = 0, notifies = 0;
  for (auto& a : policy.actions) {
    if (AsciiEqualsIgnoreCase(a.type, "rotate")) {
      a.type = "Rotate";
      ++rotates;
    } else if (AsciiEqualsIgnoreCase(a.type, "notify")) {
      a.type = "Notify";
      ++notifies;
    } else {
      return BadPolicy("Invalid lifetime action type '" + a.type + "'; expected Rotate or Notify.");
    }
    KH_ASSIGN_OR_RETURN(int64_t seconds, ParseIsoDuration(a.duration));
    if (a.type == "Notify" && !a.before_expiry) {
      return BadPolicy("A Notify lifetime action needs a timeBeforeExpiry trigger.");
    }
    if (a.before_expiry) {
      if (!expiry) {
        return BadPolicy(
            "A timeBeforeExpiry trigger needs the policy's attributes.expiryTime to be set.");
      }
      if (seconds >= *expiry) {
        return BadPolicy("The timeBeforeExpiry trigger must be shorter than the expiryTime.");
      }
    } else if (expiry && seconds >= *expiry) {
      return BadPolicy("The timeAfterCreate trigger must be shorter than the expiryTime.");
    }
    if (seconds < kMinRotationTriggerSeconds) {
      return BadPolicy("A lifetime action trigger must be at least 7 days (P7D).");
    }
  }
  if (rotates > 1) return BadPolicy("A key rotation policy may have only one Rotate action.");
  if (notifies > 1) return BadPolicy("A key rotation policy may have only one Notify action.");
  return Status::Ok();
}

std::optional<int64_t> RotationDueTime(const KeyRotationPolicy& policy, const KeyVersion& latest) {
  for (const auto& a : policy.actions) {
    if (a.type != "Rotate") continue;
    auto seconds = ParseIsoDuration(a.duration);
    if (!seconds.ok()) return std::nullopt;
    if (!a.before_expiry) return latest.attributes.created + *seconds;
    if (!latest.attributes.expires) return std::nullopt;
    return *latest.attributes.expires - *seconds;
  }
  return std::nullopt;
}

StatusOr<std::optional<KeyRotationPolicy>> KeyRotationService::Read(const Vault& vault,
                                                                    std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto key, barrier_->VaultKey(Lower(vault.name)));
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(*key, KeyRotationPolicyPath(vault.name, name)));
  if (!bytes) return std::optional<KeyRotationPolicy>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<KeyRotationPolicy>(PolicyFromFields(f));
}

StatusOr<KeyRotationPolicy> KeyRotationService::GetPolicy(const Vault& vault,
                                                          std::string_view name) {
  KH_RETURN_IF_ERROR(keys_->Get(vault, name, "").status());
  KH_ASSIGN_OR_RETURN(auto stored, Read(vault, name));
  return stored ? std::move(*stored) : DefaultRotationPolicy();
}

StatusOr<KeyRotationPolicy> KeyRotationService::SetPolicy(const Vault& vault, std::string_view name,
                                                          KeyRotationPolicy policy) {
  // An empty list of actions resets them to the default (as Azure documents).
  if (policy.actions.empty()) policy.actions = DefaultRotationPolicy().actions;
  KH_RETURN_IF_ERROR(ValidateRotationPolicy(policy));
  KH_ASSIGN_OR_RETURN(KeyVersion latest, keys_->Get(vault, name, ""));
  if (latest.managed) {
    // Its certificate's lifetime actions renew it; a rotation would fail on every pass.
    return PermissionDenied("The key " + latest.name +
                            " backs a certificate: set the certificate's policy (lifetime "
                            "actions) instead of a rotation policy.");
  }
  KH_ASSIGN_OR_RETURN(auto existing, Read(vault, name));
  int64_t now = clock_->NowSeconds();
  policy.created = existing && existing->created ? existing->created : now;
  policy.updated = now;
  KH_ASSIGN_OR_RETURN(auto key, barrier_->VaultKey(Lower(vault.name)));
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(barrier_->Write(*key, batch, KeyRotationPolicyPath(vault.name, name),
                                     PolicyToFields(policy).Encode()));
  if (Rotates(policy)) {
    batch.Put(KeyRotationIndexEntry(vault.name, name), "");
  } else {
    batch.Delete(KeyRotationIndexEntry(vault.name, name));
  }
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return policy;
}

StatusOr<KeyVersion> KeyRotationService::Rotate(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto policy, Read(vault, name));
  std::optional<int64_t> expires_after;
  if (policy && policy->expiry_time) {
    KH_ASSIGN_OR_RETURN(expires_after, ParseIsoDuration(*policy->expiry_time));
  }
  return keys_->Rotate(vault, name, expires_after);
}

StatusOr<bool> KeyRotationService::RotateIfDue(const Vault& vault, std::string_view name,
                                               int64_t now) {
  KH_ASSIGN_OR_RETURN(auto policy, Read(vault, name));
  if (!policy) return false;
  auto latest = keys_->Get(vault, name, "");
  if (!latest.ok()) {
    if (latest.status().code() == StatusCode::kNotFound) return false;  // deleted
    return latest.status();
  }
  std::optional<int64_t> due = RotationDueTime(*policy, *latest);
  if (!due || *due > now) return false;
  std::optional<int64_t> expires_after;
  if (policy->expiry_time) {
    KH_ASSIGN_OR_RETURN(expires_after, ParseIsoDuration(*policy->expiry_time));
  }
  auto rotated = keys_->Rotate(vault, name, expires_after, latest->version);
  if (!rotated.ok()) {
    // Rotated (or deleted) by someone else meanwhile: the next run looks again.
    StatusCode code = rotated.status().code();
    if (code == StatusCode::kConflict || code == StatusCode::kNotFound) return false;
    return rotated.status();
  }
  return true;
}

}  // namespace kh::domain
