#pragma once
// KeyMaterial: the private material of one Key Vault key (RSA, EC or oct) and the cryptographic
// operations Key Vault performs with it (encrypt, decrypt, wrapKey, unwrapKey, sign, verify), with
// Azure's algorithm names (crypto/key_algorithms.h) and Azure's argument rules. It knows nothing
// of key ids, versions, attributes or key_ops: the key service checks those first.
//
// Errors. Every problem with the caller's input (wrong algorithm for the key type, size or curve;
// a digest, IV, tag or plaintext of the wrong length; a malformed or inconsistent imported key) is
// InvalidArgument with Azure code "BadParameter" and a message in Azure's style that is safe to
// show: messages never contain key material or data values, only names and lengths. A ciphertext
// that does not decrypt (bad padding, wrong GCM tag, failed key-unwrap integrity check) is also
// BadParameter, with one fixed message per algorithm family that says no more than Azure does
// about which step failed. Internal means OpenSSL itself failed.
//
// Cost. RSA key generation takes from ~100 ms (2048 bits) to several seconds (4096 bits), and
// importing an RSA key runs primality checks (up to ~1 s for 4096 bits); RSA private-key
// operations take about 1-20 ms. Callers must run generation, import and RSA operations on a
// worker thread, never on an I/O thread (DESIGN.md section 5).
//
// Threads. A KeyMaterial is immutable after construction; any number of threads may call its
// const methods concurrently. It is move-only (one owner of the secret); a moved-from
// KeyMaterial must not be used. Wrap it in a shared_ptr<const KeyMaterial> to share it.
//
// Known, inherited weaknesses (they are Azure's too, and Azure marks these algorithms "not
// recommended"): RSA1_5 decryption answers differently for valid and invalid padding, and so
// does A*CBCPAD decryption; a caller allowed to decrypt can use that as a padding oracle.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"
#include "crypto/hsm_token.h"
#include "crypto/key_algorithms.h"

namespace kh::crypto {

namespace internal {
struct KeyMaterialState;
class KeyMaterialAccess;  // src/crypto only (internal/key_material_state.h)
}  // namespace internal

// Limit on the value of one encrypt/decrypt/wrap/unwrap/HS* sign call (the HTTP body limit is
// lower still). RSA and ES* inputs are bounded by the key size anyway.
inline constexpr size_t kMaxKeyOperationInputBytes = size_t{1} << 20;
inline constexpr size_t kAesGcmIvSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;
inline constexpr size_t kAesCbcIvSize = 16;

// The JWK members of an ImportKey request, already base64url-decoded to big-endian bytes.
// Private members live in SecretBytes. Members that do not belong to kty are ignored.
struct JwkKeyComponents {
  KeyType kty = KeyType::kRsa;
  std::string n, e;                 // RSA public
  SecretBytes d, p, q, dp, dq, qi;  // RSA private (all required); d is also EC's private scalar
  std::string crv, x, y;            // EC public (all required, with d)
  SecretBytes k;                    // oct: 16, 24 or 32 bytes
};

// What GetKey may show of a key: the public JWK members, as big-endian bytes (base64url-encode
// them for JSON). Never holds private material; for oct keys only kty is set.
struct PublicJwk {
  KeyType kty = KeyType::kRsa;
  std::string n, e;       // RSA: minimal big-endian (e = 65537 is 01 00 01, "AQAB")
  std::string crv, x, y;  // EC: x and y left-padded to CurveCoordinateSize
};

// The iv, aad and tag members of a KeyOperationsParameters request; empty means absent.
// Members an algorithm does not use are ignored.
struct SymmetricParams {
  std::string_view iv = {};
  std::string_view aad = {};
  std::string_view tag = {};
};

// A KeyOperationResult's value, iv and tag (iv and tag empty when the algorithm has none).
struct EncryptResult {
  std::string ciphertext;
  std::string iv;
  std::string tag;
};

class KeyMaterial {
 public:
  // ---- Creation ----

  // A fresh RSA key. bits: 2048, 3072 or 4096. public_exponent: Azure's public_exponent; odd, in
  // [65537, 2^31 - 1] (FIPS 186-5 requires e > 2^16). Slow: see "Cost" above.
  static StatusOr<KeyMaterial> GenerateRsa(int bits = kDefaultRsaKeyBits,
                                           int64_t public_exponent = kDefaultRsaPublicExponent);
  static StatusOr<KeyMaterial> GenerateEc(EcCurve curve);
  // bits: 128, 192 or 256.
  static StatusOr<KeyMaterial> GenerateOct(int bits = kDefaultOctKeyBits);

  // Imports a key from its JWK members, checking that it is complete and consistent:
  // - RSA: n, e, d, p, q, dp, dq, qi all present; modulus of kMinRsaKeyBits..kMaxRsaKeyBits
  //   bits; e odd, >= 3 and at most 64 bits; p and q prime, n = p*q, d, dp, dq, qi consistent
  //   with them and e (so the private part matches the public part).
  // - EC: crv supported; x, y and d at most CurveCoordinateSize bytes each (shorter values are
  //   left-padded); (x, y) on the curve and equal to d*G; 0 < d < order.
  // - oct: k of 16, 24 or 32 bytes.
  // A key without its private members is refused (Key Vault keys always have them).
  static StatusOr<KeyMaterial> Import(const JwkKeyComponents& jwk);

  // ---- HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM) ----
  //
  // The private or secret key is generated in (or imported into) the PKCS#11 token as a
  // sensitive, non-extractable token object named by a random CKA_ID; this KeyMaterial holds
  // the token, that id and the public key. Every operation works as for a software key, with the
  // same argument rules and errors, except HS256/384/512 (BadParameter: PKCS#11 HMAC needs a
  // generic-secret key, and an oct-HSM key is an AES key, as in Managed HSM).

  static StatusOr<KeyMaterial> GenerateRsaInHsm(
      std::shared_ptr<HsmToken> hsm, int bits = kDefaultRsaKeyBits,
      int64_t public_exponent = kDefaultRsaPublicExponent);
  static StatusOr<KeyMaterial> GenerateEcInHsm(std::shared_ptr<HsmToken> hsm, EcCurve curve);
  static StatusOr<KeyMaterial> GenerateOctInHsm(std::shared_ptr<HsmToken> hsm,
                                                int bits = kDefaultOctKeyBits);
  // Checks the key as Import does, then puts the private part into the token.
  static StatusOr<KeyMaterial> ImportToHsm(std::shared_ptr<HsmToken> hsm,
                                           const JwkKeyComponents& jwk);

  bool is_hsm() const;
  // The token copy that backups of this version refer to (the same key under another CKA_ID,
  // still inside the token): made on the first backup, reused by later ones, and left in place
  // when the key is purged, so that a backup restores after a purge, on this token only.
  StatusOr<KeyMaterial> HsmCopyForBackup() const;
  // A fresh token copy under a new random CKA_ID, for a restored version: every restore gets
  // its own object, so purging one vault's key never destroys another's.
  StatusOr<KeyMaterial> HsmCopyForRestore() const;
  // Destroys the token object (purge). Ok for software keys (nothing to do).
  Status DestroyInHsm() const;

  // ---- Storage ----

  // The private material in a self-describing, key-id-independent form for the (encrypting)
  // store: a version byte, a key-type byte, then PKCS#8 DER (RSA, EC) or the raw key (oct).
  SecretBytes Serialize() const;
  // HSM keys serialize to a reference (token serial, CKA_ID, public key) with no secret in it.
  // Parses Serialize()'s output. InvalidArgument if it is malformed or of an unsupported key
  // type, size or curve, or for an HSM key when `hsm` is not the token it lives in. Meant for
  // bytes from authenticated storage: it does not repeat Import's (slow) primality and
  // consistency checks.
  static StatusOr<KeyMaterial> Deserialize(const SecretBytes& serialized,
                                           const std::shared_ptr<HsmToken>& hsm = nullptr);

  // ---- Introspection ----

  KeyType type() const;
  // RSA: modulus bits; EC: CurveBits; oct: key bits.
  int size_bits() const;
  // Set for EC keys only.
  std::optional<EcCurve> curve() const;
  PublicJwk PublicComponents() const;

  // ---- Operations ----

  // encrypt: RSA1_5, RSA-OAEP, RSA-OAEP-256 (RSA keys; plaintext at most k-11, k-42 and k-66
  // bytes for a k-byte modulus); A*GCM (IV: 12 random bytes generated here and returned; a
  // caller-supplied iv is refused, as the SDKs never send one and a repeated GCM nonce would let
  // one caller forge ciphertexts for everyone using the key; aad optional; returns a 16-byte tag);
  // A*CBC (plaintext a multiple of 16 bytes) and A*CBCPAD (PKCS#7), with the caller's 16-byte iv
  // or, when absent, a random one (returned). The AES key must be exactly the algorithm's size.
  // Key-wrap algorithms (A*KW, CKM_AES_KEY_WRAP*) are refused: use WrapKey.
  StatusOr<EncryptResult> Encrypt(EncryptionAlgorithm alg, std::string_view plaintext,
                                  const SymmetricParams& params = {}) const;
  // decrypt: the same algorithms. A*GCM needs the 12-byte iv and the 16-byte tag (and the aad
  // used to encrypt); A*CBC* need the 16-byte iv.
  StatusOr<SecretBytes> Decrypt(EncryptionAlgorithm alg, std::string_view ciphertext,
                                const SymmetricParams& params = {}) const;

  // wrapKey: RSA1_5, RSA-OAEP, RSA-OAEP-256 (as Encrypt); A128KW/A192KW/A256KW (RFC 3394, key
  // size must match) and CKM_AES_KEY_WRAP (RFC 3394, any AES size): the key to wrap is a
  // multiple of 8 bytes, at least 16; CKM_AES_KEY_WRAP_PAD (RFC 5649, any AES size, any length
  // >= 1). AES-GCM and AES-CBC are refused: use Encrypt.
  StatusOr<std::string> WrapKey(EncryptionAlgorithm alg, std::string_view key_to_wrap) const;
  StatusOr<SecretBytes> UnwrapKey(EncryptionAlgorithm alg, std::string_view wrapped_key) const;

  // sign: the digest the client computed (Key Vault does not hash):
  // - RS256/384/512 (PKCS#1 v1.5; the DigestInfo is built here), PS256/384/512 (PSS, MGF1 with the
  //   same hash, salt length = digest length, as .NET's RSASignaturePadding.Pss and the Python
  //   SDK use): digest of exactly 32/48/64 bytes. Signature: modulus-size bytes.
  // - RSNULL: PKCS#1 v1.5 type-1 padding over the value as given (1..k-11 bytes).
  // - ES256 (P-256), ES256K (P-256K), ES384 (P-384), ES512 (P-521): digest of 32/32/48/64 bytes;
  //   signature: JOSE r || s, each CurveCoordinateSize bytes.
  // - HS256/384/512 (oct keys): HMAC of the value (any length up to kMaxKeyOperationInputBytes).
  StatusOr<std::string> Sign(SignatureAlgorithm alg, std::string_view digest) const;
  // verify: true iff signature is a valid signature of digest under this key. A wrong signature
  // (including one of the wrong length) is false, never an error; argument errors (algorithm
  // incompatible with the key, digest of the wrong length) are BadParameter as for Sign. HS*
  // tags are compared in constant time.
  StatusOr<bool> Verify(SignatureAlgorithm alg, std::string_view digest,
                        std::string_view signature) const;

  KeyMaterial(KeyMaterial&&) noexcept;
  KeyMaterial& operator=(KeyMaterial&&) noexcept;
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;
  ~KeyMaterial();

 private:
  friend class internal::KeyMaterialAccess;
  explicit KeyMaterial(std::unique_ptr<internal::KeyMaterialState> state);
  std::unique_ptr<internal::KeyMaterialState> state_;
};

}  // namespace kh::crypto
