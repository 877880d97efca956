#pragma once
// Conversion between SecretVersion and its stored Fields record, and the limits on what a
// caller may store (value size, content type, tags).
#include "core/fields.h"
#include "core/status_or.h"
#include "domain/secret.h"

namespace kh::domain {

Fields SecretToFields(const SecretVersion& secret);
SecretVersion SecretFromFields(std::string_view version, const Fields& fields);

Status ValidateTags(const std::map<std::string, std::string>& tags);
Status ValidateContentType(const std::optional<std::string>& content_type);
Status ValidateSecretValue(const SecretBytes& value);

}  // namespace kh::domain
