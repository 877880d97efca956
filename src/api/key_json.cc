#include "api/key_json.h"

#include <algorithm>

#include "api/json_body.h"
#include "api/object_json.h"
#include "core/base64.h"

namespace kh::api {
namespace json = boost::json;

std::string KeyId(const Call& call, std::string_view name, std::string_view version) {
  std::string id = call.api.VaultUrl(call.admission.vault->name) + "/keys/" + std::string(name);
  if (!version.empty()) id += "/" + std::string(version);
  return id;
}

namespace {

json::array KeyOpsToJson(const std::vector<std::string>& ops) {
  json::array a;
  for (const auto& op : ops) a.emplace_back(op);
  return a;
}

json::object KeyAttributesToJson(const Call& call, const domain::KeyVersion& k) {
  json::object a = AttributesToJson(k.attributes, *call.admission.vault);
  a["exportable"] = k.exportable;
  return a;
}

// The public JWK. The material is absent only for listings; a bundle without it still names
// the kid, kty and key_ops.
json::object JwkToJson(const Call& call, const domain::KeyVersion& k) {
  json::object key;
  key["kid"] = KeyId(call, k.name, k.version);
  key["kty"] = k.kty;
  key["key_ops"] = KeyOpsToJson(k.key_ops);
  if (!k.material) return key;
  crypto::PublicJwk pub = k.material->PublicComponents();
  switch (pub.kty) {
    case crypto::KeyType::kRsa:
      key["n"] = Base64UrlEncode(pub.n);
      key["e"] = Base64UrlEncode(pub.e);
      break;
    case crypto::KeyType::kEc:
      key["crv"] = pub.crv;
      key["x"] = Base64UrlEncode(pub.x);
      key["y"] = Base64UrlEncode(pub.y);
      break;
    case crypto::KeyType::kOct:
      break;  // "If the requested key is symmetric, then no key material is released."
  }
  return key;
}

}  // namespace

json::object KeyBundleToJson(const Call& call, const domain::KeyVersion& k) {
  json::object o;
  o["key"] = JwkToJson(call, k);
  o["attributes"] = KeyAttributesToJson(call, k);
  if (!k.tags.empty()) o["tags"] = TagsToJson(k.tags);
  if (k.managed) o["managed"] = true;
  return o;
}

json::object KeyItemToJson(const Call& call, const domain::KeyVersion& k, bool versioned_id) {
  json::object o;
  o["kid"] = KeyId(call, k.name, versioned_id ? std::string_view(k.version) : "");
  o["attributes"] = KeyAttributesToJson(call, k);
  if (!k.tags.empty()) o["tags"] = TagsToJson(k.tags);
  if (k.managed) o["managed"] = true;
  return o;
}

json::object RotationPolicyToJson(const Call& call, std::string_view name,
                                  const domain::KeyRotationPolicy& policy) {
  json::object o;
  o["id"] = KeyId(call, name, "") + "/rotationpolicy";
  json::array actions;
  for (const auto& a : policy.actions) {
    json::object trigger;
    trigger[a.before_expiry ? "timeBeforeExpiry" : "timeAfterCreate"] = a.duration;
    actions.push_back(
        json::object{{"trigger", std::move(trigger)}, {"action", json::object{{"type", a.type}}}});
  }
  o["lifetimeActions"] = std::move(actions);
  json::object attrs;
  if (policy.expiry_time) attrs["expiryTime"] = *policy.expiry_time;
  if (policy.created) attrs["created"] = *policy.created;
  if (policy.updated) attrs["updated"] = *policy.updated;
  o["attributes"] = std::move(attrs);
  return o;
}

StatusOr<domain::KeyRotationPolicy> ParseRotationPolicy(const json::object& body) {
  domain::KeyRotationPolicy policy;
  auto it = body.find("lifetimeActions");
  if (it != body.end() && !it->value().is_null()) {
    if (!it->value().is_array()) {
      return InvalidArgument("The property 'lifetimeActions' must be an array.");
    }
    for (const auto& item : it->value().as_array()) {
      if (!item.is_object()) return InvalidArgument("A lifetime action must be an object.");
      const json::object& a = item.as_object();
      KH_ASSIGN_OR_RETURN(std::optional<json::object> trigger, OptObject(a, "trigger"));
      KH_ASSIGN_OR_RETURN(std::optional<json::object> action, OptObject(a, "action"));
      if (!trigger) return InvalidArgument("A lifetime action needs a 'trigger'.");
      if (!action) return InvalidArgument("A lifetime action needs an 'action'.");
      KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*action, "type"));
      if (!type) return InvalidArgument("A lifetime action needs an 'action.type'.");
      KH_ASSIGN_OR_RETURN(std::optional<std::string> after, OptString(*trigger, "timeAfterCreate"));
      KH_ASSIGN_OR_RETURN(std::optional<std::string> before,
                          OptString(*trigger, "timeBeforeExpiry"));
      if (after.has_value() == before.has_value()) {
        return InvalidArgument(
            "A lifetime action trigger needs exactly one of timeAfterCreate and "
            "timeBeforeExpiry.");
      }
      policy.actions.push_back({*type, before.has_value(), after ? *after : *before});
    }
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> attrs, OptObject(body, "attributes"));
  if (attrs) {
    KH_ASSIGN_OR_RETURN(policy.expiry_time, OptString(*attrs, "expiryTime"));
  }
  return policy;
}

json::object DeletedKeyToJson(const Call& call, const domain::DeletedKey& d, bool is_item) {
  json::object o = is_item ? KeyItemToJson(call, d.latest, false) : KeyBundleToJson(call, d.latest);
  o["recoveryId"] = call.api.VaultUrl(call.admission.vault->name) + "/deletedkeys/" + d.latest.name;
  o["deletedDate"] = d.deleted.deleted_date;
  o["scheduledPurgeDate"] = d.deleted.scheduled_purge_date;
  return o;
}

StatusOr<std::optional<std::vector<std::string>>> ParseKeyOps(const json::object& o,
                                                              std::string_view field) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) return std::optional<std::vector<std::string>>();
  if (!it->value().is_array()) {
    return InvalidArgument("The property '" + std::string(field) + "' must be an array.");
  }
  std::vector<std::string> ops;
  for (const json::value& v : it->value().as_array()) {
    if (!v.is_string()) {
      return InvalidArgument("The property '" + std::string(field) +
                             "' must be an array of strings.");
    }
    std::string op(v.as_string());
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(std::move(op));
  }
  return std::optional<std::vector<std::string>>(std::move(ops));
}

StatusOr<std::optional<std::string>> OptBase64Url(const json::object& o, std::string_view field) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(o, field));
  if (!text) return std::optional<std::string>();
  auto bytes = Base64UrlDecode(*text);
  if (!bytes.ok()) {
    return InvalidArgument("The property '" + std::string(field) + "' is not valid base64url.");
  }
  return std::optional<std::string>(std::move(*bytes));
}

namespace {

Status ReadPublic(const json::object& jwk, std::string_view field, std::string& out) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> v, OptBase64Url(jwk, field));
  if (v) out = std::move(*v);
  return Status();
}

Status ReadPrivate(const json::object& jwk, std::string_view field, SecretBytes& out) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> v, OptBase64Url(jwk, field));
  if (v) {
    out = SecretBytes(std::string_view(*v));
    std::fill(v->begin(), v->end(), '\0');
  }
  return Status();
}

}  // namespace

StatusOr<ParsedJwk> ParseJwk(const json::object& jwk) {
  ParsedJwk parsed;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> kty, OptString(jwk, "kty"));
  if (!kty) return InvalidArgument("The property 'key.kty' is required.");
  KH_ASSIGN_OR_RETURN(parsed.components.kty, crypto::ParseKeyType(*kty));
  parsed.hsm = kty->size() > 4 && kty->compare(kty->size() - 4, 4, "-HSM") == 0;
  KH_ASSIGN_OR_RETURN(parsed.key_ops, ParseKeyOps(jwk, "key_ops"));
  crypto::JwkKeyComponents& c = parsed.components;
  switch (c.kty) {
    case crypto::KeyType::kRsa:
      KH_RETURN_IF_ERROR(ReadPublic(jwk, "n", c.n));
      KH_RETURN_IF_ERROR(ReadPublic(jwk, "e", c.e));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "d", c.d));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "p", c.p));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "q", c.q));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "dp", c.dp));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "dq", c.dq));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "qi", c.qi));
      break;
    case crypto::KeyType::kEc: {
      KH_ASSIGN_OR_RETURN(std::optional<std::string> crv, OptString(jwk, "crv"));
      if (crv) c.crv = *crv;
      KH_RETURN_IF_ERROR(ReadPublic(jwk, "x", c.x));
      KH_RETURN_IF_ERROR(ReadPublic(jwk, "y", c.y));
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "d", c.d));
      break;
    }
    case crypto::KeyType::kOct:
      KH_RETURN_IF_ERROR(ReadPrivate(jwk, "k", c.k));
      break;
  }
  return parsed;
}

}  // namespace kh::api
