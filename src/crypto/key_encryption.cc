// KeyMaterial::Encrypt, Decrypt, WrapKey and UnwrapKey: argument checks in Azure's terms, then
// RSA here and AES in internal/aes_modes.cc.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>

#include "crypto/internal/aes_modes.h"
#include "crypto/internal/key_material_hsm.h"
#include "crypto/internal/key_material_state.h"
#include "crypto/internal/openssl_util.h"
#include "crypto/key_material.h"
#include "crypto/rng.h"

namespace kh::crypto {
namespace {

using internal::BadParameter;
using internal::DecryptionFailed;
using internal::Incompatible;
using internal::InvalidLength;
using internal::KeyMaterialState;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::UBytes;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

enum class Operation { kEncrypt, kDecrypt, kWrap, kUnwrap };

std::string Name(EncryptionAlgorithm alg) { return std::string(AlgorithmName(alg)); }

// Whether alg belongs to the operation, suits the key's type and (for AES) its size.
Status CheckAlgorithm(const KeyMaterialState& key, EncryptionAlgorithm alg, Operation op) {
  const EncryptionAlgorithmInfo& info = Info(alg);
  const bool wrap_op = op == Operation::kWrap || op == Operation::kUnwrap;
  if (info.wrap_only && !wrap_op) {
    return BadParameter("The algorithm '" + Name(alg) +
                        "' can only be used with the wrapKey and unwrapKey operations.");
  }
  if (wrap_op && info.key_type == KeyType::kOct && !info.wrap_only) {
    return BadParameter("The algorithm '" + Name(alg) +
                        "' can only be used with the encrypt and decrypt operations.");
  }
  if (info.key_type != key.type) {
    return Incompatible("encryption", "The key is of type '" + std::string(KeyTypeName(key.type)) +
                                          "' and algorithm '" + Name(alg) + "' requires an " +
                                          std::string(KeyTypeName(info.key_type)) + " key.");
  }
  if (info.aes_key_bytes != 0 && static_cast<size_t>(key.bits / 8) != info.aes_key_bytes) {
    return Incompatible("encryption", "The key has " + std::to_string(key.bits) +
                                          " bits and algorithm '" + Name(alg) + "' requires a " +
                                          std::to_string(info.aes_key_bytes * 8) + "-bit key.");
  }
  return Status::Ok();
}

Status CheckInputLimit(std::string_view field, size_t size) {
  if (size <= kMaxKeyOperationInputBytes) return Status::Ok();
  return InvalidLength(field, size,
                       "The limit is " + std::to_string(kMaxKeyOperationInputBytes) + " bytes.");
}

// ---- RSA ----

size_t RsaMaxPlaintext(const KeyMaterialState& key, const EncryptionAlgorithmInfo& info) {
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  if (info.mode == CipherMode::kRsaPkcs1) return k - 11;
  const size_t hash = info.oaep_digest == "SHA1" ? 20 : 32;
  return k - 2 * hash - 2;
}

StatusOr<PkeyCtxPtr> RsaContext(const KeyMaterialState& key, const EncryptionAlgorithmInfo& info,
                                bool encrypt) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  const std::string digest(info.oaep_digest);
  const bool oaep = info.mode == CipherMode::kRsaOaep;
  if (!ctx ||
      (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) !=
          1 ||
      (oaep && (EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx.get(), digest.c_str(), nullptr) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx.get(), digest.c_str(), nullptr) != 1))) {
    return OpenSslError("RSA context setup failed");
  }
  return ctx;
}

StatusOr<std::string> RsaEncrypt(const KeyMaterialState& key, EncryptionAlgorithm alg,
                                 std::string_view plaintext) {
  const EncryptionAlgorithmInfo& info = Info(alg);
  const size_t max = RsaMaxPlaintext(key, info);
  if (plaintext.size() > max) {
    return InvalidLength("value", plaintext.size(),
                         Name(alg) + " with a " + std::to_string(key.bits) +
                             "-bit key accepts at most " + std::to_string(max) + " bytes.");
  }
  KH_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, RsaContext(key, info, /*encrypt=*/true));
  size_t size = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  std::string out(size, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size,
                       UBytes(plaintext), plaintext.size()) != 1) {
    return OpenSslError("RSA encryption failed");
  }
  out.resize(size);
  return out;
}

StatusOr<SecretBytes> RsaDecrypt(const KeyMaterialState& key, EncryptionAlgorithm alg,
                                 std::string_view ciphertext) {
  const EncryptionAlgorithmInfo& info = Info(alg);
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  if (ciphertext.size() != k) {
    return InvalidLength("value", ciphertext.size(),
                         Name(alg) + " with a " + std::to_string(key.bits) + "-bit key requires " +
                             std::to_string(k) + " bytes.");
  }
  if (key.hsm) return internal::HsmRsaDecrypt(key, info, ciphertext);
  KH_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, RsaContext(key, info, /*encrypt=*/false));
  SecretBytes out(k);
  size_t size = k;
  // Every failure (padding, a value >= n) gets the same answer, so the error says nothing about
  // which check failed.
  if (EVP_PKEY_decrypt(ctx.get(), out.MutableData(), &size, UBytes(ciphertext),
                       ciphertext.size()) != 1) {
    return DecryptionFailed(info.mode);
  }
  out.Resize(size);
  return out;
}

// ---- AES ----

Status CheckIv(EncryptionAlgorithm alg, std::string_view iv, size_t expected) {
  if (iv.empty()) return BadParameter("'iv' is required for " + Name(alg) + ".");
  if (iv.size() != expected) {
    return InvalidLength("iv", iv.size(),
                         Name(alg) + " requires " + std::to_string(expected) + " bytes.");
  }
  return Status::Ok();
}

StatusOr<EncryptResult> AesEncrypt(const KeyMaterialState& key, EncryptionAlgorithm alg,
                                   std::string_view plaintext, const SymmetricParams& params) {
  const CipherMode mode = Info(alg).mode;
  EncryptResult result;
  if (mode == CipherMode::kAesGcm) {
    // A caller-chosen nonce could repeat, and one repeat under a shared key lets its holder forge
    // ciphertexts; Managed HSM generates the IV itself and the SDKs never send one.
    if (!params.iv.empty()) {
      return BadParameter("'iv' must not be given for " + Name(alg) +
                          " encryption: the service generates a random IV and returns it.");
    }
    KH_RETURN_IF_ERROR(CheckInputLimit("aad", params.aad.size()));
    result.iv = RandomBytes(kAesGcmIvSize);
    KH_ASSIGN_OR_RETURN(result.ciphertext,
                        key.hsm ? internal::HsmAesGcmEncrypt(key, result.iv, params.aad, plaintext,
                                                             &result.tag)
                                : internal::AesGcmEncrypt(key.oct, result.iv, params.aad,
                                                          plaintext, &result.tag));
    return result;
  }
  // CBC: the caller's IV (the .NET and JS SDKs generate one), else a random one.
  if (params.iv.empty()) {
    result.iv = RandomBytes(kAesCbcIvSize);
  } else {
    KH_RETURN_IF_ERROR(CheckIv(alg, params.iv, kAesCbcIvSize));
    result.iv = std::string(params.iv);
  }
  const bool pad = mode == CipherMode::kAesCbcPad;
  if (!pad && plaintext.size() % 16 != 0) {
    return InvalidLength("value", plaintext.size(),
                         Name(alg) + " requires a multiple of 16 bytes (use " + Name(alg) +
                             "PAD for other lengths).");
  }
  KH_ASSIGN_OR_RETURN(result.ciphertext,
                      key.hsm ? internal::HsmAesCbcEncrypt(key, result.iv, plaintext, pad)
                              : internal::AesCbcEncrypt(key.oct, result.iv, plaintext, pad));
  return result;
}

StatusOr<SecretBytes> AesDecrypt(const KeyMaterialState& key, EncryptionAlgorithm alg,
                                 std::string_view ciphertext, const SymmetricParams& params) {
  const CipherMode mode = Info(alg).mode;
  if (mode == CipherMode::kAesGcm) {
    KH_RETURN_IF_ERROR(CheckIv(alg, params.iv, kAesGcmIvSize));
    if (params.tag.empty()) return BadParameter("'tag' is required for " + Name(alg) + ".");
    if (params.tag.size() != kAesGcmTagSize) {
      return InvalidLength("tag", params.tag.size(),
                           Name(alg) + " requires " + std::to_string(kAesGcmTagSize) + " bytes.");
    }
    KH_RETURN_IF_ERROR(CheckInputLimit("aad", params.aad.size()));
    if (key.hsm) {
      return internal::HsmAesGcmDecrypt(key, params.iv, params.aad, ciphertext, params.tag);
    }
    return internal::AesGcmDecrypt(key.oct, params.iv, params.aad, ciphertext, params.tag);
  }
  KH_RETURN_IF_ERROR(CheckIv(alg, params.iv, kAesCbcIvSize));
  const bool pad = mode == CipherMode::kAesCbcPad;
  if (ciphertext.size() % 16 != 0 || (pad && ciphertext.empty())) {
    return InvalidLength(
        "value", ciphertext.size(),
        Name(alg) + " requires a " + (pad ? "non-zero " : "") + "multiple of 16 bytes.");
  }
  if (key.hsm) return internal::HsmAesCbcDecrypt(key, params.iv, ciphertext, pad);
  return internal::AesCbcDecrypt(key.oct, params.iv, ciphertext, pad);
}

StatusOr<std::string> AesWrap(const KeyMaterialState& key, EncryptionAlgorithm alg,
                              std::string_view key_to_wrap) {
  const bool pad = Info(alg).mode == CipherMode::kAesKwPad;
  if (pad ? key_to_wrap.empty() : (key_to_wrap.size() < 16 || key_to_wrap.size() % 8 != 0)) {
    return InvalidLength("value", key_to_wrap.size(),
                         Name(alg) + (pad ? " requires at least 1 byte."
                                          : " requires a multiple of 8 bytes, at least 16."));
  }
  if (key.hsm) return internal::HsmAesKeyWrap(key, key_to_wrap, pad);
  return internal::AesKeyWrap(key.oct, key_to_wrap, pad);
}

StatusOr<SecretBytes> AesUnwrap(const KeyMaterialState& key, EncryptionAlgorithm alg,
                                std::string_view wrapped) {
  const bool pad = Info(alg).mode == CipherMode::kAesKwPad;
  const size_t min = pad ? 16 : 24;
  if (wrapped.size() < min || wrapped.size() % 8 != 0) {
    return InvalidLength(
        "value", wrapped.size(),
        Name(alg) + " requires a multiple of 8 bytes, at least " + std::to_string(min) + ".");
  }
  if (key.hsm) return internal::HsmAesKeyUnwrap(key, wrapped, pad);
  return internal::AesKeyUnwrap(key.oct, wrapped, pad);
}

}  // namespace

StatusOr<EncryptResult> KeyMaterial::Encrypt(EncryptionAlgorithm alg, std::string_view plaintext,
                                             const SymmetricParams& params) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg, Operation::kEncrypt));
  KH_RETURN_IF_ERROR(CheckInputLimit("value", plaintext.size()));
  if (state_->type == KeyType::kOct) return AesEncrypt(*state_, alg, plaintext, params);
  EncryptResult result;
  KH_ASSIGN_OR_RETURN(result.ciphertext, RsaEncrypt(*state_, alg, plaintext));
  return result;
}

StatusOr<SecretBytes> KeyMaterial::Decrypt(EncryptionAlgorithm alg, std::string_view ciphertext,
                                           const SymmetricParams& params) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg, Operation::kDecrypt));
  KH_RETURN_IF_ERROR(CheckInputLimit("value", ciphertext.size()));
  if (state_->type == KeyType::kOct) return AesDecrypt(*state_, alg, ciphertext, params);
  return RsaDecrypt(*state_, alg, ciphertext);
}

StatusOr<std::string> KeyMaterial::WrapKey(EncryptionAlgorithm alg,
                                           std::string_view key_to_wrap) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg, Operation::kWrap));
  KH_RETURN_IF_ERROR(CheckInputLimit("value", key_to_wrap.size()));
  if (state_->type == KeyType::kOct) return AesWrap(*state_, alg, key_to_wrap);
  return RsaEncrypt(*state_, alg, key_to_wrap);
}

StatusOr<SecretBytes> KeyMaterial::UnwrapKey(EncryptionAlgorithm alg,
                                             std::string_view wrapped_key) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg, Operation::kUnwrap));
  KH_RETURN_IF_ERROR(CheckInputLimit("value", wrapped_key.size()));
  if (state_->type == KeyType::kOct) return AesUnwrap(*state_, alg, wrapped_key);
  return RsaDecrypt(*state_, alg, wrapped_key);
}

}  // namespace kh::crypto
