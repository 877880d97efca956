#include "audit/audit_event.h"

#include <ctime>

#include "audit/json_text.h"

namespace kh::audit {
namespace {

// "2026-11-30T08:14:00.123Z" (digits by hand: this runs once per request).
void AppendTime(std::string& out, int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[24];
  const auto put = [&text](int at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) text[at + i] = char('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  text[4] = '-';
  put(5, tm.tm_mon + 1, 2);
  text[7] = '-';
  put(8, tm.tm_mday, 2);
  text[10] = 'T';
  put(11, tm.tm_hour, 2);
  text[13] = ':';
  put(14, tm.tm_min, 2);
  text[16] = ':';
  put(17, tm.tm_sec, 2);
  text[19] = '.';
  put(20, static_cast<int>(ms % 1000), 3);
  text[23] = 'Z';
  out.append(text, sizeof text);
}

// Only what is known: an unset verdict is left out rather than written as null (bytes are what
// the log costs, and readers of Azure's schema treat both alike).
void AppendBoolIfSet(std::string& out, std::string_view name, std::optional<bool> value) {
  if (!value) return;
  out.push_back(',');
  AppendJsonString(out, name);
  out.append(*value ? ":true" : ":false");
}

}  // namespace

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
  out.append("{\"time\":\"");
  AppendTime(out, e.time_ms);
  out.push_back('"');
  AppendJsonField(out, "resourceId", e.resource_id);
  AppendJsonField(out, "operationName", e.operation_name);
  AppendJsonField(out, "operationVersion", e.operation_version);
  AppendJsonField(out, "category", "AuditEvent");
  AppendJsonField(out, "resultType", e.http_status < 400 ? "Success" : "Failure");
  AppendJsonField(out, "resultSignature", StatusText(e.http_status));
  AppendJsonField(out, "resultDescription", e.result_description);
  AppendJsonField(out, "durationMs", std::to_string(e.duration_ms));  // a string, as Azure's
  AppendJsonField(out, "callerIpAddress", e.caller_ip);
  AppendJsonField(out, "correlationId", e.correlation_id);

  out.append(",\"identity\":{\"claim\":{");
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
  out.append("}}");

  out.append(",\"properties\":{");
  AppendJsonField(out, "clientInfo", e.client_info, true);
  AppendJsonField(out, "requestUri", e.request_uri);
  AppendJsonField(out, "id", e.id);
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
    AppendJsonField(out, "appliedAssignmentId", "bootstrapAdministrator");
  } else if (!e.applied_assignment_id.empty()) {
    AppendJsonField(out, "appliedAssignmentId", e.applied_assignment_id);
  }
  if (!e.access_policy_object_id.empty()) {
    AppendJsonField(out, "accessPolicyObjectId", e.access_policy_object_id);
  }
  AppendBoolIfSet(out, "isAddressAuthorized", e.address_authorized);
  AppendJsonField(out, "tlsVersion", e.tls_version);
  out.append("}}");
}

}  // namespace kh::audit
