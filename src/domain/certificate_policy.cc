#include "domain/certificate_policy.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "core/ascii.h"
#include "crypto/key_algorithms.h"
#include "crypto/x509.h"

namespace kh::domain {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kClockSkewSeconds = 300;
constexpr int kDefaultLifetimePercentage = 80;
constexpr size_t kMaxEkus = 32;
constexpr size_t kMaxCertificateTypeLength = 64;

bool HasUsage(const std::vector<std::string>& usages, std::string_view name) {
  return std::any_of(usages.begin(), usages.end(),
                     [&](const std::string& u) { return AsciiEqualsIgnoreCase(u, name); });
}

void AddUnique(std::vector<std::string>& ops, const char* op) {
  if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
}

// Azure's spelling of a key usage, whatever case the caller used.
std::string CanonicalUsage(std::string_view usage) {
  for (const char* name : crypto::kKeyUsageNames) {
    if (AsciiEqualsIgnoreCase(usage, name)) return name;
  }
  return std::string(usage);
}

Status ValidateKeyProperties(const CertificatePolicy& p) {
  KH_ASSIGN_OR_RETURN(crypto::KeyType type, crypto::ParseKeyType(p.kty));
  if (type == crypto::KeyType::kOct) {
    return InvalidArgument("Key type " + p.kty +
                           " is not supported for certificates. Use RSA, RSA-HSM, EC or EC-HSM.");
  }
  if (IsHsmKeyType(p.kty) && p.exportable) {
    return InvalidArgument("HSM-protected keys (" + p.kty +
                           ") cannot be exportable. Set key_props.exportable to false.");
  }
  if (type == crypto::KeyType::kRsa) {
    int bits = p.key_size.value_or(2048);
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      return InvalidArgument("The key size " + std::to_string(bits) +
                             " is not supported for key type RSA. Supported sizes are 2048, "
                             "3072 and 4096.");
    }
    if (p.curve) return InvalidArgument("An RSA key has no curve (key_props.crv).");
    return Status::Ok();
  }
  KH_ASSIGN_OR_RETURN(crypto::EcCurve curve, crypto::ParseCurve(p.curve.value_or("P-256")));
  if (p.key_size && *p.key_size != crypto::CurveBits(curve)) {
    return InvalidArgument("The key size " + std::to_string(*p.key_size) +
                           " does not match the curve " + std::string(crypto::CurveName(curve)) +
                           ".");
  }
  return Status::Ok();
}

Status ValidateLifetimeActions(const CertificatePolicy& p) {
  if (p.lifetime_actions.size() > kMaxLifetimeActions) {
    return InvalidArgument("A policy may have at most " + std::to_string(kMaxLifetimeActions) +
                           " lifetime actions.");
  }
  for (const CertificateLifetimeAction& a : p.lifetime_actions) {
    if (a.action_type != "AutoRenew" && a.action_type != "EmailContacts") {
      return InvalidArgument("Invalid lifetime action type '" + a.action_type.substr(0, 64) +
                             "'. Use AutoRenew or EmailContacts.");
    }
    if (a.lifetime_percentage.has_value() == a.days_before_expiry.has_value()) {
      return InvalidArgument(
          "A lifetime action's trigger needs exactly one of lifetime_percentage and "
          "days_before_expiry.");
    }
    if (a.lifetime_percentage && (*a.lifetime_percentage < 1 || *a.lifetime_percentage > 99)) {
      return InvalidArgument("lifetime_percentage must be between 1 and 99.");
    }
    const int max_days = p.validity_months * 27;
    if (a.days_before_expiry && (*a.days_before_expiry < 1 || *a.days_before_expiry > max_days)) {
      return InvalidArgument("days_before_expiry must be between 1 and " +
                             std::to_string(max_days) + " (validity_months * 27).");
    }
    if (a.action_type == "AutoRenew" && IsUnknownIssuer(p.issuer_name)) {
      return InvalidArgument(
          "AutoRenew needs an issuer that can issue: a certificate with issuer Unknown can only "
          "use EmailContacts.");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsSelfIssuer(std::string_view issuer_name) {
  return AsciiEqualsIgnoreCase(issuer_name, kIssuerSelf);
}
bool IsUnknownIssuer(std::string_view issuer_name) {
  return AsciiEqualsIgnoreCase(issuer_name, kIssuerUnknown);
}
bool IsHsmKeyType(std::string_view kty) {
  return kty.size() > 4 && kty.substr(kty.size() - 4) == "-HSM";
}

Status ValidatePolicy(const CertificatePolicy& p) {
  KH_RETURN_IF_ERROR(ValidateKeyProperties(p));
  if (p.content_type != kPkcs12ContentType && p.content_type != kPemContentType) {
    return InvalidArgument("Invalid secret_props.contentType '" + p.content_type.substr(0, 64) +
                           "'. Use application/x-pkcs12 or application/x-pem-file.");
  }
  const auto& sans = p.x509.sans;
  const size_t san_count = sans.dns_names.size() + sans.emails.size() + sans.upns.size() +
                           sans.uris.size() + sans.ip_addresses.size();
  if (san_count > crypto::kMaxSubjectAltNames || p.x509.ekus.size() > kMaxEkus ||
      p.x509.key_usage.size() > std::size(crypto::kKeyUsageNames)) {
    return InvalidArgument("A policy may name at most " +
                           std::to_string(crypto::kMaxSubjectAltNames) +
                           " subject alternative names, " + std::to_string(kMaxEkus) +
                           " EKUs and each key usage once.");
  }
  if (p.certificate_type && p.certificate_type->size() > kMaxCertificateTypeLength) {
    return InvalidArgument("issuer.cty is longer than " +
                           std::to_string(kMaxCertificateTypeLength) + " characters.");
  }
  KH_RETURN_IF_ERROR(crypto::ValidateCertificateSubject(p.x509));
  if (p.validity_months < 1 || p.validity_months > kMaxValidityMonths) {
    return InvalidArgument("validity_months must be between 1 and " +
                           std::to_string(kMaxValidityMonths) + ".");
  }
  if (p.issuer_name.empty() || p.issuer_name.size() > 127) {
    return InvalidArgument("The issuer name must have 1 to 127 characters.");
  }
  return ValidateLifetimeActions(p);
}

StatusOr<CertificatePolicy> ApplyPolicyPatch(const CertificatePolicy* base,
                                             const CertificatePolicyPatch& patch, int64_t now) {
  CertificatePolicy p = base ? *base : CertificatePolicy{};
  if (!base) p.created = now;
  if (patch.kty) {
    // A new key type drops the size or curve of the old one unless the patch names them.
    if (*patch.kty != p.kty) {
      p.key_size.reset();
      p.curve.reset();
    }
    p.kty = *patch.kty;
    if (IsHsmKeyType(p.kty) && !patch.exportable) p.exportable = false;
  }
  if (patch.key_size) p.key_size = *patch.key_size;
  if (patch.curve) p.curve = *patch.curve;
  if (patch.exportable) p.exportable = *patch.exportable;
  if (patch.reuse_key) p.reuse_key = *patch.reuse_key;
  if (patch.content_type) p.content_type = *patch.content_type;
  if (patch.subject) p.x509.subject = *patch.subject;
  if (patch.sans) p.x509.sans = *patch.sans;
  if (patch.ekus) p.x509.ekus = *patch.ekus;
  if (patch.key_usage) {
    p.x509.key_usage.clear();
    for (const auto& u : *patch.key_usage) p.x509.key_usage.push_back(CanonicalUsage(u));
  }
  if (patch.validity_months) p.validity_months = *patch.validity_months;
  const bool issuer_changed = patch.issuer_name.has_value();
  if (patch.issuer_name) {
    if (IsSelfIssuer(*patch.issuer_name)) {
      p.issuer_name = std::string(kIssuerSelf);
    } else if (IsUnknownIssuer(*patch.issuer_name)) {
      p.issuer_name = std::string(kIssuerUnknown);
    } else {
      p.issuer_name = *patch.issuer_name;
    }
  }
  if (patch.certificate_type) p.certificate_type = *patch.certificate_type;
  if (patch.certificate_transparency) p.certificate_transparency = *patch.certificate_transparency;
  if (patch.enabled) p.enabled = *patch.enabled;
  if (patch.lifetime_actions) {
    p.lifetime_actions = *patch.lifetime_actions;
  } else if (!base || (issuer_changed && p.lifetime_actions.empty())) {
    // Azure's default: renew at 80% of the lifetime when the issuer can, else e-mail.
    CertificateLifetimeAction a;
    a.lifetime_percentage = kDefaultLifetimePercentage;
    a.action_type = IsUnknownIssuer(p.issuer_name) ? "EmailContacts" : "AutoRenew";
    p.lifetime_actions = {a};
  }
  // Key sizes are shown as Azure shows them: RSA always has one, EC has its curve.
  KH_RETURN_IF_ERROR(ValidatePolicy(p));
  if (crypto::ParseKeyType(p.kty).value() == crypto::KeyType::kRsa) {
    p.key_size = p.key_size.value_or(2048);
  } else {
    crypto::EcCurve curve = crypto::ParseCurve(p.curve.value_or("P-256")).value();
    p.curve = std::string(crypto::CurveName(curve));
    p.key_size = crypto::CurveBits(curve);
  }
  p.updated = now;
  return p;
}

crypto::CertificateSubject SubjectFor(const CertificatePolicy& policy) {
  crypto::CertificateSubject subject = policy.x509;
  if (subject.key_usage.empty()) {
    subject.key_usage.push_back("digitalSignature");
    if (policy.kty.rfind("RSA", 0) == 0) subject.key_usage.push_back("keyEncipherment");
  }
  return subject;
}

crypto::CertificateValidity ValidityFor(const CertificatePolicy& policy, int64_t now) {
  using namespace std::chrono;
  crypto::CertificateValidity v;
  v.not_before = now - kClockSkewSeconds;
  const sys_seconds start{seconds(v.not_before)};
  const sys_days start_day = floor<days>(start);
  year_month_day ymd{start_day};
  ymd += months(policy.validity_months);
  // The 31st plus a month may not exist: Key Vault (like .NET's AddMonths) takes the last day.
  if (!ymd.ok()) ymd = year_month_day{ymd.year() / ymd.month() / last};
  v.not_after =
      duration_cast<seconds>((sys_days{ymd} + (start - start_day)).time_since_epoch()).count();
  return v;
}

std::vector<std::string> KeyOpsFor(const CertificatePolicy& policy) {
  const crypto::CertificateSubject subject = SubjectFor(policy);
  const auto& u = subject.key_usage;
  const bool rsa = policy.kty.rfind("RSA", 0) == 0;
  std::vector<std::string> ops;
  if (HasUsage(u, "digitalSignature") || HasUsage(u, "nonRepudiation") ||
      HasUsage(u, "keyCertSign") || HasUsage(u, "cRLSign")) {
    AddUnique(ops, "sign");
    AddUnique(ops, "verify");
  }
  if (rsa) {
    if (HasUsage(u, "keyEncipherment")) {
      AddUnique(ops, "wrapKey");
      AddUnique(ops, "unwrapKey");
    }
    if (HasUsage(u, "dataEncipherment")) {
      AddUnique(ops, "encrypt");
      AddUnique(ops, "decrypt");
    }
    if (HasUsage(u, "encipherOnly")) AddUnique(ops, "encrypt");
    if (HasUsage(u, "decipherOnly")) AddUnique(ops, "decrypt");
  }
  return ops;
}

std::optional<int64_t> LifetimeActionDue(const CertificateLifetimeAction& action,
                                         int64_t not_before, int64_t expires) {
  if (action.lifetime_percentage) {
    return not_before + (expires - not_before) * *action.lifetime_percentage / 100;
  }
  if (action.days_before_expiry) return expires - *action.days_before_expiry * kDay;
  return std::nullopt;
}

bool AutoRenewDue(const CertificateVersion& c, int64_t now) {
  if (!c.attributes.enabled || !c.attributes.not_before || !c.attributes.expires ||
      IsUnknownIssuer(c.policy.issuer_name)) {
    return false;
  }
  for (const CertificateLifetimeAction& action : c.policy.lifetime_actions) {
    if (action.action_type != "AutoRenew") continue;
    auto when = LifetimeActionDue(action, *c.attributes.not_before, *c.attributes.expires);
    if (when && *when <= now) return true;
  }
  return false;
}

CertificatePolicy PolicyFromCertificate(const crypto::CertificateDetails& info, bool pem,
                                        int64_t now) {
  CertificatePolicy p;
  p.kty = info.key_type == crypto::KeyType::kEc ? "EC" : "RSA";
  p.key_size = info.key_bits;
  if (info.curve) p.curve = std::string(crypto::CurveName(*info.curve));
  p.content_type = std::string(pem ? kPemContentType : kPkcs12ContentType);
  p.x509.subject = info.subject;
  p.x509.sans = info.sans;
  p.x509.ekus = info.ekus;
  p.x509.key_usage = info.key_usage;
  const int64_t days = (info.not_after - info.not_before) / kDay;
  p.validity_months = std::clamp<int>(static_cast<int>((days + 15) / 30), 1, kMaxValidityMonths);
  p.issuer_name = std::string(kIssuerUnknown);
  CertificateLifetimeAction a;
  a.lifetime_percentage = kDefaultLifetimePercentage;
  a.action_type = "EmailContacts";
  p.lifetime_actions = {a};
  p.created = p.updated = now;
  return p;
}

}  // namespace kh::domain
