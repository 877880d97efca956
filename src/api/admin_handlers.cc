// Keyhaven's own administrative endpoints (not part of Azure's API).
//   POST /admin/test-clock {"advanceSeconds": N}   only with `serve --test-clock`
//   POST /admin/principals {"displayName": "...", "managedIdentity": bool}  a service principal
//        with a client secret, and optionally a managed-identity secret (IDENTITY_HEADER)
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

constexpr std::string_view kActionPrincipalsWrite = "Keyhaven/principals/write";
constexpr size_t kMaxDisplayNameLength = 256;

// Creates a service principal with a client secret, shown once in the response.
Response CreatePrincipal(const Call& call) {
  if (call.request.method != "POST") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionPrincipalsWrite, "/")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "displayName"));
    if (!name || name->empty() || name->size() > kMaxDisplayNameLength) {
      return InvalidArgument("displayName is required (1 to 256 characters).");
    }
    KH_ASSIGN_OR_RETURN(std::optional<bool> managed, OptBool(body, "managedIdentity"));
    KH_ASSIGN_OR_RETURN(auto created, call.services.principals->Create(*name, false));
    json::object out{{"displayName", created.first.display_name},
                     {"clientId", created.first.client_id},
                     {"objectId", created.first.object_id},
                     {"tenantId", call.config.tenant_id},
                     {"clientSecret", created.second.Reveal()}};
    if (managed.value_or(false)) {
      // The identity secret an App-Service-style host gives its app as IDENTITY_HEADER.
      KH_ASSIGN_OR_RETURN(SecretBytes identity,
                          call.services.principals->CreateIdentitySecret(created.first.client_id));
      out["identityHeader"] = identity.Reveal();
      out["identityEndpoint"] = call.api.ServiceUrl() + "/msi/token";
    }
    Response r = JsonResponse(201, out);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace

Response HandleAdmin(const Call& call) {
  const auto& s = call.target.segments;
  if (s.size() == 2 && s[1] == "test-clock") return AdvanceClock(call);
  if (s.size() == 2 && s[1] == "principals") return CreatePrincipal(call);
  return UnknownRoute(call.request);
}

}  // namespace kh::api
