#include "crypto/internal/key_material_state.h"

#include <openssl/err.h>

#include <string>
#include <utility>

namespace kh::crypto::internal {

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
