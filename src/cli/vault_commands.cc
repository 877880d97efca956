#include "cli/vault_commands.h"

#include <strings.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <thread>

#include "cli/json_util.h"
#include "cli/urls.h"

namespace kh::cli {
namespace {

constexpr auto kProvisioningPollInterval = std::chrono::seconds(1);

std::string SubscriptionOf(const Session& session) {
  return session.api.credentials().subscription_id;
}

// The ARM URL of a vault: direct with a resource group, else found by name in the list.
StatusOr<std::string> ResolveVaultUrl(const Session& session, std::string_view name,
                                      const std::optional<std::string>& resource_group) {
  const ServerUrl& server = session.api.server();
  if (resource_group.has_value()) {
    return ArmVaultUrl(server, SubscriptionOf(session), *resource_group, name);
  }
  KH_ASSIGN_OR_RETURN(std::string list_url, ArmVaultListUrl(server, SubscriptionOf(session)));
  KH_ASSIGN_OR_RETURN(boost::json::array vaults, session.api.ListAll(list_url));
  for (const boost::json::value& vault : vaults) {
    std::optional<std::string> vault_name = GetString(vault, "name");
    std::optional<std::string> id = GetString(vault, "id");
    if (vault_name && id && vault_name->size() == name.size() &&
        strncasecmp(vault_name->c_str(), name.data(), name.size()) == 0) {
      return ArmResourceUrl(server, *id);
    }
  }
  return NotFound("ResourceNotFound", "The vault '" + std::string(name) +
                                          "' was not found in subscription '" +
                                          SubscriptionOf(session) + "'.");
}

std::string ProvisioningState(const boost::json::value& vault) {
  const boost::json::value* props = GetMember(vault, "properties");
  return props == nullptr ? "" : GetString(*props, "provisioningState").value_or("");
}

}  // namespace

boost::json::value VaultCreateBody(const VaultCreateArgs& args, std::string_view tenant_id) {
  boost::json::object properties;
  properties["tenantId"] = tenant_id;
  properties["sku"] = {{"family", "A"}, {"name", "standard"}};
  if (args.retention_days.has_value()) {
    properties["softDeleteRetentionInDays"] = *args.retention_days;
  }
  if (args.purge_protection) properties["enablePurgeProtection"] = true;
  if (!args.automatic_backups) properties["keyhavenAutomaticBackups"] = false;
  boost::json::object body;
  body["location"] = args.location;
  body["properties"] = std::move(properties);
  return body;
}

Status CreateVault(const Session& session, const VaultCreateArgs& args) {
  KH_RETURN_IF_ERROR(VaultUrl(session.api.server(), args.name).status());
  KH_ASSIGN_OR_RETURN(std::string url, ArmVaultUrl(session.api.server(), SubscriptionOf(session),
                                                   args.resource_group, args.name));
  KH_ASSIGN_OR_RETURN(boost::json::value vault,
                      session.api.CallWithJson(
                          "PUT", url, VaultCreateBody(args, session.api.credentials().tenant_id)));
  // ARM may answer 201 with provisioning still running; poll the resource like the SDK does.
  for (int poll = 0; poll < kMaxProvisioningPolls; ++poll) {
    std::string state = ProvisioningState(vault);
    if (state.empty() || state == "Succeeded") break;
    if (state == "Failed" || state == "Canceled") {
      return Internal("vault provisioning ended in state " + state);
    }
    std::this_thread::sleep_for(kProvisioningPollInterval);
    KH_ASSIGN_OR_RETURN(vault, session.api.Call("GET", url));
  }
  session.Print(vault, ResourceKind::kVault);
  return Status::Ok();
}

Status ShowVault(const Session& session, std::string_view name,
                 const std::optional<std::string>& resource_group) {
  KH_ASSIGN_OR_RETURN(std::string url, ResolveVaultUrl(session, name, resource_group));
  KH_ASSIGN_OR_RETURN(boost::json::value vault, session.api.Call("GET", url));
  session.Print(vault, ResourceKind::kVault);
  return Status::Ok();
}

Status ListVaults(const Session& session) {
  KH_ASSIGN_OR_RETURN(std::string url,
                      ArmVaultListUrl(session.api.server(), SubscriptionOf(session)));
  KH_ASSIGN_OR_RETURN(boost::json::array vaults, session.api.ListAll(url));
  session.Print(vaults, ResourceKind::kVault);
  return Status::Ok();
}

Status DeleteVault(const Session& session, std::string_view name,
                   const std::optional<std::string>& resource_group) {
  KH_ASSIGN_OR_RETURN(std::string url, ResolveVaultUrl(session, name, resource_group));
  KH_ASSIGN_OR_RETURN(boost::json::value ignored, session.api.Call("DELETE", url));
  (void)ignored;
  return Status::Ok();
}

}  // namespace kh::cli
