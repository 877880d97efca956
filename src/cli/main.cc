#include "cli/main.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_wiring.h"
#include "cli/output.h"
#include "cli/urls.h"

namespace kh::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string output = "json";
  std::string credentials_file = kDefaultCredentialsFile;
  std::string server;
};

void PrintError(std::ostream& err, const Status& status) {
  std::string code = status.azure_code().empty() ? std::string(StatusCodeName(status.code()))
                                                 : status.azure_code();
  err << "error: " << SanitizeForTerminal(code) << ": " << SanitizeForTerminal(status.message());
  if (!status.inner_code().empty()) err << " (" << SanitizeForTerminal(status.inner_code()) << ")";
  err << "\n";
}

// Loads credentials, picks the server and runs the parsed command.
Status Execute(const GlobalOptions& options, const Action& action,
               const CliEnvironment& environment) {
  KH_ASSIGN_OR_RETURN(OutputFormat format, ParseOutputFormat(options.output));
  KH_ASSIGN_OR_RETURN(Credentials credentials,
                      LoadCredentials(options.credentials_file, environment.env));
  const std::string server_text =
      options.server.empty() ? credentials.authority_host : options.server;
  if (server_text.empty()) {
    return InvalidArgument("no server: pass --server URL or set authorityHost in " +
                               credentials.source + " (or AZURE_AUTHORITY_HOST)",
                           "CredentialsError");
  }
  StatusOr<ServerUrl> server = ParseServerUrl(server_text);
  if (!server.ok()) {
    return InvalidArgument("server " + server_text + ": " + server.status().message());
  }
  http::HttpsClientOptions http_options;
  http_options.ca_file = credentials.ca_file;
  ApiClient api(std::move(credentials), *std::move(server),
                environment.make_transport(std::move(http_options)));
  Session session{api, format, *environment.out, *environment.in};
  try {
    return action(session);
  } catch (const std::exception& e) {  // nothing below should throw; keep it from escaping main
    return Internal(std::string("unexpected failure: ") + e.what());
  }
}

}  // namespace

int Run(int argc, const char* const* argv, const CliEnvironment& environment) {
  CLI::App app("Keyhaven command-line client: manage vaults and secrets on a Keyhaven server.",
               "keyhaven");
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the subcommand
  GlobalOptions options;
  app.add_option("--output,-o", options.output, "Output format")
      ->check(CLI::IsMember({"json", "table"}))
      ->capture_default_str();
  app.add_option("--credentials", options.credentials_file,
                 "Credentials file (admin.json); AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                 "AZURE_CLIENT_SECRET in the environment take precedence")
      ->capture_default_str();
  app.add_option("--server", options.server,
                 "Server URL, e.g. https://localhost:8443 (default: the credentials' "
                 "authorityHost)");

  Action action;
  AddVaultCommands(app, &action);
  AddSecretCommands(app, &action);
  AddKeyCommands(app, &action);
  AddCertificateCommands(app, &action);
  AddAccessCommands(app, &action);
  AddAccessReviewCommands(app, &action);
  AddBackupCommands(app, &action);
  AddObserveCommands(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, *environment.out, *environment.err);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!action) {
    *environment.err << app.help();
    return kExitUsage;
  }
  Status status = Execute(options, action, environment);
  if (!status.ok()) {
    PrintError(*environment.err, status);
    return kExitFailure;
  }
  return 0;
}

int Main(int argc, char** argv) {
  CliEnvironment environment;
  environment.env = ProcessEnvironment();
  environment.make_transport = MakeHttpsTransport;
  environment.in = &std::cin;
  environment.out = &std::cout;
  environment.err = &std::cerr;
  return Run(argc, argv, environment);
}

}  // namespace kh::cli
