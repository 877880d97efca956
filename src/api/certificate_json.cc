#include "api/certificate_json.h"

#include <algorithm>
#include <limits>

#include "api/json_body.h"
#include "api/object_json.h"
#include "core/ascii.h"
#include "core/base64.h"

namespace kh::api {
namespace json = boost::json;
namespace {

// A list member that is present (and not null): the patch sets it.
StatusOr<std::optional<std::vector<std::string>>> OptList(const json::object& o,
                                                          std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::vector<std::string>>();
  KH_ASSIGN_OR_RETURN(std::vector<std::string> list, OptStringList(o, key));
  return std::optional<std::vector<std::string>>(std::move(list));
}

StatusOr<std::optional<int>> OptSmallInt(const json::object& o, std::string_view key) {
  KH_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInt(o, key));
  if (!v) return std::optional<int>();
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    return InvalidArgument("The property '" + std::string(key) + "' is out of range.");
  }
  return std::optional<int>(static_cast<int>(*v));
}

json::object SansToJson(const crypto::SubjectAlternativeNames& s) {
  json::object o;
  if (!s.emails.empty()) o["emails"] = StringsToJson(s.emails);
  if (!s.dns_names.empty()) o["dns_names"] = StringsToJson(s.dns_names);
  if (!s.upns.empty()) o["upns"] = StringsToJson(s.upns);
  if (!s.uris.empty()) o["uris"] = StringsToJson(s.uris);
  if (!s.ip_addresses.empty()) o["ipAddresses"] = StringsToJson(s.ip_addresses);
  return o;
}

StatusOr<crypto::SubjectAlternativeNames> ParseSans(const json::object& o) {
  crypto::SubjectAlternativeNames s;
  KH_ASSIGN_OR_RETURN(s.emails, OptStringList(o, "emails"));
  KH_ASSIGN_OR_RETURN(s.dns_names, OptStringList(o, "dns_names"));
  KH_ASSIGN_OR_RETURN(s.upns, OptStringList(o, "upns"));
  KH_ASSIGN_OR_RETURN(s.uris, OptStringList(o, "uris"));
  KH_ASSIGN_OR_RETURN(s.ip_addresses, OptStringList(o, "ipAddresses"));
  return s;
}

StatusOr<std::vector<domain::CertificateLifetimeAction>> ParseLifetimeActions(
    const json::value& v) {
  if (!v.is_array()) return InvalidArgument("The property 'lifetime_actions' must be an array.");
  std::vector<domain::CertificateLifetimeAction> out;
  for (const json::value& item : v.as_array()) {
    if (!item.is_object()) {
      return InvalidArgument("Each lifetime action must be an object.");
    }
    const json::object& a = item.as_object();
    domain::CertificateLifetimeAction action;
    KH_ASSIGN_OR_RETURN(std::optional<json::object> trigger, OptObject(a, "trigger"));
    if (trigger) {
      KH_ASSIGN_OR_RETURN(action.lifetime_percentage, OptSmallInt(*trigger, "lifetime_percentage"));
      KH_ASSIGN_OR_RETURN(action.days_before_expiry, OptSmallInt(*trigger, "days_before_expiry"));
    }
    KH_ASSIGN_OR_RETURN(std::optional<json::object> act, OptObject(a, "action"));
    if (act) {
      KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*act, "action_type"));
      // Azure's enum values, whatever case the caller used.
      if (type && AsciiEqualsIgnoreCase(*type, "AutoRenew")) type = "AutoRenew";
      if (type && AsciiEqualsIgnoreCase(*type, "EmailContacts")) type = "EmailContacts";
      action.action_type = type.value_or("");
    }
    out.push_back(std::move(action));
  }
  return out;
}

}  // namespace

std::string CertificateBaseId(const Call& call, std::string_view name) {
  return call.api.VaultUrl(VaultOf(call).name) + "/certificates/" + std::string(name);
}

json::object PolicyToJson(const Call& call, std::string_view name,
                          const domain::CertificatePolicy& p) {
  json::object key_props{{"exportable", p.exportable}, {"kty", p.kty}, {"reuse_key", p.reuse_key}};
  if (p.key_size) key_props["key_size"] = *p.key_size;
  if (p.curve) key_props["crv"] = *p.curve;
  json::object x509{{"subject", p.x509.subject},
                    {"ekus", StringsToJson(p.x509.ekus)},
                    {"key_usage", StringsToJson(p.x509.key_usage)},
                    {"validity_months", p.validity_months}};
  if (!p.x509.sans.empty()) x509["sans"] = SansToJson(p.x509.sans);
  json::array actions;
  for (const domain::CertificateLifetimeAction& a : p.lifetime_actions) {
    json::object trigger;
    if (a.lifetime_percentage) trigger["lifetime_percentage"] = *a.lifetime_percentage;
    if (a.days_before_expiry) trigger["days_before_expiry"] = *a.days_before_expiry;
    actions.push_back(json::object{{"trigger", std::move(trigger)},
                                   {"action", json::object{{"action_type", a.action_type}}}});
  }
  json::object issuer{{"name", p.issuer_name}};
  if (p.certificate_type) issuer["cty"] = *p.certificate_type;
  if (p.certificate_transparency) issuer["cert_transparency"] = *p.certificate_transparency;
  return json::object{
      {"id", CertificateBaseId(call, name) + "/policy"},
      {"key_props", std::move(key_props)},
      {"secret_props", json::object{{"contentType", p.content_type}}},
      {"x509_props", std::move(x509)},
      {"lifetime_actions", std::move(actions)},
      {"issuer", std::move(issuer)},
      {"attributes",
       json::object{{"enabled", p.enabled}, {"created", p.created}, {"updated", p.updated}}}};
}

StatusOr<domain::CertificatePolicyPatch> ParsePolicy(const json::object& policy) {
  domain::CertificatePolicyPatch patch;
  KH_ASSIGN_OR_RETURN(std::optional<json::object> key_props, OptObject(policy, "key_props"));
  if (key_props) {
    KH_ASSIGN_OR_RETURN(patch.kty, OptString(*key_props, "kty"));
    KH_ASSIGN_OR_RETURN(patch.key_size, OptSmallInt(*key_props, "key_size"));
    KH_ASSIGN_OR_RETURN(patch.curve, OptString(*key_props, "crv"));
    KH_ASSIGN_OR_RETURN(patch.exportable, OptBool(*key_props, "exportable"));
    KH_ASSIGN_OR_RETURN(patch.reuse_key, OptBool(*key_props, "reuse_key"));
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> secret_props, OptObject(policy, "secret_props"));
  if (secret_props) {
    KH_ASSIGN_OR_RETURN(patch.content_type, OptString(*secret_props, "contentType"));
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> x509, OptObject(policy, "x509_props"));
  if (x509) {
    KH_ASSIGN_OR_RETURN(patch.subject, OptString(*x509, "subject"));
    KH_ASSIGN_OR_RETURN(std::optional<json::object> sans, OptObject(*x509, "sans"));
    // The SDK sends "sans": {} with every policy: an empty object changes nothing.
    if (sans && !sans->empty()) {
      KH_ASSIGN_OR_RETURN(patch.sans, ParseSans(*sans));
    }
    KH_ASSIGN_OR_RETURN(patch.ekus, OptList(*x509, "ekus"));
    KH_ASSIGN_OR_RETURN(patch.key_usage, OptList(*x509, "key_usage"));
    KH_ASSIGN_OR_RETURN(patch.validity_months, OptSmallInt(*x509, "validity_months"));
  }
  if (auto it = policy.find("lifetime_actions"); it != policy.end() && !it->value().is_null()) {
    KH_ASSIGN_OR_RETURN(patch.lifetime_actions, ParseLifetimeActions(it->value()));
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> issuer, OptObject(policy, "issuer"));
  if (issuer) {
    KH_ASSIGN_OR_RETURN(patch.issuer_name, OptString(*issuer, "name"));
    KH_ASSIGN_OR_RETURN(patch.certificate_type, OptString(*issuer, "cty"));
    KH_ASSIGN_OR_RETURN(patch.certificate_transparency, OptBool(*issuer, "cert_transparency"));
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> attributes, OptObject(policy, "attributes"));
  if (attributes) {
    KH_ASSIGN_OR_RETURN(patch.enabled, OptBool(*attributes, "enabled"));
  }
  return patch;
}

StatusOr<std::optional<domain::CertificatePolicyPatch>> ParseOptionalPolicy(
    const json::object& body) {
  KH_ASSIGN_OR_RETURN(std::optional<json::object> policy, OptObject(body, "policy"));
  if (!policy) return std::optional<domain::CertificatePolicyPatch>();
  KH_ASSIGN_OR_RETURN(domain::CertificatePolicyPatch patch, ParsePolicy(*policy));
  return std::optional<domain::CertificatePolicyPatch>(std::move(patch));
}

json::object CertificateToJson(const Call& call, const domain::CertificateVersion& c, bool bundle,
                               bool versioned_id) {
  const std::string vault_url = call.api.VaultUrl(VaultOf(call).name);
  json::object o;
  o["id"] = CertificateBaseId(call, c.name) + (versioned_id ? "/" + c.version : "");
  if (!c.x5t.empty()) o["x5t"] = Base64UrlEncode(c.x5t);  // none while pending
  o["attributes"] = AttributesToJson(c.attributes, VaultOf(call));
  if (!c.tags.empty()) o["tags"] = TagsToJson(c.tags);
  if (!bundle) return o;
  o["kid"] = vault_url + "/keys/" + c.name + "/" + c.version;
  o["sid"] = vault_url + "/secrets/" + c.name + "/" + c.version;
  if (!c.cer.empty()) o["cer"] = Base64Encode(c.cer);
  o["contentType"] = c.policy.content_type;
  o["policy"] = PolicyToJson(call, c.name, c.policy);
  if (c.preserve_cert_order) o["preserveCertOrder"] = true;
  return o;
}

json::object DeletedCertificateToJson(const Call& call, const domain::DeletedCertificate& d,
                                      bool is_item) {
  json::object o = CertificateToJson(call, d.latest, !is_item, !is_item);
  o["recoveryId"] = call.api.VaultUrl(VaultOf(call).name) + "/deletedcertificates/" + d.latest.name;
  o["deletedDate"] = d.deleted.deleted_date;
  o["scheduledPurgeDate"] = d.deleted.scheduled_purge_date;
  return o;
}

json::object OperationToJson(const Call& call, const domain::CertificateOperation& op) {
  json::object issuer{{"name", op.issuer_name}};
  if (op.certificate_type) issuer["cty"] = *op.certificate_type;
  if (op.certificate_transparency) issuer["cert_transparency"] = *op.certificate_transparency;
  json::object o{{"id", CertificateBaseId(call, op.name) + "/pending"},
                 {"issuer", std::move(issuer)},
                 {"cancellation_requested", op.cancellation_requested},
                 {"status", op.status},
                 {"request_id", op.request_id}};
  if (!op.csr.empty()) o["csr"] = Base64Encode(op.csr);
  if (!op.status_details.empty()) o["status_details"] = op.status_details;
  if (op.error_code) {
    o["error"] = json::object{{"code", *op.error_code}, {"message", op.error_message.value_or("")}};
  }
  if (op.completed_target) o["target"] = CertificateBaseId(call, op.name);
  if (op.preserve_cert_order) o["preserveCertOrder"] = true;
  return o;
}

json::object IssuerToJson(const Call& call, const domain::CertificateIssuer& issuer, bool item) {
  json::object o{
      {"id", call.api.VaultUrl(VaultOf(call).name) + "/certificates/issuers/" + issuer.name},
      {"provider", issuer.provider}};
  if (item) return o;
  // The password is kept for the provider but never shown (as in Azure).
  if (issuer.account_id) o["credentials"] = json::object{{"account_id", *issuer.account_id}};
  if (issuer.organization_id || !issuer.administrators.empty()) {
    json::object org;
    if (issuer.organization_id) org["id"] = *issuer.organization_id;
    json::array admins;
    for (const auto& a : issuer.administrators) {
      json::object ao;
      if (!a.first_name.empty()) ao["first_name"] = a.first_name;
      if (!a.last_name.empty()) ao["last_name"] = a.last_name;
      if (!a.email.empty()) ao["email"] = a.email;
      if (!a.phone.empty()) ao["phone"] = a.phone;
      admins.push_back(std::move(ao));
    }
    org["admin_details"] = std::move(admins);
    o["org_details"] = std::move(org);
  }
  o["attributes"] = json::object{
      {"enabled", issuer.enabled}, {"created", issuer.created}, {"updated", issuer.updated}};
  return o;
}

StatusOr<domain::IssuerUpdate> ParseIssuer(const json::object& body) {
  domain::IssuerUpdate u;
  KH_ASSIGN_OR_RETURN(u.provider, OptString(body, "provider"));
  KH_ASSIGN_OR_RETURN(std::optional<json::object> credentials, OptObject(body, "credentials"));
  if (credentials) {
    KH_ASSIGN_OR_RETURN(u.account_id, OptString(*credentials, "account_id"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> pwd, OptString(*credentials, "pwd"));
    if (pwd) {
      u.password = SecretBytes(std::string_view(*pwd));
      std::fill(pwd->begin(), pwd->end(), '\0');
    }
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> org, OptObject(body, "org_details"));
  if (org) {
    KH_ASSIGN_OR_RETURN(u.organization_id, OptString(*org, "id"));
    if (auto it = org->find("admin_details"); it != org->end() && !it->value().is_null()) {
      if (!it->value().is_array()) {
        return InvalidArgument("The property 'admin_details' must be an array.");
      }
      std::vector<domain::IssuerAdministrator> admins;
      for (const json::value& v : it->value().as_array()) {
        if (!v.is_object()) return InvalidArgument("Each admin_details entry must be an object.");
        const json::object& a = v.as_object();
        domain::IssuerAdministrator admin;
        KH_ASSIGN_OR_RETURN(auto first, OptString(a, "first_name"));
        KH_ASSIGN_OR_RETURN(auto last, OptString(a, "last_name"));
        KH_ASSIGN_OR_RETURN(auto email, OptString(a, "email"));
        KH_ASSIGN_OR_RETURN(auto phone, OptString(a, "phone"));
        admins.push_back(
            {first.value_or(""), last.value_or(""), email.value_or(""), phone.value_or("")});
      }
      u.administrators = std::move(admins);
    }
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> attributes, OptObject(body, "attributes"));
  if (attributes) {
    KH_ASSIGN_OR_RETURN(u.enabled, OptBool(*attributes, "enabled"));
  }
  return u;
}

json::object ContactsToJson(const Call& call,
                            const std::vector<domain::CertificateContact>& contacts) {
  json::array list;
  for (const auto& c : contacts) {
    json::object o;
    if (!c.email.empty()) o["email"] = c.email;
    if (!c.name.empty()) o["name"] = c.name;
    if (!c.phone.empty()) o["phone"] = c.phone;
    list.push_back(std::move(o));
  }
  return json::object{{"id", call.api.VaultUrl(VaultOf(call).name) + "/certificates/contacts"},
                      {"contacts", std::move(list)}};
}

StatusOr<std::vector<domain::CertificateContact>> ParseContacts(const json::object& body) {
  auto it = body.find("contacts");
  if (it == body.end() || it->value().is_null()) return std::vector<domain::CertificateContact>();
  if (!it->value().is_array()) return InvalidArgument("The property 'contacts' must be an array.");
  std::vector<domain::CertificateContact> out;
  for (const json::value& v : it->value().as_array()) {
    if (!v.is_object()) return InvalidArgument("Each contact must be an object.");
    const json::object& c = v.as_object();
    KH_ASSIGN_OR_RETURN(auto email, OptString(c, "email"));
    KH_ASSIGN_OR_RETURN(auto name, OptString(c, "name"));
    KH_ASSIGN_OR_RETURN(auto phone, OptString(c, "phone"));
    out.push_back({email.value_or(""), name.value_or(""), phone.value_or("")});
  }
  return out;
}

}  // namespace kh::api
