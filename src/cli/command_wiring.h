#pragma once
// CLI11 wiring of the command groups: each Add*Commands registers its subcommands and their
// flags on `app`; the parsed subcommand stores in *action the call to run once the session
// (credentials, client, output) is ready. Internal to cli/; the App must outlive the parse.
#include <functional>

#include "cli/session.h"
#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace kh::cli {

using Action = std::function<Status(const Session&)>;

void AddVaultCommands(CLI::App& app, Action* action);
void AddSecretCommands(CLI::App& app, Action* action);
void AddKeyCommands(CLI::App& app, Action* action);
void AddCertificateCommands(CLI::App& app, Action* action);
void AddAccessCommands(CLI::App& app, Action* action);
void AddAccessReviewCommands(CLI::App& app, Action* action);
void AddBackupCommands(CLI::App& app, Action* action);
void AddObserveCommands(CLI::App& app, Action* action);

}  // namespace kh::cli
