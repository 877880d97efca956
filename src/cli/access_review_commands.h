#pragma once
// `keyhaven access review`: who can do what on which vault and why, and the grants to look at,
// from the server's GET /admin/access-review (bootstrap administrator only). A readable report
// by default; the server's JSON with --json.
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

struct AccessReviewArgs {
  std::optional<std::string> vault;  // limit the review to one vault
  bool json = false;                 // print the server's JSON instead of the report
  bool fail_on_findings = false;     // after printing, fail (exit 1) when there is a finding
};

// Prints the review. With fail_on_findings and at least one finding, returns a Conflict status
// (azure code "FindingsPresent") after printing, so the process exits 1.
Status ReviewAccess(const Session& session, const AccessReviewArgs& args);

// The text report for a review as the server returns it. Every string from the server is made
// terminal-safe. Pure; thread-safe.
std::string RenderAccessReview(const boost::json::value& review);

}  // namespace kh::cli
