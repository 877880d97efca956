// CLI11 wiring of `keyhaven backup ...` (see command_wiring.h); the commands are in
// backup_commands.cc.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/backup_commands.h"
#include "cli/command_wiring.h"

namespace kh::cli {

void AddBackupCommands(CLI::App& app, Action* action) {
  CLI::App* backup =
      app.add_subcommand("backup", "Whole-vault backup files: create, verify, restore");
  backup->require_subcommand(1);

  struct Args {
    std::string vault, out, file, group;
    CLI::Option* group_opt = nullptr;
    bool role_assignments = false;
  };
  auto args = std::make_shared<Args>();

  CLI::App* create = backup->add_subcommand("create", "Write a vault's backup file");
  create->add_option("--vault", args->vault, "Vault to back up")->required();
  create->add_option("--out", args->out, "File to write (mode 0600)")->required();
  create->add_flag("--with-role-assignments", args->role_assignments,
                   "Include the role assignments scoped to the vault or its objects");
  create->callback([=] {
    *action = [=](const Session& s) {
      return CreateVaultBackup(s, args->vault, args->out, args->role_assignments);
    };
  });

  CLI::App* verify = backup->add_subcommand(
      "verify", "Check a backup file's integrity and backup key without restoring");
  verify->add_option("file", args->file, "Backup file")->required();
  verify->callback([=] {
    *action = [=](const Session& s) { return VerifyVaultBackup(s, args->file); };
  });

  struct RebuildArgs {
    std::string dir, vault, into, at, group;
    CLI::Option* at_opt = nullptr;
    CLI::Option* group_opt = nullptr;
  };
  auto rebuild_args = std::make_shared<RebuildArgs>();
  CLI::App* rebuild = backup->add_subcommand(
      "rebuild", "Rebuild a vault from the automatic-backup journal into a new vault");
  rebuild->add_option("--from", rebuild_args->dir,
                      "Backup target directory (on the server's machine)")
      ->required();
  rebuild->add_option("--vault", rebuild_args->vault, "Vault the journal records")->required();
  rebuild->add_option("--into", rebuild_args->into, "Name of the new vault")->required();
  rebuild_args->at_opt = rebuild->add_option(
      "--at", rebuild_args->at, "Point in time, ISO-8601 (default: the last change recorded)");
  rebuild_args->group_opt = rebuild->add_option("--resource-group,-g", rebuild_args->group,
                                                "Resource group (default: the original's)");
  rebuild->callback([=] {
    *action = [=](const Session& s) {
      std::optional<std::string> at, group;
      if (rebuild_args->at_opt->count() > 0) at = rebuild_args->at;
      if (rebuild_args->group_opt->count() > 0) group = rebuild_args->group;
      return RebuildVault(s, rebuild_args->dir, rebuild_args->vault, rebuild_args->into, at,
                          group);
    };
  });

  CLI::App* key = app.add_subcommand(
      "backup-key", "Move the backup key between deployments, wrapped under a passphrase");
  key->require_subcommand(1);
  auto key_args = std::make_shared<Args>();
  CLI::App* key_export = key->add_subcommand("export", "Write the current backup key, wrapped");
  key_export->add_option("--out", key_args->out, "File to write (mode 0600)")->required();
  key_export->add_option("--passphrase-file", key_args->group,
                         "File whose first line is the passphrase (- for standard input)")
      ->required();
  key_export->callback([=] {
    *action = [=](const Session& s) { return ExportBackupKey(s, key_args->out, key_args->group); };
  });
  CLI::App* key_import =
      key->add_subcommand("import", "Make an exported key this deployment's backup key");
  key_import->add_option("file", key_args->file, "Exported key file")->required();
  key_import->add_option("--passphrase-file", key_args->group,
                         "File whose first line is the passphrase (- for standard input)")
      ->required();
  key_import->callback([=] {
    *action = [=](const Session& s) {
      return ImportBackupKey(s, key_args->file, key_args->group);
    };
  });

  CLI::App* restore = backup->add_subcommand("restore", "Restore a backup file into a new vault");
  restore->add_option("file", args->file, "Backup file")->required();
  restore->add_option("--vault", args->vault, "Name of the new vault")->required();
  args->group_opt = restore->add_option("--resource-group,-g", args->group,
                                        "Resource group (default: the original vault's)");
  restore->callback([=] {
    *action = [=](const Session& s) {
      std::optional<std::string> group;
      if (args->group_opt->count() > 0) group = args->group;
      return RestoreVaultBackup(s, args->file, args->vault, group);
    };
  });
}

}  // namespace kh::cli
