#include "crypto/internal/aes_modes.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "crypto/internal/key_material_state.h"
#include "crypto/internal/openssl_util.h"

namespace kh::crypto::internal {
namespace {

using CipherPtr = OsslPtr<EVP_CIPHER, EVP_CIPHER_free>;
using CipherCtxPtr = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

enum Kind { kGcm = 0, kCbc = 1, kWrap = 2, kWrapPad = 3 };

// Fetching is a locked lookup in the provider store, so each cipher is fetched once. An
// EVP_CIPHER is immutable and safe to share between threads. A cipher the provider lacks stays
// null and its use fails with Internal.
const EVP_CIPHER* Cipher(Kind kind, size_t key_bytes) {
  static const std::array<CipherPtr, 12> table = [] {
    constexpr const char* kNames[12] = {
        "AES-128-GCM",  "AES-192-GCM",      "AES-256-GCM",      "AES-128-CBC",
        "AES-192-CBC",  "AES-256-CBC",      "AES-128-WRAP",     "AES-192-WRAP",
        "AES-256-WRAP", "AES-128-WRAP-PAD", "AES-192-WRAP-PAD", "AES-256-WRAP-PAD",
    };
    std::array<CipherPtr, 12> fetched;
    for (size_t i = 0; i < fetched.size(); ++i) {
      fetched[i].reset(EVP_CIPHER_fetch(nullptr, kNames[i], nullptr));
    }
    ERR_clear_error();
    return fetched;
  }();
  const size_t size_index = key_bytes == 16 ? 0 : key_bytes == 24 ? 1 : key_bytes == 32 ? 2 : 3;
  if (size_index == 3) return nullptr;
  return table[static_cast<size_t>(kind) * 3 + size_index].get();
}

unsigned char* Out(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// A context initialized for kind with key and iv (iv may be empty for key wrap).
StatusOr<CipherCtxPtr> NewContext(Kind kind, const SecretBytes& key, std::string_view iv,
                                  bool encrypt) {
  const EVP_CIPHER* cipher = Cipher(kind, key.size());
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return OpenSslError("AES cipher unavailable");
  // OpenSSL refuses wrap-mode ciphers unless the caller says it knows they are not stream ciphers.
  if (kind == kWrap || kind == kWrapPad) {
    EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  }
  const unsigned char* iv_bytes = iv.empty() ? nullptr : UBytes(iv);
  const int ok = encrypt
                     ? EVP_EncryptInit_ex2(ctx.get(), cipher, key.RevealData(), iv_bytes, nullptr)
                     : EVP_DecryptInit_ex2(ctx.get(), cipher, key.RevealData(), iv_bytes, nullptr);
  if (ok != 1) return OpenSslError("AES init failed");
  return ctx;
}

}  // namespace

StatusOr<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view aad, std::string_view plaintext,
                                    std::string* tag) {
  // GCM's default IV length is the 12 bytes the caller checked, so no SET_IVLEN is needed.
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx, NewContext(kGcm, key, iv, /*encrypt=*/true));
  std::string out(plaintext.size(), '\0');
  int length = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &length, UBytes(aad),
                                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-GCM AAD failed");
  }
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), Out(out), &length, UBytes(plaintext),
                                              static_cast<int>(plaintext.size())) != 1) {
    return OpenSslError("AES-GCM encrypt failed");
  }
  unsigned char scratch[16];  // GCM is a stream mode: Final writes nothing
  tag->assign(16, '\0');
  if (EVP_EncryptFinal_ex(ctx.get(), scratch, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, Out(*tag)) != 1) {
    return OpenSslError("AES-GCM finalize failed");
  }
  return out;
}

StatusOr<SecretBytes> AesGcmDecrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view aad, std::string_view ciphertext,
                                    std::string_view tag) {
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx, NewContext(kGcm, key, iv, /*encrypt=*/false));
  SecretBytes out(ciphertext.size());
  int length = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &length, UBytes(aad),
                                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-GCM AAD failed");
  }
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), out.MutableData(), &length, UBytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1) {
    return OpenSslError("AES-GCM decrypt failed");
  }
  // The tag is compared inside OpenSSL with CRYPTO_memcmp (constant time).
  unsigned char tag_copy[16];
  std::copy(tag.begin(), tag.end(), tag_copy);
  unsigned char scratch[16];
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag_copy) != 1) {
    return OpenSslError("AES-GCM set tag failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), scratch, &length) != 1) {
    return DecryptionFailed(CipherMode::kAesGcm);  // `out` is wiped by its destructor
  }
  return out;
}

StatusOr<std::string> AesCbcEncrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view plaintext, bool pad) {
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx, NewContext(kCbc, key, iv, /*encrypt=*/true));
  EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0);
  std::string out(plaintext.size() + 16, '\0');
  int length = 0;
  int final_length = 0;
  if ((!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), Out(out), &length, UBytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), Out(out) + length, &final_length) != 1) {
    return OpenSslError("AES-CBC encrypt failed");
  }
  out.resize(static_cast<size_t>(length + final_length));
  return out;
}

StatusOr<SecretBytes> AesCbcDecrypt(const SecretBytes& key, std::string_view iv,
                                    std::string_view ciphertext, bool pad) {
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx, NewContext(kCbc, key, iv, /*encrypt=*/false));
  EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0);
  SecretBytes out(ciphertext.size() + 16);
  int length = 0;
  int final_length = 0;
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), out.MutableData(), &length, UBytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1) {
    return OpenSslError("AES-CBC decrypt failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.MutableData() + length, &final_length) != 1) {
    return DecryptionFailed(pad ? CipherMode::kAesCbcPad : CipherMode::kAesCbc);
  }
  out.Resize(static_cast<size_t>(length + final_length));
  return out;
}

StatusOr<std::string> AesKeyWrap(const SecretBytes& key, std::string_view key_to_wrap, bool pad) {
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx,
                      NewContext(pad ? kWrapPad : kWrap, key, {}, /*encrypt=*/true));
  // RFC 3394 adds 8 bytes; RFC 5649 pads to a multiple of 8 and adds 8.
  std::string out(key_to_wrap.size() + 16, '\0');
  int length = 0;
  int final_length = 0;
  if (EVP_EncryptUpdate(ctx.get(), Out(out), &length, UBytes(key_to_wrap),
                        static_cast<int>(key_to_wrap.size())) != 1 ||
      length <= 0 || EVP_EncryptFinal_ex(ctx.get(), Out(out) + length, &final_length) != 1) {
    return OpenSslError("AES key wrap failed");
  }
  out.resize(static_cast<size_t>(length + final_length));
  return out;
}

StatusOr<SecretBytes> AesKeyUnwrap(const SecretBytes& key, std::string_view wrapped, bool pad) {
  KH_ASSIGN_OR_RETURN(CipherCtxPtr ctx,
                      NewContext(pad ? kWrapPad : kWrap, key, {}, /*encrypt=*/false));
  SecretBytes out(wrapped.size());
  int length = 0;
  int final_length = 0;
  // The integrity check (and, for RFC 5649, the padding check) happens inside Update.
  if (EVP_DecryptUpdate(ctx.get(), out.MutableData(), &length, UBytes(wrapped),
                        static_cast<int>(wrapped.size())) != 1 ||
      length <= 0 ||
      EVP_DecryptFinal_ex(ctx.get(), out.MutableData() + length, &final_length) != 1) {
    return DecryptionFailed(pad ? CipherMode::kAesKwPad : CipherMode::kAesKw);
  }
  out.Resize(static_cast<size_t>(length + final_length));
  return out;
}

}  // namespace kh::crypto::internal
