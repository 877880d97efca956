#pragma once
// Azure Key Vault key types, curves and algorithm identifiers (the REST API's JsonWebKeyType,
// JsonWebKeyCurveName, JsonWebKeyEncryptionAlgorithm and JsonWebKeySignatureAlgorithm) and what
// each algorithm requires of a key. Pure data: no OpenSSL, no state; every function is
// thread-safe.
//
// Names are matched exactly (case-sensitive), as the Azure SDKs send them. Parse* functions return
// InvalidArgument with Azure code "BadParameter" for an unknown name; the message quotes at most
// kMaxQuotedNameLength characters of it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status_or.h"

namespace kh::crypto {

// ---- Key types and sizes ----

enum class KeyType { kRsa, kEc, kOct };

// "RSA", "EC" or "oct": the software-key spelling. The key service decides whether to show the
// "-HSM" spelling.
std::string_view KeyTypeName(KeyType type);
// Accepts "RSA", "RSA-HSM", "EC", "EC-HSM", "oct" and "oct-HSM".
StatusOr<KeyType> ParseKeyType(std::string_view kty);

enum class EcCurve { kP256, kP256K, kP384, kP521 };

// "P-256", "P-256K" (secp256k1), "P-384", "P-521".
std::string_view CurveName(EcCurve curve);
StatusOr<EcCurve> ParseCurve(std::string_view crv);
// Bytes of one affine coordinate (and of the private scalar): 32, 32, 48, 66.
size_t CurveCoordinateSize(EcCurve curve);
// The curve's size in bits: 256, 256, 384, 521.
int CurveBits(EcCurve curve);

// Key sizes Key Vault creates: RSA 2048/3072/4096 bits, oct 128/192/256 bits. Imported RSA keys
// may have any modulus length in [kMinRsaKeyBits, kMaxRsaKeyBits].
inline constexpr int kDefaultRsaKeyBits = 2048;
inline constexpr int kMinRsaKeyBits = 2048;
inline constexpr int kMaxRsaKeyBits = 4096;
inline constexpr int64_t kDefaultRsaPublicExponent = 65537;
inline constexpr int kDefaultOctKeyBits = 256;

// ---- Encryption and key-wrap algorithms ----

enum class EncryptionAlgorithm {
  kRsa15,       // "RSA1_5": RSAES-PKCS1-v1_5 (Azure: not recommended)
  kRsaOaep,     // "RSA-OAEP": OAEP with SHA-1 and MGF1-SHA-1 (Azure: not recommended)
  kRsaOaep256,  // "RSA-OAEP-256": OAEP with SHA-256 and MGF1-SHA-256
  kA128Gcm,
  kA192Gcm,
  kA256Gcm,
  kA128Cbc,  // no padding: the plaintext must be a multiple of 16 bytes
  kA192Cbc,
  kA256Cbc,
  kA128CbcPad,  // PKCS#7 padding
  kA192CbcPad,
  kA256CbcPad,
  kA128Kw,  // RFC 3394 AES key wrap
  kA192Kw,
  kA256Kw,
  kCkmAesKeyWrap,     // "CKM_AES_KEY_WRAP": RFC 3394 with an AES key of any size
  kCkmAesKeyWrapPad,  // "CKM_AES_KEY_WRAP_PAD": RFC 5649 (key wrap with padding), any AES size
};

enum class CipherMode { kRsaPkcs1, kRsaOaep, kAesGcm, kAesCbc, kAesCbcPad, kAesKw, kAesKwPad };

struct EncryptionAlgorithmInfo {
  std::string_view name;
  KeyType key_type;
  CipherMode mode;
  // The AES key length the algorithm requires, in bytes; 0 means any of 16, 24, 32 (CKM_*) and
  // is 0 for RSA.
  size_t aes_key_bytes;
  // OpenSSL digest name for OAEP's hash and MGF1 ("SHA1", "SHA256"); empty otherwise.
  std::string_view oaep_digest;
  // True for the algorithms of wrapKey/unwrapKey only (AES key wrap). RSA algorithms serve both
  // encrypt/decrypt and wrapKey/unwrapKey; AES-GCM and AES-CBC serve encrypt/decrypt only.
  bool wrap_only;
};

StatusOr<EncryptionAlgorithm> ParseEncryptionAlgorithm(std::string_view alg);
const EncryptionAlgorithmInfo& Info(EncryptionAlgorithm alg);
inline std::string_view AlgorithmName(EncryptionAlgorithm alg) { return Info(alg).name; }

// ---- Signature algorithms ----

enum class SignatureAlgorithm {
  kRs256,  // RSASSA-PKCS1-v1_5
  kRs384,
  kRs512,
  kPs256,  // RSASSA-PSS, MGF1 with the same hash, salt length = digest length
  kPs384,
  kPs512,
  kRsNull,  // "RSNULL": PKCS#1 v1.5 type-1 padding over caller-built bytes (usually a DigestInfo)
  kEs256,   // ECDSA on P-256 with a SHA-256 digest; signature is JOSE r || s
  kEs256K,  // ECDSA on P-256K (secp256k1) with a SHA-256 digest
  kEs384,   // ECDSA on P-384 with a SHA-384 digest
  kEs512,   // ECDSA on P-521 with a SHA-512 digest
  kHs256,   // HMAC-SHA-256 of the value, with an oct key
  kHs384,
  kHs512,
};

enum class SignatureScheme { kRsaPkcs1, kRsaPss, kRsaRaw, kEcdsa, kHmac };

struct SignatureAlgorithmInfo {
  std::string_view name;
  KeyType key_type;
  SignatureScheme scheme;
  // OpenSSL digest name ("SHA256", ...); empty for RSNULL.
  std::string_view digest;
  // The exact length the signed value must have: the digest length for RS*, PS* and ES*; 0 for
  // RSNULL and HS* (any length, see KeyMaterial::Sign).
  size_t digest_size;
  // ES*: the one curve the algorithm may be used with.
  std::optional<EcCurve> curve;
};

StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view alg);
const SignatureAlgorithmInfo& Info(SignatureAlgorithm alg);
inline std::string_view AlgorithmName(SignatureAlgorithm alg) { return Info(alg).name; }

// Longest prefix of an unknown name that error messages repeat.
inline constexpr size_t kMaxQuotedNameLength = 32;

}  // namespace kh::crypto
