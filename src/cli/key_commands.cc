#include "cli/key_commands.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "cli/files.h"
#include "cli/json_calls.h"
#include "cli/json_util.h"
#include "cli/output.h"
#include "cli/urls.h"
#include "core/base64.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxBackupFileBytes = 16 * 1024 * 1024;

StatusOr<std::string> KeyUrl(const Session& session, std::string_view vault,
                             const std::vector<std::string_view>& segments) {
  KH_ASSIGN_OR_RETURN(std::string vault_url, VaultUrl(session.api.server(), vault));
  return DataPlaneUrl(vault_url, segments);
}

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("key name must not be empty");
  return Status::Ok();
}

// Checks that `text` is base64url (what the server expects) before sending it.
Status CheckBase64Url(std::string_view what, std::string_view text) {
  if (!Base64UrlDecode(text).ok()) {
    return InvalidArgument(std::string(what) + " must be base64url (RFC 4648 section 5)");
  }
  return Status::Ok();
}

}  // namespace

json::value KeyCreateBody(const KeyCreateArgs& args) {
  json::object body{{"kty", args.kty}};
  if (args.size) body["key_size"] = *args.size;
  if (args.curve) body["crv"] = *args.curve;
  if (!args.ops.empty()) {
    json::array ops;
    for (const std::string& op : args.ops) ops.emplace_back(op);
    body["key_ops"] = std::move(ops);
  }
  if (args.disabled) body["attributes"] = json::object{{"enabled", false}};
  return json::value(std::move(body));
}

Status CreateKey(const Session& session, const KeyCreateArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, args.vault, {"keys", args.name, "create"}));
  KH_ASSIGN_OR_RETURN(json::value result,
                      session.api.CallWithJson("POST", url, KeyCreateBody(args)));
  return PrintPrettyJson(session, result);
}

Status ShowKey(const Session& session, std::string_view vault, std::string_view name,
               std::string_view version) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", name, version}));
  return CallAndPrintJson(session, "GET", url);
}

Status ListKeys(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys"}));
  return ListAllAndPrintJson(session, url);
}

Status ListKeyVersions(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", name, "versions"}));
  return ListAllAndPrintJson(session, url);
}

Status DeleteKey(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", name}));
  return CallAndPrintJson(session, "DELETE", url);
}

Status ListDeletedKeys(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"deletedkeys"}));
  return ListAllAndPrintJson(session, url);
}

Status RotateKey(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", name, "rotate"}));
  return CallAndPrintJson(session, "POST", url);
}

Status RecoverKey(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"deletedkeys", name, "recover"}));
  return CallAndPrintJson(session, "POST", url);
}

Status PurgeKey(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"deletedkeys", name}));
  return session.api.Call("DELETE", url).status();
}

Status BackupKey(const Session& session, std::string_view vault, std::string_view name,
                 const std::string& file) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", name, "backup"}));
  return SaveBackupBlob(session, url, file);
}

Status RestoreKey(const Session& session, std::string_view vault, const std::string& file) {
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, vault, {"keys", "restore"}));
  return RestoreBackupBlob(session, url, file, kMaxBackupFileBytes);
}

StatusOr<json::value> KeyOperationBody(const KeyOperationArgs& args) {
  json::object body{{"alg", args.algorithm}};
  KH_RETURN_IF_ERROR(CheckBase64Url("--value", args.value));
  if (args.operation == "verify") {
    if (!args.signature) return InvalidArgument("verify needs --signature");
    KH_RETURN_IF_ERROR(CheckBase64Url("--signature", *args.signature));
    body["digest"] = args.value;
    body["value"] = *args.signature;
    return json::value(std::move(body));
  }
  body["value"] = args.value;
  for (const auto& [name, field] :
       {std::pair{"iv", &args.iv}, std::pair{"aad", &args.aad}, std::pair{"tag", &args.tag}}) {
    if (!*field) continue;
    KH_RETURN_IF_ERROR(CheckBase64Url(std::string("--") + name, **field));
    body[name] = **field;
  }
  return json::value(std::move(body));
}

Status RunKeyOperation(const Session& session, const KeyOperationArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  KH_ASSIGN_OR_RETURN(json::value body, KeyOperationBody(args));
  // An empty version gives ".../keys/{name}//sign": the latest, as the SDKs send it.
  KH_ASSIGN_OR_RETURN(std::string url, KeyUrl(session, args.vault,
                                              {"keys", args.name, args.version, args.operation}));
  KH_ASSIGN_OR_RETURN(json::value result, session.api.CallWithJson("POST", url, body));
  return PrintPrettyJson(session, result);
}

}  // namespace kh::cli
