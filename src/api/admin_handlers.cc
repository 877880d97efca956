// Keyhaven's own administrative endpoints (not part of Azure's API).
//   POST /admin/test-clock {"advanceSeconds": N}   only with `serve --test-clock`
//   /admin/principals[...]                          principal_handlers.cc
//   GET /admin/access-review[?vault=NAME]          access_review_handlers.cc
//   POST /admin/vault-backup[/verify|/restore]     vault_backup_handlers.cc
//   /admin/backup-key[/export|/import]             vault_backup_handlers.cc
//   /admin/event-subscriptions[/{name}]            event_subscription_handlers.cc
//   /admin/alert-rules[/{name}], /admin/alerts     alert_handlers.cc
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionTestClock = "Keyhaven/testClock/action";
constexpr int64_t kMaxAdvanceSeconds = int64_t{10} * 365 * 86400;

Response AdvanceClock(const Call& call) {
  if (!call.config.test_clock || !call.services.clock) {
    return ErrorResponse(NotFound("NotFound",
                                  "The test clock is off; start the server with "
                                  "--test-clock to use it."));
  }
  if (call.request.method != "POST") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionTestClock, "/")) return *denied;
  auto body = ParseJsonObject(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  auto seconds = OptInt(*body, "advanceSeconds");
  if (!seconds.ok()) return ErrorResponse(seconds.status());
  if (!*seconds || **seconds < 0 || **seconds > kMaxAdvanceSeconds) {
    return ErrorResponse(InvalidArgument("advanceSeconds must be an integer from 0 to 10 years."));
  }
  call.services.clock->Advance(**seconds);
  if (call.services.on_clock_advanced) call.services.on_clock_advanced();
  return JsonResponse(200, json::object{{"now", call.services.clock->NowSeconds()},
                                        {"offsetSeconds", call.services.clock->offset_seconds()}});
}

}  // namespace

Response HandleAdmin(const Call& call) {
  const auto& s = call.target.segments;
  if (s.size() == 2 && s[1] == "test-clock") return AdvanceClock(call);
  if (s.size() >= 2 && s[1] == "principals") return HandlePrincipals(call);
  if (s.size() >= 2 && s[1] == "access-review") return HandleAccessReview(call);
  if (s.size() >= 2 && s[1] == "vault-backup") return HandleVaultBackup(call);
  if (s.size() >= 2 && s[1] == "backup-key") return HandleBackupKey(call);
  if (s.size() >= 2 && s[1] == "event-subscriptions") return HandleEventSubscriptions(call);
  if (s.size() >= 2 && (s[1] == "alert-rules" || s[1] == "alerts")) return HandleAlerts(call);
  return UnknownRoute(call.request);
}

}  // namespace kh::api
