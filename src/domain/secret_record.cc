#include "domain/secret_record.h"

namespace kh::domain {

Fields SecretToFields(const SecretVersion& s) {
  Fields f;
  f.Set("name", s.name);
  f.Set("value", s.value.Reveal());
  if (s.content_type) f.Set("content_type", *s.content_type);
  f.SetMap("tags", s.tags);
  f.SetBool("enabled", s.attributes.enabled);
  if (s.attributes.not_before) f.SetInt("nbf", *s.attributes.not_before);
  if (s.attributes.expires) f.SetInt("exp", *s.attributes.expires);
  f.SetInt("created", s.attributes.created);
  f.SetInt("updated", s.attributes.updated);
  if (s.key_id) f.Set("kid", *s.key_id);
  f.SetBool("managed", s.managed);
  return f;
}

SecretVersion SecretFromFields(std::string_view version, const Fields& f) {
  SecretVersion s;
  s.name = f.GetOr("name", "");
  s.version = std::string(version);
  if (auto v = f.Get("value")) s.value = SecretBytes(std::string_view(*v));
  s.content_type = f.Get("content_type");
  s.tags = f.GetMap("tags");
  s.attributes.enabled = f.GetBool("enabled", true);
  s.attributes.not_before = f.GetInt("nbf");
  s.attributes.expires = f.GetInt("exp");
  s.attributes.created = f.GetInt("created").value_or(0);
  s.attributes.updated = f.GetInt("updated").value_or(0);
  s.key_id = f.Get("kid");
  s.managed = f.GetBool("managed", false);
  return s;
}

Status ValidateTags(const std::map<std::string, std::string>& tags) {
  if (tags.size() > kMaxTags) {
    return InvalidArgument("Too many tags: at most " + std::to_string(kMaxTags) +
                           " tags are allowed.");
  }
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > kMaxTagNameLength) {
      return InvalidArgument("A tag name must be 1 to " + std::to_string(kMaxTagNameLength) +
                             " characters.");
    }
    if (v.size() > kMaxTagValueLength) {
      return InvalidArgument("A tag value must be at most " + std::to_string(kMaxTagValueLength) +
                             " characters.");
    }
  }
  return Status::Ok();
}

Status ValidateContentType(const std::optional<std::string>& content_type) {
  if (content_type && content_type->size() > kMaxContentTypeLength) {
    return InvalidArgument("contentType must be at most " + std::to_string(kMaxContentTypeLength) +
                           " characters.");
  }
  return Status::Ok();
}

Status ValidateSecretValue(const SecretBytes& value) {
  if (value.size() > kMaxSecretValueBytes) {
    return InvalidArgument("The secret value is too large: at most " +
                           std::to_string(kMaxSecretValueBytes) + " bytes are allowed.");
  }
  return Status::Ok();
}

}  // namespace kh::domain
