#include "domain/certificate_record.h"

#include <algorithm>

namespace kh::domain {
namespace {

void SetOptInt(Fields& f, std::string_view name, const std::optional<int>& v) {
  if (v) f.SetInt(name, *v);
}
std::optional<int> GetOptInt(const Fields& f, std::string_view name) {
  auto v = f.GetInt(name);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// A list of sub-records, each stored encoded in one list entry.
void SetRecords(Fields& f, std::string_view name, const std::vector<Fields>& records) {
  std::vector<std::string> encoded;
  for (const Fields& r : records) encoded.push_back(r.Encode());
  f.SetList(name, encoded);
}
std::vector<Fields> GetRecords(const Fields& f, std::string_view name) {
  std::vector<Fields> out;
  for (const std::string& e : f.GetList(name)) {
    auto decoded = Fields::Decode(e);
    if (decoded.ok()) out.push_back(std::move(*decoded));
  }
  return out;
}

Fields SansToFields(const crypto::SubjectAlternativeNames& s) {
  Fields f;
  f.SetList("dns", s.dns_names);
  f.SetList("emails", s.emails);
  f.SetList("upns", s.upns);
  f.SetList("uris", s.uris);
  f.SetList("ips", s.ip_addresses);
  return f;
}
crypto::SubjectAlternativeNames SansFromFields(const Fields& f) {
  crypto::SubjectAlternativeNames s;
  s.dns_names = f.GetList("dns");
  s.emails = f.GetList("emails");
  s.upns = f.GetList("upns");
  s.uris = f.GetList("uris");
  s.ip_addresses = f.GetList("ips");
  return s;
}

}  // namespace

Fields PolicyToFields(const CertificatePolicy& p) {
  Fields f;
  f.Set("kty", p.kty);
  SetOptInt(f, "key_size", p.key_size);
  if (p.curve) f.Set("crv", *p.curve);
  f.SetBool("exportable", p.exportable);
  f.SetBool("reuse_key", p.reuse_key);
  f.Set("content_type", p.content_type);
  f.Set("subject", p.x509.subject);
  f.Set("sans", SansToFields(p.x509.sans).Encode());
  f.SetList("ekus", p.x509.ekus);
  f.SetList("key_usage", p.x509.key_usage);
  f.SetInt("validity_months", p.validity_months);
  std::vector<Fields> actions;
  for (const CertificateLifetimeAction& a : p.lifetime_actions) {
    Fields af;
    SetOptInt(af, "pct", a.lifetime_percentage);
    SetOptInt(af, "days", a.days_before_expiry);
    af.Set("type", a.action_type);
    actions.push_back(std::move(af));
  }
  SetRecords(f, "actions", actions);
  f.Set("issuer", p.issuer_name);
  if (p.certificate_type) f.Set("cty", *p.certificate_type);
  if (p.certificate_transparency) f.SetBool("cert_transparency", *p.certificate_transparency);
  f.SetBool("enabled", p.enabled);
  f.SetInt("created", p.created);
  f.SetInt("updated", p.updated);
  return f;
}

CertificatePolicy PolicyFromFields(const Fields& f) {
  CertificatePolicy p;
  p.kty = f.GetOr("kty", "RSA");
  p.key_size = GetOptInt(f, "key_size");
  p.curve = f.Get("crv");
  p.exportable = f.GetBool("exportable", true);
  p.reuse_key = f.GetBool("reuse_key", false);
  p.content_type = f.GetOr("content_type", kPkcs12ContentType);
  p.x509.subject = f.GetOr("subject", "");
  if (auto sans = Fields::Decode(f.GetOr("sans", "")); sans.ok()) {
    p.x509.sans = SansFromFields(*sans);
  }
  p.x509.ekus = f.GetList("ekus");
  p.x509.key_usage = f.GetList("key_usage");
  p.validity_months = GetOptInt(f, "validity_months").value_or(12);
  for (const Fields& af : GetRecords(f, "actions")) {
    CertificateLifetimeAction a;
    a.lifetime_percentage = GetOptInt(af, "pct");
    a.days_before_expiry = GetOptInt(af, "days");
    a.action_type = af.GetOr("type", "");
    p.lifetime_actions.push_back(std::move(a));
  }
  p.issuer_name = f.GetOr("issuer", kIssuerUnknown);
  p.certificate_type = f.Get("cty");
  if (f.Has("cert_transparency"))
    p.certificate_transparency = f.GetBool("cert_transparency", false);
  p.enabled = f.GetBool("enabled", true);
  p.created = f.GetInt("created").value_or(0);
  p.updated = f.GetInt("updated").value_or(0);
  return p;
}

Fields CertificateToFields(const CertificateVersion& c) {
  Fields f;
  f.Set("name", c.name);
  f.Set("cer", c.cer);
  f.Set("x5t", c.x5t);
  f.SetBool("enabled", c.attributes.enabled);
  if (c.attributes.not_before) f.SetInt("nbf", *c.attributes.not_before);
  if (c.attributes.expires) f.SetInt("exp", *c.attributes.expires);
  f.SetInt("created", c.attributes.created);
  f.SetInt("updated", c.attributes.updated);
  f.SetMap("tags", c.tags);
  f.SetBool("preserve_cert_order", c.preserve_cert_order);
  f.Set("policy", PolicyToFields(c.policy).Encode());
  return f;
}

CertificateVersion CertificateFromFields(std::string_view version, const Fields& f) {
  CertificateVersion c;
  c.name = f.GetOr("name", "");
  c.version = std::string(version);
  c.cer = f.GetOr("cer", "");
  c.x5t = f.GetOr("x5t", "");
  c.attributes.enabled = f.GetBool("enabled", true);
  c.attributes.not_before = f.GetInt("nbf");
  c.attributes.expires = f.GetInt("exp");
  c.attributes.created = f.GetInt("created").value_or(0);
  c.attributes.updated = f.GetInt("updated").value_or(0);
  c.tags = f.GetMap("tags");
  c.preserve_cert_order = f.GetBool("preserve_cert_order", false);
  if (auto policy = Fields::Decode(f.GetOr("policy", "")); policy.ok()) {
    c.policy = PolicyFromFields(*policy);
  }
  return c;
}

Fields OperationToFields(const StoredOperation& s) {
  const CertificateOperation& o = s.operation;
  Fields f;
  f.Set("name", o.name);
  f.Set("issuer", o.issuer_name);
  if (o.certificate_type) f.Set("cty", *o.certificate_type);
  if (o.certificate_transparency) f.SetBool("cert_transparency", *o.certificate_transparency);
  f.Set("csr", o.csr);
  f.SetBool("cancellation_requested", o.cancellation_requested);
  f.Set("status", o.status);
  f.Set("status_details", o.status_details);
  if (o.error_code) f.Set("error_code", *o.error_code);
  if (o.error_message) f.Set("error_message", *o.error_message);
  f.Set("request_id", o.request_id);
  f.SetBool("preserve_cert_order", o.preserve_cert_order);
  f.SetBool("completed_target", o.completed_target);
  f.Set("policy", PolicyToFields(s.policy).Encode());
  f.Set("version", s.version);
  if (!s.pending_key.empty()) f.Set("pending_key", s.pending_key.Reveal());
  if (s.pending_key_reused) f.SetBool("pending_key_reused", true);
  f.SetMap("tags", s.tags);
  if (s.enabled) f.SetBool("enabled", *s.enabled);
  return f;
}

StoredOperation OperationFromFields(const Fields& f) {
  StoredOperation s;
  CertificateOperation& o = s.operation;
  o.name = f.GetOr("name", "");
  o.issuer_name = f.GetOr("issuer", "");
  o.certificate_type = f.Get("cty");
  if (f.Has("cert_transparency"))
    o.certificate_transparency = f.GetBool("cert_transparency", false);
  o.csr = f.GetOr("csr", "");
  o.cancellation_requested = f.GetBool("cancellation_requested", false);
  o.status = f.GetOr("status", "");
  o.status_details = f.GetOr("status_details", "");
  o.error_code = f.Get("error_code");
  o.error_message = f.Get("error_message");
  o.request_id = f.GetOr("request_id", "");
  o.preserve_cert_order = f.GetBool("preserve_cert_order", false);
  o.completed_target = f.GetBool("completed_target", false);
  if (auto policy = Fields::Decode(f.GetOr("policy", "")); policy.ok()) {
    s.policy = PolicyFromFields(*policy);
  }
  s.version = f.GetOr("version", "");
  if (auto key = f.Get("pending_key")) {
    s.pending_key = SecretBytes(std::string_view(*key));
    std::fill(key->begin(), key->end(), '\0');  // a copy of private material
  }
  s.pending_key_reused = f.GetBool("pending_key_reused", false);
  s.tags = f.GetMap("tags");
  if (f.Has("enabled")) s.enabled = f.GetBool("enabled", true);
  return s;
}

Fields IssuerToFields(const CertificateIssuer& i) {
  Fields f;
  f.Set("name", i.name);
  f.Set("provider", i.provider);
  if (i.account_id) f.Set("account_id", *i.account_id);
  if (!i.password.empty()) f.Set("pwd", i.password.Reveal());
  if (i.organization_id) f.Set("org_id", *i.organization_id);
  std::vector<Fields> admins;
  for (const IssuerAdministrator& a : i.administrators) {
    Fields af;
    af.Set("first_name", a.first_name);
    af.Set("last_name", a.last_name);
    af.Set("email", a.email);
    af.Set("phone", a.phone);
    admins.push_back(std::move(af));
  }
  SetRecords(f, "admins", admins);
  f.SetBool("enabled", i.enabled);
  f.SetInt("created", i.created);
  f.SetInt("updated", i.updated);
  return f;
}

CertificateIssuer IssuerFromFields(const Fields& f) {
  CertificateIssuer i;
  i.name = f.GetOr("name", "");
  i.provider = f.GetOr("provider", "");
  i.account_id = f.Get("account_id");
  if (auto pwd = f.Get("pwd")) i.password = SecretBytes(std::string_view(*pwd));
  i.organization_id = f.Get("org_id");
  for (const Fields& af : GetRecords(f, "admins")) {
    i.administrators.push_back({af.GetOr("first_name", ""), af.GetOr("last_name", ""),
                                af.GetOr("email", ""), af.GetOr("phone", "")});
  }
  i.enabled = f.GetBool("enabled", true);
  i.created = f.GetInt("created").value_or(0);
  i.updated = f.GetInt("updated").value_or(0);
  return i;
}

Fields ContactsToFields(const std::vector<CertificateContact>& contacts) {
  std::vector<Fields> records;
  for (const CertificateContact& c : contacts) {
    Fields cf;
    cf.Set("email", c.email);
    cf.Set("name", c.name);
    cf.Set("phone", c.phone);
    records.push_back(std::move(cf));
  }
  Fields f;
  SetRecords(f, "contacts", records);
  return f;
}

std::vector<CertificateContact> ContactsFromFields(const Fields& f) {
  std::vector<CertificateContact> out;
  for (const Fields& cf : GetRecords(f, "contacts")) {
    out.push_back({cf.GetOr("email", ""), cf.GetOr("name", ""), cf.GetOr("phone", "")});
  }
  return out;
}

}  // namespace kh::domain
