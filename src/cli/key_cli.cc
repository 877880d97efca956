// CLI11 wiring of `keyhaven key ...` (see command_wiring.h); the commands are in
// key_commands.cc.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cli/command_wiring.h"
#include "cli/key_commands.h"

namespace kh::cli {
namespace {

struct KeyFlags {
  std::string vault;
  std::string name;
  std::string version;
  std::string file;
};

CLI::App* AddSubcommand(CLI::App* parent, const char* name, const char* help, KeyFlags* f,
                        bool with_name) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("--vault", f->vault, "Vault name")->required();
  if (with_name) sub->add_option("--name", f->name, "Key name")->required();
  return sub;
}

void AddCreate(CLI::App* key, Action* action) {
  auto args = std::make_shared<KeyCreateArgs>();
  auto size = std::make_shared<int>(0);
  auto curve = std::make_shared<std::string>();
  CLI::App* sub = key->add_subcommand("create", "Create a key (a new version if it exists)");
  sub->add_option("--vault", args->vault, "Vault name")->required();
  sub->add_option("--name", args->name, "Key name")->required();
  sub->add_option("--kty", args->kty, "Key type")
      ->required()
      ->check(CLI::IsMember({"RSA", "EC", "oct", "RSA-HSM", "EC-HSM", "oct-HSM"}));
  CLI::Option* size_opt =
      sub->add_option("--size", *size, "RSA 2048/3072/4096 bits, oct 128/192/256 bits");
  CLI::Option* curve_opt =
      sub->add_option("--curve", *curve, "EC curve: P-256, P-256K, P-384, P-521");
  sub->add_option("--ops", args->ops, "Permitted operations (key_ops), e.g. sign verify")
      ->delimiter(',');
  sub->add_flag("--disabled", args->disabled, "Create the version disabled");
  sub->callback([=] {
    if (size_opt->count() > 0) args->size = *size;
    if (curve_opt->count() > 0) args->curve = *curve;
    *action = [=](const Session& s) { return CreateKey(s, *args); };
  });
}

void AddOperations(CLI::App* key, Action* action) {
  const std::vector<std::tuple<const char*, const char*>> operations = {
      {"sign", "Sign a digest (--value: the base64url digest)"},
      {"verify", "Verify a signature of a digest (--value: digest, --signature)"},
      {"encrypt", "Encrypt --value (base64url) with the key"},
      {"decrypt", "Decrypt --value (base64url) with the key"},
      {"wrap", "Wrap the key in --value (base64url)"},
      {"unwrap", "Unwrap the wrapped key in --value (base64url)"},
  };
  for (const auto& [name, help] : operations) {
    auto args = std::make_shared<KeyOperationArgs>();
    std::string operation = name;
    if (operation == "wrap" || operation == "unwrap") operation += "key";
    args->operation = operation;
    auto extra = std::make_shared<std::array<std::string, 4>>();  // signature, iv, aad, tag
    CLI::App* sub = key->add_subcommand(name, help);
    sub->add_option("--vault", args->vault, "Vault name")->required();
    sub->add_option("--name", args->name, "Key name")->required();
    sub->add_option("--version", args->version, "Version (default: the latest)");
    sub->add_option("--alg", args->algorithm, "Algorithm, e.g. RS256, ES256, RSA-OAEP-256")
        ->required();
    sub->add_option("--value", args->value, "Input, base64url")->required();
    std::vector<std::pair<CLI::Option*, std::optional<std::string>*>> optional;
    if (operation == "verify") {
      optional.emplace_back(
          sub->add_option("--signature", (*extra)[0], "Signature, base64url")->required(),
          &args->signature);
    }
    if (operation == "encrypt" || operation == "decrypt") {
      optional.emplace_back(sub->add_option("--iv", (*extra)[1], "IV, base64url"), &args->iv);
      optional.emplace_back(sub->add_option("--aad", (*extra)[2], "AAD (GCM), base64url"),
                            &args->aad);
      optional.emplace_back(sub->add_option("--tag", (*extra)[3], "Tag (GCM), base64url"),
                            &args->tag);
    }
    // `extra` is the storage CLI11 writes the optional flags into: the callback must keep it
    // alive (an unused [=] capture would not).
    sub->callback([=, extra = extra] {
      (void)extra;
      for (size_t i = 0; i < optional.size(); ++i) {
        CLI::Option* opt = optional[i].first;
        if (opt->count() > 0) *optional[i].second = opt->as<std::string>();
      }
      *action = [=](const Session& s) { return RunKeyOperation(s, *args); };
    });
  }
}

}  // namespace

void AddKeyCommands(CLI::App& app, Action* action) {
  CLI::App* key = app.add_subcommand("key", "Manage the keys of a vault and use them (data plane)");
  key->require_subcommand(1);
  AddCreate(key, action);

  auto show = std::make_shared<KeyFlags>();
  AddSubcommand(key, "show", "Show a key's public part and attributes", show.get(), true)
      ->add_option("--version", show->version, "Version (default: the latest)");
  key->get_subcommand("show")->callback([=] {
    *action = [=](const Session& s) { return ShowKey(s, show->vault, show->name, show->version); };
  });

  using ByName = Status (*)(const Session&, std::string_view, std::string_view);
  const std::vector<std::tuple<const char*, const char*, ByName>> by_name = {
      {"versions", "List the versions of a key", ListKeyVersions},
      {"rotate", "Rotate a key now: a new version of the same type, size and operations",
       RotateKey},
      {"delete", "Delete a key (soft delete: recoverable until purged)", DeleteKey},
      {"recover", "Recover a deleted key", RecoverKey},
      {"purge", "Permanently delete a deleted key", PurgeKey},
  };
  for (const auto& [name, help, run] : by_name) {
    auto f = std::make_shared<KeyFlags>();
    AddSubcommand(key, name, help, f.get(), true)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault, f->name); };
    });
  }
  using ByVault = Status (*)(const Session&, std::string_view);
  const std::vector<std::tuple<const char*, const char*, ByVault>> by_vault = {
      {"list", "List the keys of a vault", ListKeys},
      {"list-deleted", "List the deleted keys of a vault", ListDeletedKeys},
  };
  for (const auto& [name, help, run] : by_vault) {
    auto f = std::make_shared<KeyFlags>();
    AddSubcommand(key, name, help, f.get(), false)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault); };
    });
  }

  auto backup = std::make_shared<KeyFlags>();
  CLI::App* backup_cmd =
      AddSubcommand(key, "backup", "Write a key's backup blob to a file", backup.get(), true);
  backup_cmd->add_option("--file", backup->file, "Output file (created with mode 0600)")
      ->required();
  backup_cmd->callback([=] {
    *action = [=](const Session& s) {
      return BackupKey(s, backup->vault, backup->name, backup->file);
    };
  });
  auto restore = std::make_shared<KeyFlags>();
  CLI::App* restore_cmd =
      AddSubcommand(key, "restore", "Restore a key from a backup file", restore.get(), false);
  restore_cmd->add_option("--file", restore->file, "Backup file")->required();
  restore_cmd->callback([=] {
    *action = [=](const Session& s) { return RestoreKey(s, restore->vault, restore->file); };
  });

  AddOperations(key, action);
}

}  // namespace kh::cli
