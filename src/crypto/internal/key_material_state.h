#pragma once
// Private to src/crypto: the state behind a kh::crypto::KeyMaterial and the error helpers
// (key_material_state.cc) shared by key_material.cc (creation, storage), key_encryption.cc,
// key_signing.cc and aes_modes.cc. Includes no OpenSSL header (see openssl_util.h).
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/secret_bytes.h"
#include "core/status.h"
#include "crypto/hsm_token.h"
#include "crypto/internal/openssl_util.h"
#include "crypto/key_algorithms.h"
#include "crypto/key_material.h"

namespace kh::crypto::internal {

// Immutable once built. Software keys: exactly one of pkey (RSA, EC) and oct (oct) is set.
// HSM-protected keys (hsm set): the private or secret key is the token object whose CKA_ID is
// hsm_id; pkey holds only the public key (RSA, EC) and oct stays empty.
struct KeyMaterialState {
  KeyType type = KeyType::kRsa;
  PkeyPtr pkey;
  SecretBytes oct;
  EcCurve curve = EcCurve::kP256;  // meaningful for EC only
  int bits = 0;                    // RSA modulus bits, EC curve bits, oct key bits
  std::shared_ptr<HsmToken> hsm;
  std::string hsm_id;
  unsigned long hsm_handle = 0;  // the object's handle in this process (CK_OBJECT_HANDLE)
};

// The generation rules software and HSM keys share: RSA bits 2048/3072/4096 and an odd
// public exponent in [65537, 2^31 - 1]; oct bits 128/192/256. BadParameter otherwise.
Status CheckRsaGeneration(int bits, int64_t public_exponent);
Status CheckOctBits(int bits);

// OpenSSL's group name for a curve ("prime256v1", "secp256k1", ...).
const char* GroupName(EcCurve curve);

// The state for an RSA or EC key (a key pair, or for HSM keys the public key alone), or
// BadParameter if the key is of another type, size or curve than Key Vault supports.
StatusOr<std::unique_ptr<KeyMaterialState>> StateFromPkey(PkeyPtr pkey, KeyType type);

// The one door from other src/crypto files (certificate*.cc) into a KeyMaterial: read its state
// (e.g. the public EVP_PKEY) and wrap a state built with StateFromPkey.
class KeyMaterialAccess {
 public:
  static const KeyMaterialState& State(const KeyMaterial& key) { return *key.state_; }
  static KeyMaterial FromState(std::unique_ptr<KeyMaterialState> state) {
    return KeyMaterial(std::move(state));
  }
};

inline const unsigned char* UBytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// InvalidArgument with Azure code "BadParameter"; also drains the OpenSSL error queue, so a
// rejected input never leaves stale errors behind.
Status BadParameter(std::string message);

// "Invalid length of '<field>': <actual> bytes. <requirement>" (Azure's wording, e.g.
// "Invalid length of 'value': 10 bytes. RS256 requires 32 bytes.").
Status InvalidLength(std::string_view field, size_t actual, std::string_view requirement);

// "Key and <operation> algorithm are incompatible. <detail>" (Azure's wording), where operation is
// "signing" or "encryption".
Status Incompatible(std::string_view operation, std::string_view detail);

// The one status for a ciphertext that does not decrypt or authenticate, per family. For OAEP it
// is Azure's own text; the others say only that decryption failed.
Status DecryptionFailed(CipherMode mode);

}  // namespace kh::crypto::internal
