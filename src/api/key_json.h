#pragma once
// JSON of the keys data plane: KeyBundle, KeyItem, DeletedKeyBundle/DeletedKeyItem (Azure's
// field names; public JWK members only, never private parts) and the parsing of a caller's JWK
// (ImportKey) and key_ops. Every malformed member is a 400 BadParameter. Thread-safe (pure).
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/call.h"
#include "crypto/key_material.h"
#include "domain/key.h"
#include "domain/key_rotation.h"

namespace kh::api {

// https://{vault}.{domain}[:port]/keys/{name}[/{version}]
std::string KeyId(const Call& call, std::string_view name, std::string_view version);

// KeyBundle: {key: {kid, kty, key_ops, n, e | crv, x, y}, attributes, tags, managed}.
boost::json::object KeyBundleToJson(const Call& call, const domain::KeyVersion& k);
// KeyItem: {kid, attributes, tags, managed}; lists of keys carry the base id, version lists the
// versioned one.
boost::json::object KeyItemToJson(const Call& call, const domain::KeyVersion& k, bool versioned_id);
// DeletedKeyBundle (is_item false) or DeletedKeyItem: the above plus recoveryId, deletedDate and
// scheduledPurgeDate.
boost::json::object DeletedKeyToJson(const Call& call, const domain::DeletedKey& d, bool is_item);

// KeyRotationPolicy: {id, lifetimeActions: [{trigger: {timeAfterCreate | timeBeforeExpiry},
// action: {type}}], attributes: {expiryTime, created, updated}}.
boost::json::object RotationPolicyToJson(const Call& call, std::string_view name,
                                         const domain::KeyRotationPolicy& policy);
// The body of UpdateKeyRotationPolicy (id, created and updated are read-only and ignored).
// Shape errors are BadParameter; the rules are domain::ValidateRotationPolicy's.
StatusOr<domain::KeyRotationPolicy> ParseRotationPolicy(const boost::json::object& body);

// key_ops: an array of strings (duplicates dropped); anything else is BadParameter. The key
// service checks the names.
StatusOr<std::optional<std::vector<std::string>>> ParseKeyOps(const boost::json::object& o,
                                                              std::string_view field);

// An ImportKey request's `key`: kty and the base64url members of that key type. `hsm` is set
// when kty has the "-HSM" suffix.
struct ParsedJwk {
  crypto::JwkKeyComponents components;
  std::optional<std::vector<std::string>> key_ops;
  bool hsm = false;
};
StatusOr<ParsedJwk> ParseJwk(const boost::json::object& jwk);

// A required or optional base64url member of a request body (Azure's binary fields).
StatusOr<std::optional<std::string>> OptBase64Url(const boost::json::object& o,
                                                  std::string_view field);

}  // namespace kh::api
