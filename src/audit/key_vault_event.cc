#include "audit/key_vault_event.h"

#include <boost/json.hpp>

#include "audit/audit_event.h"

namespace kh::audit {
namespace {

namespace json = boost::json;

json::object Data(const KeyVaultEvent& e) {
  json::object data{{"Id", e.object_id},
                    {"VaultName", e.vault_name},
                    {"ObjectType", e.object_type},
                    {"ObjectName", e.object_name},
                    {"Version", e.version}};
  if (e.nbf) data["NBF"] = *e.nbf;
  if (e.exp) data["EXP"] = *e.exp;
  return data;
}

}  // namespace

std::string ToEventGridJson(const KeyVaultEvent& e) {
  return json::serialize(json::object{{"id", e.id},
                                      {"topic", e.topic},
                                      {"subject", e.subject},
                                      {"eventType", e.type},
                                      {"eventTime", FormatTimeMillis(e.time_ms)},
                                      {"data", Data(e)},
                                      {"dataVersion", "1"},
                                      {"metadataVersion", "1"}});
}

std::string ToCloudEventJson(const KeyVaultEvent& e) {
  return json::serialize(json::object{{"specversion", "1.0"},
                                      {"id", e.id},
                                      {"source", e.topic},
                                      {"subject", e.subject},
                                      {"type", e.type},
                                      {"time", FormatTimeMillis(e.time_ms)},
                                      {"datacontenttype", "application/json"},
                                      {"data", Data(e)}});
}

std::string SubscriptionValidationJson(const std::string& id, const std::string& topic,
                                       const std::string& code, int64_t time_ms) {
  json::array events{json::object{{"id", id},
                                  {"topic", topic},
                                  {"subject", ""},
                                  {"data", json::object{{"validationCode", code}}},
                                  {"eventType", "Microsoft.EventGrid.SubscriptionValidationEvent"},
                                  {"eventTime", FormatTimeMillis(time_ms)},
                                  {"metadataVersion", "1"},
                                  {"dataVersion", "1"}}};
  return json::serialize(events);
}

}  // namespace kh::audit
