// CLI11 wiring of `keyhaven principal ...` and `keyhaven role ...` (see command_wiring.h).
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/access_commands.h"
#include "cli/command_wiring.h"
#include "cli/principal_commands.h"

namespace kh::cli {

void AddAccessCommands(CLI::App& app, Action* action) {
  CLI::App* principal = app.add_subcommand("principal", "Service principals (admin only)");
  principal->require_subcommand(1);
  auto create_args = std::make_shared<PrincipalCreateArgs>();
  auto secret_end = std::make_shared<std::string>();
  CLI::App* create = principal->add_subcommand(
      "create", "Create a service principal; prints its client secret once");
  create->add_option("name", create_args->display_name, "Display name")->required();
  create->add_flag("--managed-identity", create_args->managed_identity,
                   "Also issue an identity secret for IDENTITY_ENDPOINT/IDENTITY_HEADER");
  CLI::Option* secret_end_opt = create->add_option(
      "--secret-end", *secret_end, "When the client secret expires: ISO-8601 or e.g. 90d");
  create->callback([=] {
    if (secret_end_opt->count() > 0) create_args->secret_end = *secret_end;
    *action = [=](const Session& s) { return CreatePrincipal(s, *create_args); };
  });
  principal->add_subcommand("list", "List service principals and their credentials")->callback([=] {
    *action = [](const Session& s) { return ListPrincipals(s); };
  });
  auto client_id = std::make_shared<std::string>();
  CLI::App* show = principal->add_subcommand("show", "Show one principal");
  show->add_option("client-id", *client_id, "The principal's client id")->required();
  show->callback([=] { *action = [=](const Session& s) { return ShowPrincipal(s, *client_id); }; });
  CLI::App* remove =
      principal->add_subcommand("delete", "Delete a principal; its tokens stop working at once");
  remove->add_option("client-id", *client_id, "The principal's client id")->required();
  remove->callback(
      [=] { *action = [=](const Session& s) { return DeletePrincipal(s, *client_id); }; });

  CLI::App* credential =
      principal->add_subcommand("credential", "Client secrets and certificates of a principal");
  credential->require_subcommand(1);
  auto add_args = std::make_shared<CredentialAddArgs>();
  auto end = std::make_shared<std::string>();
  auto cert_file = std::make_shared<std::string>();
  CLI::App* add = credential->add_subcommand(
      "add", "Add a client secret (printed once) or, with --certificate, a certificate");
  add->add_option("client-id", add_args->client_id, "The principal's client id")->required();
  add->add_option("--display-name", add_args->display_name, "A name for the credential");
  CLI::Option* end_opt =
      add->add_option("--end", *end, "When the secret expires: ISO-8601 or e.g. 90d");
  CLI::Option* cert_opt = add->add_option("--certificate", *cert_file,
                                          "PEM certificate file (for ClientCertificateCredential)");
  add->callback([=] {
    if (end_opt->count() > 0) add_args->end = *end;
    if (cert_opt->count() > 0) add_args->certificate_file = *cert_file;
    *action = [=](const Session& s) { return AddCredential(s, *add_args); };
  });
  CLI::App* list_credentials = credential->add_subcommand("list", "List a principal's credentials");
  list_credentials->add_option("client-id", *client_id, "The principal's client id")->required();
  list_credentials->callback(
      [=] { *action = [=](const Session& s) { return ListCredentials(s, *client_id); }; });
  auto key_id = std::make_shared<std::string>();
  CLI::App* remove_credential =
      credential->add_subcommand("remove", "Remove a credential; it stops working at once");
  remove_credential->add_option("client-id", *client_id, "The principal's client id")->required();
  remove_credential->add_option("key-id", *key_id, "The credential's key id")->required();
  remove_credential->callback([=] {
    *action = [=](const Session& s) { return RemoveCredential(s, *client_id, *key_id); };
  });

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
