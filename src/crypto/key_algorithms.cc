#include "crypto/key_algorithms.h"

#include <array>
#include <cstdlib>
#include <string>

namespace kh::crypto {
namespace {

using E = EncryptionAlgorithm;
using S = SignatureAlgorithm;

// Indexed by the enum's value; the order must match the enum declarations (checked in tests).
constexpr std::array<EncryptionAlgorithmInfo, 17> kEncryption = {{
    {"RSA1_5", KeyType::kRsa, CipherMode::kRsaPkcs1, 0, "", false},
    {"RSA-OAEP", KeyType::kRsa, CipherMode::kRsaOaep, 0, "SHA1", false},
    {"RSA-OAEP-256", KeyType::kRsa, CipherMode::kRsaOaep, 0, "SHA256", false},
    {"A128GCM", KeyType::kOct, CipherMode::kAesGcm, 16, "", false},
    {"A192GCM", KeyType::kOct, CipherMode::kAesGcm, 24, "", false},
    {"A256GCM", KeyType::kOct, CipherMode::kAesGcm, 32, "", false},
    {"A128CBC", KeyType::kOct, CipherMode::kAesCbc, 16, "", false},
    {"A192CBC", KeyType::kOct, CipherMode::kAesCbc, 24, "", false},
    {"A256CBC", KeyType::kOct, CipherMode::kAesCbc, 32, "", false},
    {"A128CBCPAD", KeyType::kOct, CipherMode::kAesCbcPad, 16, "", false},
    {"A192CBCPAD", KeyType::kOct, CipherMode::kAesCbcPad, 24, "", false},
    {"A256CBCPAD", KeyType::kOct, CipherMode::kAesCbcPad, 32, "", false},
    {"A128KW", KeyType::kOct, CipherMode::kAesKw, 16, "", true},
    {"A192KW", KeyType::kOct, CipherMode::kAesKw, 24, "", true},
    {"A256KW", KeyType::kOct, CipherMode::kAesKw, 32, "", true},
    {"CKM_AES_KEY_WRAP", KeyType::kOct, CipherMode::kAesKw, 0, "", true},
    {"CKM_AES_KEY_WRAP_PAD", KeyType::kOct, CipherMode::kAesKwPad, 0, "", true},
}};

constexpr std::array<SignatureAlgorithmInfo, 14> kSignature = {{
    {"RS256", KeyType::kRsa, SignatureScheme::kRsaPkcs1, "SHA256", 32, std::nullopt},
    {"RS384", KeyType::kRsa, SignatureScheme::kRsaPkcs1, "SHA384", 48, std::nullopt},
    {"RS512", KeyType::kRsa, SignatureScheme::kRsaPkcs1, "SHA512", 64, std::nullopt},
    {"PS256", KeyType::kRsa, SignatureScheme::kRsaPss, "SHA256", 32, std::nullopt},
    {"PS384", KeyType::kRsa, SignatureScheme::kRsaPss, "SHA384", 48, std::nullopt},
    {"PS512", KeyType::kRsa, SignatureScheme::kRsaPss, "SHA512", 64, std::nullopt},
    {"RSNULL", KeyType::kRsa, SignatureScheme::kRsaRaw, "", 0, std::nullopt},
    {"ES256", KeyType::kEc, SignatureScheme::kEcdsa, "SHA256", 32, EcCurve::kP256},
    {"ES256K", KeyType::kEc, SignatureScheme::kEcdsa, "SHA256", 32, EcCurve::kP256K},
    {"ES384", KeyType::kEc, SignatureScheme::kEcdsa, "SHA384", 48, EcCurve::kP384},
    {"ES512", KeyType::kEc, SignatureScheme::kEcdsa, "SHA512", 64, EcCurve::kP521},
    {"HS256", KeyType::kOct, SignatureScheme::kHmac, "SHA256", 0, std::nullopt},
    {"HS384", KeyType::kOct, SignatureScheme::kHmac, "SHA384", 0, std::nullopt},
    {"HS512", KeyType::kOct, SignatureScheme::kHmac, "SHA512", 0, std::nullopt},
}};

struct CurveEntry {
  std::string_view name;
  size_t coordinate_size;
  int bits;
};
constexpr std::array<CurveEntry, 4> kCurves = {{
    {"P-256", 32, 256},
    {"P-256K", 32, 256},
    {"P-384", 48, 384},
    {"P-521", 66, 521},
}};

std::string Quote(std::string_view name) {
  std::string out = "'";
  out.append(name.substr(0, kMaxQuotedNameLength));
  if (name.size() > kMaxQuotedNameLength) out += "...";
  return out + "'";
}

template <typename T, size_t N>
const T& At(const std::array<T, N>& table, size_t index) {
  if (index >= N) std::abort();  // an enum value outside its declaration: a programming error
  return table[index];
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEc:
      return "EC";
    case KeyType::kOct:
      return "oct";
  }
  std::abort();
}

StatusOr<KeyType> ParseKeyType(std::string_view kty) {
  if (kty == "RSA" || kty == "RSA-HSM") return KeyType::kRsa;
  if (kty == "EC" || kty == "EC-HSM") return KeyType::kEc;
  if (kty == "oct" || kty == "oct-HSM") return KeyType::kOct;
  return InvalidArgument("The key type " + Quote(kty) +
                         " is not supported. Supported key types are RSA, RSA-HSM, EC, EC-HSM, "
                         "oct and oct-HSM.");
}

std::string_view CurveName(EcCurve curve) { return At(kCurves, size_t(curve)).name; }
size_t CurveCoordinateSize(EcCurve curve) { return At(kCurves, size_t(curve)).coordinate_size; }
int CurveBits(EcCurve curve) { return At(kCurves, size_t(curve)).bits; }

StatusOr<EcCurve> ParseCurve(std::string_view crv) {
  for (size_t i = 0; i < kCurves.size(); ++i) {
    if (kCurves[i].name == crv) return static_cast<EcCurve>(i);
  }
  return InvalidArgument("The curve " + Quote(crv) +
                         " is not supported. Supported curves are P-256, P-256K, P-384 and P-521.");
}

StatusOr<EncryptionAlgorithm> ParseEncryptionAlgorithm(std::string_view alg) {
  for (size_t i = 0; i < kEncryption.size(); ++i) {
    if (kEncryption[i].name == alg) return static_cast<E>(i);
  }
  return InvalidArgument("The encryption algorithm " + Quote(alg) + " is not supported.");
}

const EncryptionAlgorithmInfo& Info(EncryptionAlgorithm alg) {
  return At(kEncryption, size_t(alg));
}

StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view alg) {
  for (size_t i = 0; i < kSignature.size(); ++i) {
    if (kSignature[i].name == alg) return static_cast<S>(i);
  }
  return InvalidArgument("The signature algorithm " + Quote(alg) + " is not supported.");
}

const SignatureAlgorithmInfo& Info(SignatureAlgorithm alg) { return At(kSignature, size_t(alg)); }

}  // namespace kh::crypto
