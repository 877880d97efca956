#include "crypto/internal/key_material_state.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace kh::crypto::internal {
namespace {

std::optional<EcCurve> CurveOf(const EVP_PKEY* pkey) {
  char name[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &length) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  const std::string_view n(name, length);
  if (n == SN_X9_62_prime256v1 || n == "P-256") return EcCurve::kP256;
  if (n == SN_secp256k1) return EcCurve::kP256K;
  if (n == SN_secp384r1 || n == "P-384") return EcCurve::kP384;
  if (n == SN_secp521r1 || n == "P-521") return EcCurve::kP521;
  return std::nullopt;
}

}  // namespace

const char* GroupName(EcCurve curve) {
  switch (curve) {
    case EcCurve::kP256:
      return SN_X9_62_prime256v1;
    case EcCurve::kP256K:
      return SN_secp256k1;
    case EcCurve::kP384:
      return SN_secp384r1;
    case EcCurve::kP521:
      return SN_secp521r1;
  }
  std::abort();
}

StatusOr<std::unique_ptr<KeyMaterialState>> StateFromPkey(PkeyPtr pkey, KeyType type) {
  auto state = std::make_unique<KeyMaterialState>();
  state->type = type;
  state->bits = EVP_PKEY_get_bits(pkey.get());
  if (type == KeyType::kRsa) {
    if (EVP_PKEY_is_a(pkey.get(), "RSA") != 1) return BadParameter("The key is not an RSA key.");
    if (state->bits < kMinRsaKeyBits || state->bits > kMaxRsaKeyBits) {
      return BadParameter("Unsupported key size (" + std::to_string(state->bits) +
                          "). RSA keys must have 2048 to 4096 bits.");
    }
  } else {
    if (EVP_PKEY_is_a(pkey.get(), "EC") != 1) return BadParameter("The key is not an EC key.");
    std::optional<EcCurve> curve = CurveOf(pkey.get());
    if (!curve) return BadParameter("The EC key's curve is not supported.");
    state->curve = *curve;
  }
  state->pkey = std::move(pkey);
  return state;
}

namespace {

constexpr int64_t kMinGeneratedExponent = 65537;
constexpr int64_t kMaxGeneratedExponent = INT32_MAX;

Status UnsupportedSize(int bits, std::string_view supported) {
  return BadParameter("Unsupported key size (" + std::to_string(bits) + "). Supported sizes are " +
                      std::string(supported) + ".");
}

}  // namespace

Status CheckRsaGeneration(int bits, int64_t public_exponent) {
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    return UnsupportedSize(bits, "[2048, 3072, 4096]");
  }
  if (public_exponent < kMinGeneratedExponent || public_exponent > kMaxGeneratedExponent ||
      public_exponent % 2 == 0) {
    return BadParameter("Unsupported public exponent (" + std::to_string(public_exponent) +
                        "). The public exponent must be an odd number from 65537 to " +
                        std::to_string(kMaxGeneratedExponent) + ".");
  }
  return Status::Ok();
}

Status CheckOctBits(int bits) {
  if (bits == 128 || bits == 192 || bits == 256) return Status::Ok();
  return UnsupportedSize(bits, "[128, 192, 256]");
}

Status BadParameter(std::string message) {
  ERR_clear_error();
  return InvalidArgument(std::move(message));
}

Status InvalidLength(std::string_view field, size_t actual, std::string_view requirement) {
  return BadParameter("Invalid length of '" + std::string(field) + "': " + std::to_string(actual) +
                      " bytes. " + std::string(requirement));
}

Status Incompatible(std::string_view operation, std::string_view detail) {
  return BadParameter("Key and " + std::string(operation) + " algorithm are incompatible. " +
                      std::string(detail));
}

Status DecryptionFailed(CipherMode mode) {
  switch (mode) {
    case CipherMode::kRsaOaep:
      return BadParameter("Error occurred while decoding OAEP padding.");
    case CipherMode::kRsaPkcs1:
      return BadParameter("Error occurred while decoding PKCS#1 padding.");
    case CipherMode::kAesKw:
    case CipherMode::kAesKwPad:
      return BadParameter("The wrapped key could not be unwrapped with this key.");
    case CipherMode::kAesGcm:
    case CipherMode::kAesCbc:
    case CipherMode::kAesCbcPad:
      break;
  }
  return BadParameter("The value could not be decrypted with this key and these parameters.");
}

}  // namespace kh::crypto::internal
