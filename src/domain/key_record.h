#pragma once
// Conversion between KeyVersion and its stored Fields record, and the rules on what a caller may
// create, import or change (key types, sizes, curves, key_ops). The record holds the serialized
// private material (crypto::KeyMaterial::Serialize) next to the metadata; the barrier seals the
// whole record, so storage never sees the material in the clear.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fields.h"
#include "core/status_or.h"
#include "domain/key.h"

namespace kh::domain {

// Writes the metadata of `key` (everything but the material) into `fields`, keeping any other
// member (the material) as it is.
void KeyMetadataToFields(const KeyVersion& key, Fields& fields);
// The whole record: metadata plus key.material->Serialize(). key.material must be set.
Fields KeyToFields(const KeyVersion& key);
// The metadata only (material stays null).
KeyVersion KeyFromFields(std::string_view version, const Fields& fields);
// Deserializes the record's material; HSM material needs the token it lives in.
StatusOr<crypto::KeyMaterial> KeyMaterialFromFields(const Fields& fields,
                                                    const std::shared_ptr<crypto::HsmToken>& hsm);
// Replaces the record's material (used when backup and restore swap HSM token objects).
void SetKeyMaterial(Fields& fields, const crypto::KeyMaterial& material);
// Azure's kty for material: "RSA", "EC", "oct", with "-HSM" for HSM-protected keys.
std::string KtyOf(const crypto::KeyMaterial& material);

// Validates Azure key_ops names (BadParameter for an unknown one).
Status ValidateKeyOps(const std::vector<std::string>& ops);
// The key_ops a key of `type` gets when the request names none.
std::vector<std::string> DefaultKeyOps(crypto::KeyType type);

}  // namespace kh::domain
