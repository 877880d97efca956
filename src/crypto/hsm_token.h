#pragma once
// HsmToken: the PKCS#11 token that holds Keyhaven's HSM-protected keys (RSA-HSM, EC-HSM,
// oct-HSM). Opened once at server start from the module path, the token's label and the user
// PIN; shared by every key whose material lives in it (crypto::KeyMaterial's "InHsm" methods).
// SoftHSM2 (Debian package softhsm2) is the default module; any PKCS#11 v2.20+ module offering
// the mechanisms listed in key_material_hsm.cc works.
//
// Thread-safe: worker threads use the token at once, each through its own PKCS#11 session.
#include <memory>
#include <string>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto {

namespace internal {
class Pkcs11Token;
}  // namespace internal

// Debian's SoftHSM2 module (package softhsm2).
inline constexpr char kDefaultPkcs11Module[] = "/usr/lib/softhsm/libsofthsm2.so";

struct HsmTokenConfig {
  std::string module_path = kDefaultPkcs11Module;
  std::string token_label;  // the initialized token to use (softhsm2-util --init-token --label)
  SecretBytes pin;          // the token's user PIN
};

class HsmToken;

// BadParameter, saying that HSM-protected keys need a PKCS#11 token, when `hsm` is null.
Status RequireHsmToken(const std::shared_ptr<HsmToken>& hsm);

class HsmToken {
 public:
  // Loads the module, finds the token by label and logs in. Internal with a message for the
  // operator if the module, the token or the PIN is wrong.
  static StatusOr<std::shared_ptr<HsmToken>> Open(const HsmTokenConfig& config);
  ~HsmToken();
  HsmToken(const HsmToken&) = delete;
  HsmToken& operator=(const HsmToken&) = delete;

  const std::string& label() const;
  // The token's serial number: a key's material names the token it lives in by this.
  const std::string& serial() const;

  // For src/crypto only.
  internal::Pkcs11Token& pkcs11() const { return *pkcs11_; }

 private:
  explicit HsmToken(std::unique_ptr<internal::Pkcs11Token> pkcs11);
  std::unique_ptr<internal::Pkcs11Token> pkcs11_;
};

}  // namespace kh::crypto
