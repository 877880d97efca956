#pragma once
// Private to src/crypto: the private-key and secret-key operations of HSM-protected keys
// (KeyMaterialState::hsm set), done by the PKCS#11 token, and the stored form of such keys. The
// callers (key_signing.cc, key_encryption.cc) have checked every argument as for software keys;
// public-key operations (RSA encrypt and wrap, RSA and EC verify) stay in OpenSSL with the
// public key. Decryption failures return DecryptionFailed(mode), like the software paths.
#include <memory>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"
#include "crypto/internal/key_material_state.h"

namespace kh::crypto::internal {

// The tag byte of Serialize()'s output that marks an HSM key.
inline constexpr uint8_t kTagHsm = 'H';

StatusOr<std::string> HsmSign(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
                              std::string_view digest);
StatusOr<SecretBytes> HsmRsaDecrypt(const KeyMaterialState& key,
                                    const EncryptionAlgorithmInfo& info,
                                    std::string_view ciphertext);

StatusOr<std::string> HsmAesGcmEncrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view aad, std::string_view plaintext,
                                       std::string* tag);
StatusOr<SecretBytes> HsmAesGcmDecrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view aad, std::string_view ciphertext,
                                       std::string_view tag);
StatusOr<std::string> HsmAesCbcEncrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view plaintext, bool pad);
StatusOr<SecretBytes> HsmAesCbcDecrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view ciphertext, bool pad);
StatusOr<std::string> HsmAesKeyWrap(const KeyMaterialState& key, std::string_view key_to_wrap,
                                    bool pad);
StatusOr<SecretBytes> HsmAesKeyUnwrap(const KeyMaterialState& key, std::string_view wrapped,
                                      bool pad);

// Serialize() of an HSM key: version, kTagHsm, then the key type, the token serial, the CKA_ID,
// the size and the public key (SubjectPublicKeyInfo DER; none for oct). No secret in it.
SecretBytes SerializeHsm(const KeyMaterialState& key, uint8_t version);
// The inverse, given the bytes after the two-byte header; BadParameter if the key lives in
// another token than `hsm` (or no token is configured), Internal if the token lacks it.
StatusOr<std::unique_ptr<KeyMaterialState>> DeserializeHsm(std::string_view payload,
                                                           const std::shared_ptr<HsmToken>& hsm);

}  // namespace kh::crypto::internal
