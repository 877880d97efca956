// CLI11 wiring of `keyhaven principal ...` and `keyhaven role ...` (see command_wiring.h).
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/access_commands.h"
#include "cli/command_wiring.h"

namespace kh::cli {

void AddAccessCommands(CLI::App& app, Action* action) {
  CLI::App* principal = app.add_subcommand("principal", "Service principals (admin only)");
  principal->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto managed = std::make_shared<bool>(false);
  CLI::App* create = principal->add_subcommand(
      "create", "Create a service principal; prints its client secret once");
  create->add_option("name", *name, "Display name")->required();
  create->add_flag("--managed-identity", *managed,
                   "Also issue an identity secret for IDENTITY_ENDPOINT/IDENTITY_HEADER");
  create->callback(
      [=] { *action = [=](const Session& s) { return CreatePrincipal(s, *name, *managed); }; });

  CLI::App* role = app.add_subcommand("role", "Azure RBAC role assignments");
  role->require_subcommand(1);
  auto args = std::make_shared<RoleAssignArgs>();
  auto secret = std::make_shared<std::string>();
  CLI::App* assign = role->add_subcommand("assign", "Assign a role at a vault or secret scope");
  assign->add_option("--role", args->role, "Role name or GUID, e.g. \"Key Vault Secrets User\"")
      ->required();
  assign->add_option("--assignee", args->assignee, "The principal's object id")->required();
  assign->add_option("--vault", args->vault, "Vault name")->required();
  CLI::Option* secret_opt =
      assign->add_option("--secret", *secret, "Narrow the scope to one secret");
  assign->callback([=] {
    if (secret_opt->count() > 0) args->secret = *secret;
    *action = [=](const Session& s) { return AssignRole(s, *args); };
  });
  auto list_vault = std::make_shared<std::string>();
  CLI::App* list = role->add_subcommand("list", "List role assignments that apply to a vault");
  list->add_option("--vault", *list_vault, "Vault name")->required();
  list->callback(
      [=] { *action = [=](const Session& s) { return ListRoleAssignments(s, *list_vault); }; });
}

}  // namespace kh::cli
