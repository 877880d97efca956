#include "authn/principal.h"

namespace kh::authn {

Fields Credential::ToFields() const {
  Fields f;
  f.Set("key_id", key_id);
  f.Set("type", type);
  f.Set("display_name", display_name);
  f.SetInt("start", start);
  f.SetInt("end", end);
  if (!secret_hash.empty()) f.Set("secret_hash", secret_hash);
  if (!hint.empty()) f.Set("hint", hint);
  if (!certificate_pem.empty()) {
    f.Set("certificate_pem", certificate_pem);
    f.Set("x5t", thumbprint_sha1);
    f.Set("x5t_s256", thumbprint_sha256);
    f.Set("subject", certificate_subject);
  }
  return f;
}

Credential Credential::FromFields(const Fields& f) {
  Credential c;
  c.key_id = f.GetOr("key_id", "");
  c.type = f.GetOr("type", kPasswordCredential);
  c.display_name = f.GetOr("display_name", "");
  c.start = f.GetInt("start").value_or(0);
  c.end = f.GetInt("end").value_or(0);
  c.secret_hash = f.GetOr("secret_hash", "");
  c.hint = f.GetOr("hint", "");
  c.certificate_pem = f.GetOr("certificate_pem", "");
  c.thumbprint_sha1 = f.GetOr("x5t", "");
  c.thumbprint_sha256 = f.GetOr("x5t_s256", "");
  c.certificate_subject = f.GetOr("subject", "");
  return c;
}

Fields Principal::ToFields() const {
  Fields f;
  f.Set("client_id", client_id);
  f.Set("object_id", object_id);
  f.Set("display_name", display_name);
  f.SetInt("created", created);
  f.SetBool("bootstrap_admin", bootstrap_admin);
  std::map<std::string, std::string> encoded;
  for (const Credential& c : credentials) encoded[c.key_id] = c.ToFields().Encode();
  f.SetMap("credentials", encoded);
  return f;
}

Principal Principal::FromFields(const Fields& f) {
  Principal p;
  p.client_id = f.GetOr("client_id", "");
  p.object_id = f.GetOr("object_id", "");
  p.display_name = f.GetOr("display_name", "");
  p.created = f.GetInt("created").value_or(0);
  p.bootstrap_admin = f.GetBool("bootstrap_admin", false);
  for (const auto& [key_id, bytes] : f.GetMap("credentials")) {
    auto sub = Fields::Decode(bytes);
    if (sub.ok()) p.credentials.push_back(Credential::FromFields(*sub));
  }
  // Records written before credentials existed hold one never-expiring secret.
  if (auto legacy = f.Get("secret_hash"); legacy && p.credentials.empty()) {
    Credential c;
    c.key_id = "00000000-0000-0000-0000-000000000000";
    c.type = std::string(kPasswordCredential);
    c.display_name = "initial";
    c.secret_hash = *legacy;
    p.credentials.push_back(std::move(c));
  }
  return p;
}

}  // namespace kh::authn
