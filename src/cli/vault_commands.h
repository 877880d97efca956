#pragma once
// `keyhaven vault ...`: vaults through the ARM API of the server
// ({server}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}).
// Each command prints its result through the session and returns the first error (from the
// server, the transport or argument checks). Not thread-safe (uses the session's client).
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

inline constexpr char kDefaultResourceGroup[] = "keyhaven";
inline constexpr char kDefaultLocation[] = "local";
// Azure's range for softDeleteRetentionInDays.
inline constexpr int kMinRetentionDays = 7;
inline constexpr int kMaxRetentionDays = 90;
// How long `vault create` waits for a provisioningState other than Succeeded to settle.
inline constexpr int kMaxProvisioningPolls = 60;

struct VaultCreateArgs {
  std::string name;
  std::string resource_group = kDefaultResourceGroup;
  std::string location = kDefaultLocation;
  std::optional<int> retention_days;
  bool purge_protection = false;
  bool automatic_backups = true;  // Keyhaven's keyhavenAutomaticBackups property
};

// The PUT body: {"location","properties":{"tenantId","sku":{"family":"A","name":"standard"},
// "softDeleteRetentionInDays"?,"enablePurgeProtection"?}}.
boost::json::value VaultCreateBody(const VaultCreateArgs& args, std::string_view tenant_id);

Status CreateVault(const Session& session, const VaultCreateArgs& args);
// Without a resource group the vault is looked up by name in the subscription's vault list.
Status ShowVault(const Session& session, std::string_view name,
                 const std::optional<std::string>& resource_group);
Status ListVaults(const Session& session);
Status DeleteVault(const Session& session, std::string_view name,
                   const std::optional<std::string>& resource_group);

}  // namespace kh::cli
