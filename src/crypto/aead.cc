#include "crypto/aead.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;
using CipherPtr = OsslPtr<EVP_CIPHER, EVP_CIPHER_free>;
using CipherCtxPtr = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

// Fetching is a locked lookup in the provider store; do it once. An EVP_CIPHER is immutable and
// safe to share between threads.
const EVP_CIPHER* Aes256Gcm() {
  static const CipherPtr cipher = [] {
    CipherPtr fetched(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
    if (!fetched) {
      std::fputs("keyhaven: AES-256-GCM is not available from OpenSSL\n", stderr);
      std::abort();
    }
    return fetched;
  }();
  return cipher.get();
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status DecryptionFailed() {
  ERR_clear_error();
  return Status(StatusCode::kInternal, std::string(kDecryptionFailed),
                "The value could not be decrypted or failed authentication");
}

Status CheckInputs(const SecretBytes& key, size_t text_size, size_t aad_size) {
  if (key.size() != kAeadKeySize) return InvalidArgument("AEAD key must be 32 bytes");
  if (text_size > kAeadMaxInputBytes || aad_size > kAeadMaxInputBytes) {
    return InvalidArgument("AEAD input is too large");
  }
  return Status::Ok();
}

StatusOr<std::string> Seal(const SecretBytes& key, std::string_view plaintext,
                           std::string_view aad) {
  KH_RETURN_IF_ERROR(CheckInputs(key, plaintext.size(), aad.size()));
  std::string out(kAeadOverhead + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  unsigned char* ciphertext = nonce + kAeadNonceSize;
  unsigned char* tag = ciphertext + plaintext.size();
  internal::RandomFill(nonce, kAeadNonceSize);

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  // GCM's default IV length is 12 bytes, so no EVP_CTRL_AEAD_SET_IVLEN is needed.
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key.RevealData(), nonce, nullptr) != 1) {
    return OpenSslError("AES-GCM encrypt init failed");
  }
  int length = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(aad),
                                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-GCM AAD failed");
  }
  if (!plaintext.empty() && (EVP_EncryptUpdate(ctx.get(), ciphertext, &length, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1 ||
                             static_cast<size_t>(length) != plaintext.size())) {
    return OpenSslError("AES-GCM encrypt failed");
  }
  unsigned char scratch[16];  // GCM is a stream mode: Final outputs nothing
  if (EVP_EncryptFinal_ex(ctx.get(), scratch, &length) != 1 || length != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize), tag) !=
          1) {
    return OpenSslError("AES-GCM finalize failed");
  }
  return out;
}

}  // namespace

StatusOr<std::string> AeadSeal(const SecretBytes& key, std::string_view plaintext,
                               std::string_view aad) {
  return Seal(key, plaintext, aad);
}

StatusOr<std::string> AeadSeal(const SecretBytes& key, const SecretBytes& plaintext,
                               std::string_view aad) {
  return Seal(key, plaintext.Reveal(), aad);
}

StatusOr<SecretBytes> AeadOpen(const SecretBytes& key, std::string_view sealed,
                               std::string_view aad) {
  if (sealed.size() < kAeadOverhead) return DecryptionFailed();
  const size_t text_size = sealed.size() - kAeadOverhead;
  KH_RETURN_IF_ERROR(CheckInputs(key, text_size, aad.size()));
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* ciphertext = nonce + kAeadNonceSize;
  const unsigned char* tag = ciphertext + text_size;

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key.RevealData(), nonce, nullptr) != 1) {
    return OpenSslError("AES-GCM decrypt init failed");
  }
  int length = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(aad),
                                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-GCM AAD failed");
  }
  // Unauthenticated plaintext lands in a SecretBytes, which is wiped if the tag check fails.
  SecretBytes plaintext(text_size);
  if (text_size > 0 && (EVP_DecryptUpdate(ctx.get(), plaintext.MutableData(), &length, ciphertext,
                                          static_cast<int>(text_size)) != 1 ||
                        static_cast<size_t>(length) != text_size)) {
    return OpenSslError("AES-GCM decrypt failed");
  }
  // SET_TAG only reads the tag; the ctrl interface is not const-correct.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize),
                          const_cast<unsigned char*>(tag)) != 1) {
    return OpenSslError("AES-GCM set tag failed");
  }
  unsigned char scratch[16];
  if (EVP_DecryptFinal_ex(ctx.get(), scratch, &length) != 1) return DecryptionFailed();
  return plaintext;
}

}  // namespace kh::crypto
