#include "domain/names.h"

#include <cstdio>

#include "core/ascii.h"

namespace kh::domain {

std::string Lower(std::string_view s) { return AsciiLower(s); }

Status ValidateObjectName(std::string_view name, std::string_view kind) {
  bool ok = !name.empty() && name.size() <= kMaxObjectNameLength;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
      ok = false;
    }
  }
  if (ok) return Status::Ok();
  return InvalidArgument("The request URI contains an invalid name: " +
                         std::string(name.substr(0, kMaxObjectNameLength + 1)) + ". " +
                         std::string(kind) + " names must match ^[0-9a-zA-Z-]{1,127}$.");
}

bool IsValidVaultName(std::string_view name) {
  if (name.size() < kMinVaultNameLength || name.size() > kMaxVaultNameLength) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!letter(name.front())) return false;
  if (name.back() == '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(letter(c) || digit(c) || c == '-')) return false;
    if (c == '-' && i > 0 && name[i - 1] == '-') return false;
  }
  return true;
}

Status ValidateVaultName(std::string_view name) {
  if (IsValidVaultName(name)) return Status::Ok();
  return InvalidArgument(
      "The vault name '" + std::string(name.substr(0, 64)) +
          "' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name "
          "must begin with a letter, end with a letter or digit, and not contain consecutive "
          "hyphens.",
      "VaultNameNotValid");
}

std::string VaultRecordPath(std::string_view vault) { return "vaults/" + Lower(vault); }
std::string VaultDataPrefix(std::string_view vault) { return "v/" + Lower(vault) + "/"; }
std::string PurgeSchedulePrefix() { return "sched/"; }

std::string KeyRotationPolicyPath(std::string_view vault, std::string_view name) {
  return VaultDataPrefix(vault) + "keys/rotationpolicy/" + Lower(name);
}
std::string CertificateOperationPath(std::string_view vault, std::string_view name) {
  return VaultDataPrefix(vault) + "certificates/pending/" + Lower(name);
}
std::string CertificateIssuerPrefix(std::string_view vault) {
  return VaultDataPrefix(vault) + "certificates/issuers/";
}
std::string CertificateIssuerPath(std::string_view vault, std::string_view name) {
  return CertificateIssuerPrefix(vault) + Lower(name);
}
std::string CertificateContactsPath(std::string_view vault) {
  return VaultDataPrefix(vault) + "certificates/contacts";
}

std::string KeyRotationIndexPrefix() { return "keyrot/"; }
std::string KeyRotationIndexEntry(std::string_view vault, std::string_view name) {
  return KeyRotationIndexPrefix() + Lower(vault) + "/" + Lower(name);
}

std::string PurgeScheduleEntry(int64_t when, std::string_view kind, std::string_view vault,
                               std::string_view name) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "%014lld", static_cast<long long>(when < 0 ? 0 : when));
  return PurgeSchedulePrefix() + ts + "/" + std::string(kind) + "/" + Lower(vault) + "/" +
         Lower(name);
}

}  // namespace kh::domain
