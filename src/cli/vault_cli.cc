// CLI11 wiring of `keyhaven vault ...` (see command_wiring.h); the commands themselves are in
// vault_commands.cc.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_wiring.h"
#include "cli/vault_commands.h"

namespace kh::cli {

void AddVaultCommands(CLI::App& app, Action* action) {
  CLI::App* vault = app.add_subcommand("vault", "Create, show, list and delete vaults (ARM)");
  vault->require_subcommand(1);

  auto create_args = std::make_shared<VaultCreateArgs>();
  auto retention = std::make_shared<int>(0);
  CLI::App* create = vault->add_subcommand("create", "Create (or update) a vault");
  create->add_option("name", create_args->name, "Vault name (becomes https://{name}.{host})")
      ->required();
  create->add_option("--resource-group,-g", create_args->resource_group, "Resource group")
      ->capture_default_str();
  CLI::Option* retention_opt =
      create->add_option("--retention-days", *retention, "Soft-delete retention in days")
          ->check(CLI::Range(kMinRetentionDays, kMaxRetentionDays));
  create->add_flag("--purge-protection", create_args->purge_protection,
                   "Enable purge protection (cannot be turned off later)");
  create->add_option("--location,-l", create_args->location, "Location")->capture_default_str();
  create->add_flag("!--no-automatic-backups", create_args->automatic_backups,
                   "Do not journal this vault's changes to the backup target");
  create->callback([=] {
    if (retention_opt->count() > 0) create_args->retention_days = *retention;
    *action = [=](const Session& s) { return CreateVault(s, *create_args); };
  });

  // show / delete share their flags.
  struct NameAndGroup {
    std::string name;
    std::string group;
    CLI::Option* group_opt = nullptr;
    std::optional<std::string> Group() const {
      return group_opt->count() > 0 ? std::optional<std::string>(group) : std::nullopt;
    }
  };
  auto add_named = [&](const char* command, const char* help) {
    auto args = std::make_shared<NameAndGroup>();
    CLI::App* sub = vault->add_subcommand(command, help);
    sub->add_option("name", args->name, "Vault name")->required();
    args->group_opt =
        sub->add_option("--resource-group,-g", args->group,
                        "Resource group (default: find the vault by name in the subscription)");
    return std::pair{sub, args};
  };
  auto [show, show_args] = add_named("show", "Show a vault");
  show->callback([=, show_args = show_args] {
    *action = [=](const Session& s) { return ShowVault(s, show_args->name, show_args->Group()); };
  });
  auto [del, del_args] = add_named("delete", "Delete a vault");
  del->callback([=, del_args = del_args] {
    *action = [=](const Session& s) { return DeleteVault(s, del_args->name, del_args->Group()); };
  });

  vault->add_subcommand("list", "List the vaults of the subscription")->callback([=] {
    *action = [](const Session& s) { return ListVaults(s); };
  });
}

}  // namespace kh::cli
