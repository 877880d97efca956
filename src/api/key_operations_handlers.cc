// POST /keys/{name}/{version}/{encrypt|decrypt|wrapkey|unwrapkey|sign|verify}
// (azure-kv-dataplane.md sections 2 and 5). The http layer runs POSTs on the worker pool, so
// RSA private-key operations never run on an I/O thread.
#include <boost/json.hpp>

#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/key_handlers.h"
#include "api/key_json.h"
#include "core/base64.h"

namespace kh::api {
namespace json = boost::json;
namespace {

std::string_view ActionFor(domain::KeyOperation op) {
  switch (op) {
    case domain::KeyOperation::kEncrypt:
      return "Microsoft.KeyVault/vaults/keys/encrypt/action";
    case domain::KeyOperation::kDecrypt:
      return "Microsoft.KeyVault/vaults/keys/decrypt/action";
    case domain::KeyOperation::kWrapKey:
      return "Microsoft.KeyVault/vaults/keys/wrap/action";
    case domain::KeyOperation::kUnwrapKey:
      return "Microsoft.KeyVault/vaults/keys/unwrap/action";
    case domain::KeyOperation::kSign:
      return "Microsoft.KeyVault/vaults/keys/sign/action";
    case domain::KeyOperation::kVerify:
      return "Microsoft.KeyVault/vaults/keys/verify/action";
  }
  return "";
}

StatusOr<std::string> RequiredBase64Url(const json::object& body, std::string_view field) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> v, OptBase64Url(body, field));
  if (!v) return InvalidArgument("The property '" + std::string(field) + "' is required.");
  return std::move(*v);
}

StatusOr<domain::KeyOperationRequest> ParseOperation(const Call& call, domain::KeyOperation op) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  domain::KeyOperationRequest req;
  req.op = op;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> alg, OptString(body, "alg"));
  if (!alg || alg->empty()) return InvalidArgument("The property 'alg' is required.");
  req.algorithm = std::move(*alg);
  if (op == domain::KeyOperation::kVerify) {
    // KeyVerifyParameters: {alg, digest, value: signature}.
    KH_ASSIGN_OR_RETURN(req.value, RequiredBase64Url(body, "digest"));
    KH_ASSIGN_OR_RETURN(req.signature, RequiredBase64Url(body, "value"));
    return req;
  }
  KH_ASSIGN_OR_RETURN(req.value, RequiredBase64Url(body, "value"));
  if (op == domain::KeyOperation::kSign) return req;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> iv, OptBase64Url(body, "iv"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> aad, OptBase64Url(body, "aad"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> tag, OptBase64Url(body, "tag"));
  if (iv) req.iv = std::move(*iv);
  if (aad) req.aad = std::move(*aad);
  if (tag) req.tag = std::move(*tag);
  return req;
}

}  // namespace

std::optional<domain::KeyOperation> ParseKeyOperationPath(std::string_view segment) {
  if (segment == "encrypt") return domain::KeyOperation::kEncrypt;
  if (segment == "decrypt") return domain::KeyOperation::kDecrypt;
  if (segment == "wrapkey" || segment == "wrapKey") return domain::KeyOperation::kWrapKey;
  if (segment == "unwrapkey" || segment == "unwrapKey") return domain::KeyOperation::kUnwrapKey;
  if (segment == "sign") return domain::KeyOperation::kSign;
  if (segment == "verify") return domain::KeyOperation::kVerify;
  return std::nullopt;
}

Response KeyOperation(const Call& call, const std::string& name, const std::string& version,
                      domain::KeyOperation op) {
  if (auto denied = DenyData(call, ActionFor(op), "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::KeyOperationRequest req, ParseOperation(call, op));
    KH_ASSIGN_OR_RETURN(domain::KeyOperationResult result,
                        call.services.keys->Operate(*call.admission.vault, name, version, req));
    if (op == domain::KeyOperation::kVerify) {
      return JsonResponse(200, json::object{{"value", result.verified.value_or(false)}});
    }
    json::object o{{"kid", KeyId(call, name, result.kid_version)},
                   {"value", Base64UrlEncode(result.value)}};
    if (!result.iv.empty()) o["iv"] = Base64UrlEncode(result.iv);
    if (!result.tag.empty()) o["tag"] = Base64UrlEncode(result.tag);
    if (!req.aad.empty() && op == domain::KeyOperation::kEncrypt) {
      o["aad"] = Base64UrlEncode(req.aad);
    }
    return JsonResponse(200, o);
  });
}

}  // namespace kh::api
