#pragma once
// Alert rules (audit/alert_rules.h) as the admin API and the store hold them (JSON):
//   {"vault": "myapp-prod", "statusCodes": [401, 403], "operationNames": ["SecretPurge"],
//    "resultDescription": "ForbiddenByFirewall",
//    "condition": "CountAbove" | "LatencyP99Above" | "AvailabilityBelow",
//    "threshold": 10, "windowSeconds": 300, "webhook": "https://..."}
#include <string>

#include "audit/alert_rules.h"
#include "core/status_or.h"
#include "domain/named_records.h"

namespace kh::api {

// InvalidArgument naming the bad field.
StatusOr<audit::AlertRule> AlertRuleFromJson(std::string_view name, std::string_view json);
std::string AlertRuleToJson(const audit::AlertRule& rule);
// Loads every stored rule into the engine (at start, and after each change).
Status ReloadAlertRules(domain::NamedRecords& records, audit::AlertEngine& engine);

}  // namespace kh::api
