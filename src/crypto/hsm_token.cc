#include "crypto/hsm_token.h"

#include "crypto/internal/key_material_state.h"
#include "crypto/internal/pkcs11_token.h"

namespace kh::crypto {

Status RequireHsmToken(const std::shared_ptr<HsmToken>& hsm) {
  if (hsm) return Status::Ok();
  return internal::BadParameter(
      "HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM and imports with Hsm=true) need a PKCS#11 "
      "token, and none is configured for this Keyhaven server.");
}

HsmToken::HsmToken(std::unique_ptr<internal::Pkcs11Token> pkcs11) : pkcs11_(std::move(pkcs11)) {}
HsmToken::~HsmToken() = default;

StatusOr<std::shared_ptr<HsmToken>> HsmToken::Open(const HsmTokenConfig& config) {
  KH_ASSIGN_OR_RETURN(auto pkcs11, internal::Pkcs11Token::Open(config.module_path,
                                                               config.token_label, config.pin));
  return std::shared_ptr<HsmToken>(new HsmToken(std::move(pkcs11)));
}

const std::string& HsmToken::label() const { return pkcs11_->label(); }
const std::string& HsmToken::serial() const { return pkcs11_->serial(); }

}  // namespace kh::crypto
