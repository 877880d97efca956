// CLI11 wiring of `keyhaven access review` (see command_wiring.h).
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/access_review_commands.h"
#include "cli/command_wiring.h"

namespace kh::cli {

void AddAccessReviewCommands(CLI::App& app, Action* action) {
  CLI::App* access = app.add_subcommand("access", "Review who can do what (admin only)");
  access->require_subcommand(1);
  auto args = std::make_shared<AccessReviewArgs>();
  auto vault = std::make_shared<std::string>();
  CLI::App* review = access->add_subcommand(
      "review",
      "Per principal: the effective permissions on each vault and why; then findings (broad "
      "scopes, wildcards, cross-environment reads, expired credentials)");
  CLI::Option* vault_opt = review->add_option("--vault", *vault, "Review one vault only");
  review->add_flag("--json", args->json, "Print the server's JSON instead of the report");
  review->add_flag("--fail-on-findings", args->fail_on_findings,
                   "Exit 1 (after printing) when there is any finding, for CI");
  review->callback([=] {
    if (vault_opt->count() > 0) args->vault = *vault;
    *action = [=](const Session& s) { return ReviewAccess(s, *args); };
  });
}

}  // namespace kh::cli
