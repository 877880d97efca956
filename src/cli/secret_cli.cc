// CLI11 wiring of `keyhaven secret ...` (see command_wiring.h); the commands themselves are in
// secret_commands.cc.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_wiring.h"
#include "cli/secret_commands.h"

namespace kh::cli {
namespace {

// Flags shared by most secret subcommands, plus the optional ones `set` and `update` use.
struct SecretFlags {
  std::string vault;
  std::string name;
  std::string version;
  std::string value;
  std::string value_file;
  std::string content_type;
  std::vector<std::string> tags;
  std::string enabled;
  bool disabled = false;
  int64_t expires = 0;
  int64_t not_before = 0;
  std::string file;
  std::map<std::string, CLI::Option*> options;

  bool Given(const std::string& flag) const {
    auto it = options.find(flag);
    return it != options.end() && it->second->count() > 0;
  }
  template <typename T>
  std::optional<T> IfGiven(const std::string& flag, const T& value) const {
    return Given(flag) ? std::optional<T>(value) : std::nullopt;
  }
};

using Flags = std::shared_ptr<SecretFlags>;

CLI::App* AddSubcommand(CLI::App* parent, const char* name, const char* help, const Flags& f,
                        bool with_name) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("--vault", f->vault, "Vault name")->required();
  if (with_name) sub->add_option("--name", f->name, "Secret name")->required();
  return sub;
}

void AddAttributeFlags(CLI::App* sub, const Flags& f) {
  f->options["--content-type"] =
      sub->add_option("--content-type", f->content_type, "Content type, e.g. text/plain");
  f->options["--tags"] = sub->add_option("--tags", f->tags, "Tags as key=value ...");
  f->options["--expires"] = sub->add_option("--expires", f->expires, "Expiry time, Unix seconds");
  f->options["--not-before"] =
      sub->add_option("--not-before", f->not_before, "Not-before time, Unix seconds");
}

StatusOr<std::optional<std::map<std::string, std::string>>> TagsIfGiven(const SecretFlags& f) {
  if (!f.Given("--tags")) return std::optional<std::map<std::string, std::string>>();
  std::vector<std::string> tags;
  for (const std::string& tag : f.tags) {
    if (!tag.empty()) tags.push_back(tag);
  }
  KH_ASSIGN_OR_RETURN(auto parsed, ParseTags(tags));
  return std::optional<std::map<std::string, std::string>>(std::move(parsed));
}

void AddSet(CLI::App* secret, Action* action) {
  auto f = std::make_shared<SecretFlags>();
  CLI::App* sub = AddSubcommand(secret, "set", "Set a secret (creates a new version)", f, true);
  CLI::Option_group* source = sub->add_option_group("value source", "Where the value comes from");
  f->options["--value"] = source->add_option(
      "--value", f->value,
      "The value; '-' reads it from standard input (one trailing newline removed). Prefer "
      "'-' or --file: command lines end up in shell history and process listings");
  f->options["--file"] =
      source->add_option("--file", f->value_file, "Read the value from this file, byte for byte");
  source->require_option(1);
  AddAttributeFlags(sub, f);
  sub->add_flag("--disabled", f->disabled, "Create the version disabled");
  sub->callback([=] {
    *action = [=](const Session& s) -> Status {
      SecretSetArgs args;
      args.vault = f->vault;
      args.name = f->name;
      KH_ASSIGN_OR_RETURN(args.value, ReadSecretValue(f->IfGiven("--value", f->value),
                                                      f->IfGiven("--file", f->value_file), s.in));
      args.content_type = f->IfGiven("--content-type", f->content_type);
      KH_ASSIGN_OR_RETURN(args.tags, TagsIfGiven(*f));
      args.disabled = f->disabled;
      args.expires = f->IfGiven("--expires", f->expires);
      args.not_before = f->IfGiven("--not-before", f->not_before);
      return SetSecret(s, args);
    };
  });
}

void AddUpdate(CLI::App* secret, Action* action) {
  auto f = std::make_shared<SecretFlags>();
  CLI::App* sub = AddSubcommand(secret, "update", "Update a secret version's attributes", f, true);
  sub->add_option("--version", f->version, "Version (default: the latest)");
  f->options["--enabled"] = sub->add_option("--enabled", f->enabled, "Enable or disable")
                                ->check(CLI::IsMember({"true", "false"}));
  AddAttributeFlags(sub, f);
  f->options["--tags"]
      ->expected(0, CLI::detail::expected_max_vector_size)
      ->description("Tags as key=value ... (replace all tags; --tags alone removes them)");
  sub->callback([=] {
    *action = [=](const Session& s) -> Status {
      SecretUpdateArgs args;
      args.vault = f->vault;
      args.name = f->name;
      args.version = f->version;
      if (f->Given("--enabled")) args.enabled = f->enabled == "true";
      args.content_type = f->IfGiven("--content-type", f->content_type);
      KH_ASSIGN_OR_RETURN(args.tags, TagsIfGiven(*f));
      args.expires = f->IfGiven("--expires", f->expires);
      args.not_before = f->IfGiven("--not-before", f->not_before);
      return UpdateSecret(s, args);
    };
  });
}

// Subcommands that take --vault [--name] and nothing else.
void AddSimple(CLI::App* secret, Action* action) {
  using ByName = Status (*)(const Session&, std::string_view, std::string_view);
  using ByVault = Status (*)(const Session&, std::string_view);
  const std::vector<std::tuple<const char*, const char*, ByName>> by_name = {
      {"versions", "List the versions of a secret", ListSecretVersions},
      {"delete", "Delete a secret (soft delete: recoverable until purged)", DeleteSecret},
      {"recover", "Recover a deleted secret", RecoverSecret},
      {"purge", "Permanently delete a deleted secret", PurgeSecret},
      {"show-deleted", "Show a deleted secret", ShowDeletedSecret},
  };
  for (const auto& [name, help, run] : by_name) {
    auto f = std::make_shared<SecretFlags>();
    AddSubcommand(secret, name, help, f, true)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault, f->name); };
    });
  }
  const std::vector<std::tuple<const char*, const char*, ByVault>> by_vault = {
      {"list", "List the secrets of a vault (no values)", ListSecrets},
      {"list-deleted", "List the deleted secrets of a vault", ListDeletedSecrets},
  };
  for (const auto& [name, help, run] : by_vault) {
    auto f = std::make_shared<SecretFlags>();
    AddSubcommand(secret, name, help, f, false)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault); };
    });
  }
}

}  // namespace

void AddSecretCommands(CLI::App& app, Action* action) {
  CLI::App* secret = app.add_subcommand("secret", "Manage the secrets of a vault (data plane)");
  secret->require_subcommand(1);
  AddSet(secret, action);

  auto show = std::make_shared<SecretFlags>();
  AddSubcommand(secret, "show", "Show a secret, with its value", show, true)
      ->add_option("--version", show->version, "Version (default: the latest)");
  secret->get_subcommand("show")->callback([=] {
    *action = [=](const Session& s) {
      return ShowSecret(s, show->vault, show->name, show->version);
    };
  });

  AddUpdate(secret, action);
  AddSimple(secret, action);

  auto backup = std::make_shared<SecretFlags>();
  CLI::App* backup_cmd =
      AddSubcommand(secret, "backup", "Write a secret's backup blob to a file", backup, true);
  backup_cmd->add_option("--file", backup->file, "Output file (created with mode 0600)")
      ->required();
  backup_cmd->callback([=] {
    *action = [=](const Session& s) {
      return BackupSecret(s, backup->vault, backup->name, backup->file);
    };
  });

  auto restore = std::make_shared<SecretFlags>();
  CLI::App* restore_cmd =
      AddSubcommand(secret, "restore", "Restore a secret from a backup file", restore, false);
  restore_cmd->add_option("--file", restore->file, "Backup file")->required();
  restore_cmd->callback([=] {
    *action = [=](const Session& s) { return RestoreSecret(s, restore->vault, restore->file); };
  });
}

}  // namespace kh::cli
