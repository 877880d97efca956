#pragma once
// Name rules and storage paths shared by the domain services. Object and vault names are
// case-insensitive (as in Azure): paths use the lower-cased name; records keep the original.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace kh::domain {

constexpr size_t kMaxObjectNameLength = 127;
constexpr size_t kMinVaultNameLength = 3;
constexpr size_t kMaxVaultNameLength = 24;

std::string Lower(std::string_view s);

// ^[0-9a-zA-Z-]{1,127}$ (secrets, keys, certificates). `kind` names the object in the message.
Status ValidateObjectName(std::string_view name, std::string_view kind);
// Azure's vault rule: 3-24 characters of letters, digits and hyphens; starts with a letter; ends
// with a letter or digit; no consecutive hyphens.
Status ValidateVaultName(std::string_view name);
bool IsValidVaultName(std::string_view name);

// Storage paths.
std::string VaultRecordPath(std::string_view vault);
std::string VaultDataPrefix(std::string_view vault);  // everything a vault owns
std::string PurgeSchedulePrefix();
std::string PurgeScheduleEntry(int64_t when, std::string_view kind, std::string_view vault,
                               std::string_view name);
// A key's rotation policy (sealed under the vault key) and the plain index of keys whose policy
// rotates them automatically (walked by the rotation job): keyrot/{vault}/{name}.
std::string KeyRotationPolicyPath(std::string_view vault, std::string_view name);
std::string KeyRotationIndexPrefix();
std::string KeyRotationIndexEntry(std::string_view vault, std::string_view name);
// A certificate's pending operation, and the vault's certificate issuers and contacts (all
// sealed under the vault key).
std::string CertificateOperationPath(std::string_view vault, std::string_view name);
std::string CertificateIssuerPrefix(std::string_view vault);
std::string CertificateIssuerPath(std::string_view vault, std::string_view name);
std::string CertificateContactsPath(std::string_view vault);

}  // namespace kh::domain
