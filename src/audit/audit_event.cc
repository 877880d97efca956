#include "audit/audit_event.h"

#include <charconv>
#include <chrono>

#include "audit/json_text.h"

namespace kh::audit {
namespace {

// "2026-11-30T08:14:00.123Z", by calendar arithmetic: gmtime_r would take the C library's time
// zone lock on every request's thread.
void AppendTime(std::string& out, int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds{ms}};
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss clock{at - day};
  char text[24];
  const auto put = [&text](int at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) text[at + i] = char('0' + value % 10);
  };
  put(0, static_cast<int>(date.year()), 4);
  text[4] = '-';
  put(5, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  text[7] = '-';
  put(8, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  text[10] = 'T';
  put(11, static_cast<int>(clock.hours().count()), 2);
  text[13] = ':';
  put(14, static_cast<int>(clock.minutes().count()), 2);
  text[16] = ':';
  put(17, static_cast<int>(clock.seconds().count()), 2);
  text[19] = '.';
  put(20, static_cast<int>(clock.subseconds().count()), 3);
  text[23] = 'Z';
  out.append(text, sizeof text);
}

// Appends a string literal (its length known when compiled).
template <size_t N>
void Put(std::string& out, const char (&literal)[N]) {
  out.append(literal, N - 1);
}

// Only what is known: an unset verdict is left out rather than written as null (bytes are what
// the log costs, and readers of Azure's schema treat both alike).
void AppendBoolIfSet(std::string& out, std::string_view name, std::optional<bool> value) {
  if (!value) return;
  AppendJsonName(out, name, false);
  out.append(*value ? "true" : "false");
}

}  // namespace

// A field added to AuditEvent must be cleared below too, or a reused event would carry one
// request's value into the next request's record: this fails the build until it is.
static_assert(sizeof(AuditEvent) == 15 * sizeof(std::string) + 40,
              "AuditEvent changed: update ClearKeepingCapacity, then this size");

void ClearKeepingCapacity(AuditEvent& e) {
  e.time_ms = 0;
  e.http_status = 0;
  e.duration_ms = 0;
  e.authorization = AuthorizationModel::kNotEvaluated;
  e.authorized = false;
  e.address_authorized.reset();
  for (std::string* text : {&e.resource_id, &e.operation_name, &e.operation_version,
                            &e.result_description, &e.caller_ip, &e.correlation_id, &e.object_id,
                            &e.app_id, &e.tenant_id, &e.client_info, &e.request_uri, &e.id,
                            &e.tls_version, &e.applied_assignment_id, &e.access_policy_object_id}) {
    text->clear();
  }
}

std::string FormatTimeMillis(int64_t unix_ms) {
  std::string out;
  AppendTime(out, unix_ms);
  return out;
}

std::string StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "NoContent";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 413:
      return "RequestEntityTooLarge";
    case 429:
      return "TooManyRequests";
    case 431:
      return "RequestHeaderFieldsTooLarge";
    case 500:
      return "InternalServerError";
    case 503:
      return "ServiceUnavailable";
    default:
      return std::to_string(status);
  }
}

void AppendJsonObject(const AuditEvent& e, std::string& out) {
  // Names and constant text go in as whole literals, a few appends per field: this runs for every
  // request, on the request's thread.
  out.reserve(out.size() + 640 + e.resource_id.size() + e.request_uri.size() + e.id.size() +
              e.client_info.size() + e.applied_assignment_id.size());
  Put(out, "{\"time\":\"");
  AppendTime(out, e.time_ms);
  Put(out, "\",\"resourceId\":");
  AppendJsonString(out, e.resource_id);
  Put(out, ",\"operationName\":");
  AppendJsonString(out, e.operation_name);
  Put(out, ",\"operationVersion\":");
  AppendJsonString(out, e.operation_version);
  if (e.http_status < 400) {
    Put(out, ",\"category\":\"AuditEvent\",\"resultType\":\"Success\",\"resultSignature\":");
  } else {
    Put(out, ",\"category\":\"AuditEvent\",\"resultType\":\"Failure\",\"resultSignature\":");
  }
  AppendJsonString(out, StatusText(e.http_status));
  Put(out, ",\"resultDescription\":");
  AppendJsonString(out, e.result_description);
  char duration[24];
  const auto duration_end = std::to_chars(duration, duration + sizeof duration, e.duration_ms).ptr;
  Put(out, ",\"durationMs\":");  // a string, as Azure's
  AppendJsonString(out, {duration, duration_end});
  Put(out, ",\"callerIpAddress\":");
  AppendJsonString(out, e.caller_ip);
  Put(out, ",\"correlationId\":");
  AppendJsonString(out, e.correlation_id);

  Put(out, ",\"identity\":{\"claim\":{");
  bool first = true;
  if (!e.object_id.empty()) {
    AppendJsonField(out, "http://schemas.microsoft.com/identity/claims/objectidentifier",
                    e.object_id, first);
    first = false;
  }
  if (!e.app_id.empty()) {
    AppendJsonField(out, "appid", e.app_id, first);
    first = false;
  }
  if (!e.tenant_id.empty()) {
    AppendJsonField(out, "http://schemas.microsoft.com/identity/claims/tenantid", e.tenant_id,
                    first);
  }
  Put(out, "}},\"properties\":{\"clientInfo\":");
  AppendJsonString(out, e.client_info);
  Put(out, ",\"requestUri\":");
  AppendJsonString(out, e.request_uri);
  Put(out, ",\"id\":");
  AppendJsonString(out, e.id);
  AppendJsonField(out, "httpStatusCode", int64_t{e.http_status});
  const bool evaluated = e.authorization != AuthorizationModel::kNotEvaluated;
  const bool by_rbac = e.authorization == AuthorizationModel::kRbac ||
                       e.authorization == AuthorizationModel::kBootstrapAdministrator;
  AppendBoolIfSet(out, "isRbacAuthorized",
                  evaluated && by_rbac ? std::optional<bool>(e.authorized) : std::nullopt);
  AppendBoolIfSet(out, "isAccessPolicyMatch",
                  e.authorization == AuthorizationModel::kAccessPolicy
                      ? std::optional<bool>(e.authorized)
                      : std::nullopt);
  if (e.authorization == AuthorizationModel::kBootstrapAdministrator) {
    Put(out, ",\"appliedAssignmentId\":\"bootstrapAdministrator\"");
  } else if (!e.applied_assignment_id.empty()) {
    AppendJsonField(out, "appliedAssignmentId", e.applied_assignment_id);
  }
  if (!e.access_policy_object_id.empty()) {
    AppendJsonField(out, "accessPolicyObjectId", e.access_policy_object_id);
  }
  AppendBoolIfSet(out, "isAddressAuthorized", e.address_authorized);
  Put(out, ",\"tlsVersion\":");
  AppendJsonString(out, e.tls_version);
  Put(out, "}}");
}

}  // namespace kh::audit
