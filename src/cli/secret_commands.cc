#include "cli/secret_commands.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/files.h"
#include "cli/json_util.h"
#include "cli/urls.h"
#include "cli/wipe.h"
#include "core/base64.h"

namespace kh::cli {
namespace {

bool IsValidUtf8(std::string_view s) {
  static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};  // no overlong forms
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// Azure's attributes object from the optional pieces (empty object when none is set).
boost::json::object Attributes(std::optional<bool> enabled, std::optional<int64_t> expires,
                               std::optional<int64_t> not_before) {
  boost::json::object attributes;
  if (enabled.has_value()) attributes["enabled"] = *enabled;
  if (not_before.has_value()) attributes["nbf"] = *not_before;
  if (expires.has_value()) attributes["exp"] = *expires;
  return attributes;
}

boost::json::object TagsObject(const std::map<std::string, std::string>& tags) {
  boost::json::object out;
  for (const auto& [key, value] : tags) out[key] = value;
  return out;
}

StatusOr<std::string> SecretUrl(const Session& session, std::string_view vault,
                                const std::vector<std::string_view>& segments) {
  KH_ASSIGN_OR_RETURN(std::string vault_url, VaultUrl(session.api.server(), vault));
  return DataPlaneUrl(vault_url, segments);
}

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("secret name must not be empty");
  return Status::Ok();
}

// Calls and prints; the common shape of most secret commands.
Status CallAndPrint(const Session& session, std::string_view method, const std::string& url,
                    ResourceKind kind) {
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.Call(method, url));
  session.Print(result, kind);
  return Status::Ok();
}

}  // namespace

StatusOr<std::map<std::string, std::string>> ParseTags(const std::vector<std::string>& tags) {
  std::map<std::string, std::string> out;
  for (const std::string& tag : tags) {
    size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("tags must be key=value with a non-empty key");
    }
    out[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return out;
}

StatusOr<SecretBytes> ReadSecretValue(const std::optional<std::string>& value,
                                      const std::optional<std::string>& file, std::istream& in) {
  if (value.has_value() == file.has_value()) {
    return InvalidArgument("give exactly one of --value and --file");
  }
  SecretBytes bytes;
  if (file.has_value()) {
    KH_ASSIGN_OR_RETURN(bytes, ReadFileBytes(*file, kMaxSecretValueBytes));
  } else if (*value == "-") {
    KH_ASSIGN_OR_RETURN(bytes, ReadStreamBytes(in, kMaxSecretValueBytes, "standard input"));
    size_t size = bytes.size();
    if (size > 0 && bytes.Reveal()[size - 1] == '\n') --size;
    if (size > 0 && bytes.Reveal()[size - 1] == '\r') --size;
    bytes.Resize(size);
  } else {
    bytes = SecretBytes(*value);
  }
  if (bytes.size() > kMaxSecretValueBytes) {
    return TooLarge("secret value is larger than " + std::to_string(kMaxSecretValueBytes) +
                    " bytes");
  }
  if (!IsValidUtf8(bytes.Reveal())) {
    return InvalidArgument("secret value must be UTF-8 text (base64-encode binary files first)");
  }
  return bytes;
}

SecretBytes SecretSetBody(const SecretSetArgs& args) {
  boost::json::object rest;
  if (args.content_type.has_value()) rest["contentType"] = *args.content_type;
  if (args.tags.has_value()) rest["tags"] = TagsObject(*args.tags);
  rest["attributes"] = Attributes(args.disabled ? std::optional<bool>(false) : std::nullopt,
                                  args.expires, args.not_before);
  const std::string tail = boost::json::serialize(rest);  // "{...}", never empty
  // The value is quoted straight into a buffer sized for the worst case (6 bytes per input byte
  // for \u00XX), so no reallocation leaves a copy of it behind.
  std::string body;
  body.reserve(16 + 6 * args.value.size() + tail.size());
  body += "{\"value\":";
  AppendJsonQuoted(args.value.Reveal(), &body);
  if (tail.size() > 2) body += ",";
  body.append(tail, 1);
  SecretBytes out(body);
  WipeString(body);
  return out;
}

boost::json::value SecretUpdateBody(const SecretUpdateArgs& args) {
  boost::json::object body;
  if (args.content_type.has_value()) body["contentType"] = *args.content_type;
  boost::json::object attributes = Attributes(args.enabled, args.expires, args.not_before);
  if (!attributes.empty()) body["attributes"] = std::move(attributes);
  if (args.tags.has_value()) body["tags"] = TagsObject(*args.tags);
  return body;
}

Status SetSecret(const Session& session, const SecretSetArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, args.vault, {"secrets", args.name}));
  SecretBytes body = SecretSetBody(args);
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.Call("PUT", url, body.Reveal()));
  if (boost::json::object* obj = result.if_object()) obj->erase("value");
  session.Print(result, ResourceKind::kSecret);
  return Status::Ok();
}

Status ShowSecret(const Session& session, std::string_view vault, std::string_view name,
                  std::string_view version) {
  KH_RETURN_IF_ERROR(CheckName(name));
  // An empty version gives ".../secrets/{name}/": the latest, as the SDKs ask for it.
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets", name, version}));
  return CallAndPrint(session, "GET", url, ResourceKind::kSecret);
}

Status ListSecrets(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets"}));
  KH_ASSIGN_OR_RETURN(boost::json::array items, session.api.ListAll(url));
  session.Print(items, ResourceKind::kSecretItem);
  return Status::Ok();
}

Status ListSecretVersions(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets", name, "versions"}));
  KH_ASSIGN_OR_RETURN(boost::json::array items, session.api.ListAll(url));
  session.Print(items, ResourceKind::kSecretVersion);
  return Status::Ok();
}

Status UpdateSecret(const Session& session, const SecretUpdateArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      SecretUrl(session, args.vault, {"secrets", args.name, args.version}));
  KH_ASSIGN_OR_RETURN(boost::json::value result,
                      session.api.CallWithJson("PATCH", url, SecretUpdateBody(args)));
  session.Print(result, ResourceKind::kSecret);
  return Status::Ok();
}

Status DeleteSecret(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets", name}));
  return CallAndPrint(session, "DELETE", url, ResourceKind::kDeletedSecret);
}

Status ShowDeletedSecret(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"deletedsecrets", name}));
  return CallAndPrint(session, "GET", url, ResourceKind::kDeletedSecret);
}

Status ListDeletedSecrets(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"deletedsecrets"}));
  KH_ASSIGN_OR_RETURN(boost::json::array items, session.api.ListAll(url));
  session.Print(items, ResourceKind::kDeletedSecret);
  return Status::Ok();
}

Status RecoverSecret(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      SecretUrl(session, vault, {"deletedsecrets", name, "recover"}));
  return CallAndPrint(session, "POST", url, ResourceKind::kSecret);
}

Status PurgeSecret(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"deletedsecrets", name}));
  KH_ASSIGN_OR_RETURN(boost::json::value ignored, session.api.Call("DELETE", url));
  (void)ignored;
  return Status::Ok();
}

Status BackupSecret(const Session& session, std::string_view vault, std::string_view name,
                    const std::string& file) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets", name, "backup"}));
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.Call("POST", url));
  std::optional<std::string> blob = GetString(result, "value");
  if (!blob.has_value()) return Internal("the backup response has no \"value\"");
  StatusOr<std::string> bytes = Base64UrlDecode(*blob);
  if (!bytes.ok()) return Internal("the backup response \"value\" is not base64url");
  return WritePrivateFile(file, *bytes);
}

Status RestoreSecret(const Session& session, std::string_view vault, const std::string& file) {
  KH_ASSIGN_OR_RETURN(SecretBytes bytes, ReadFileBytes(file, kMaxBackupFileBytes));
  if (bytes.empty()) return InvalidArgument("backup file " + file + " is empty", "FileError");
  KH_ASSIGN_OR_RETURN(std::string url, SecretUrl(session, vault, {"secrets", "restore"}));
  boost::json::object body;
  body["value"] = Base64UrlEncode(bytes.Reveal());
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.CallWithJson("POST", url, body));
  session.Print(result, ResourceKind::kSecret);
  return Status::Ok();
}

}  // namespace kh::cli
