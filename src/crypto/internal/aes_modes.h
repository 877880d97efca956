#pragma once
// Private to src/crypto: AES-GCM, AES-CBC and AES key wrap (RFC 3394 / RFC 5649) over a raw
// 16-, 24- or 32-byte key, for KeyMaterial's oct keys. The caller has already checked every length
// (key, IV, tag, block multiples, limits); these functions only run OpenSSL. Decryption and
// unwrap failures return DecryptionFailed(mode) (key_material_state.h); an OpenSSL failure
// returns Internal. Thread-safe (each call has its own cipher context).
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto::internal {

// Returns the ciphertext (same length as plaintext) and writes the 16-byte tag to *tag.
StatusOr<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view aad, std::string_view plaintext,
                                    std::string* tag);
StatusOr<SecretBytes> AesGcmDecrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view aad, std::string_view ciphertext,
                                    std::string_view tag);

// pad: PKCS#7 padding; without it the input must be a multiple of 16 bytes.
StatusOr<std::string> AesCbcEncrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view plaintext, bool pad);
StatusOr<SecretBytes> AesCbcDecrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view ciphertext, bool pad);

// pad: RFC 5649 (key wrap with padding) instead of RFC 3394. Default IVs.
StatusOr<std::string> AesKeyWrap(const SecretBytes& key, std::string_view key_to_wrap, bool pad);
StatusOr<SecretBytes> AesKeyUnwrap(const SecretBytes& key, std::string_view wrapped, bool pad);

}  // namespace kh::crypto::internal
