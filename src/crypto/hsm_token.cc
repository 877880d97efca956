#include "crypto/hsm_token.h"

#include "crypto/internal/pkcs11_token.h"

namespace kh::crypto {

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
