#pragma once
// Private to src/crypto: one logged-in PKCS#11 token (a SoftHSM2 token by default), reached
// through the module's C_GetFunctionList, with a pool of sessions so that worker threads can use
// the token at the same time. The calls here are plain PKCS#11; what Key Vault means by them
// (mechanisms for each Azure algorithm, templates) is in key_material_hsm.cc.
//
// Objects are named by CKA_ID (random bytes chosen by the caller), never by handle: handles are
// only meaningful within one process. The user PIN is held in a SecretBytes and handed to C_Login
// only.
//
// Errors. A token refusal of the caller's data (CKR_ENCRYPTED_DATA_INVALID, CKR_WRAPPED_KEY_*,
// CKR_DATA_LEN_RANGE, ...) is InvalidArgument with a fixed text; everything else (a missing
// object, a mechanism the token does not offer, a token gone) is Internal or FailedPrecondition,
// with the PKCS#11 return code in the message (codes never reveal data).
#include <p11-kit/pkcs11.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto::internal {

// An attribute template entry whose value the template owns.
struct Pkcs11Attribute {
  CK_ATTRIBUTE_TYPE type;
  std::string value;
};
Pkcs11Attribute BoolAttr(CK_ATTRIBUTE_TYPE type, bool value);
Pkcs11Attribute UlongAttr(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
Pkcs11Attribute BytesAttr(CK_ATTRIBUTE_TYPE type, std::string_view value);

class Pkcs11Token {
 public:
  // Loads the module, finds the initialized token whose label is `label` and logs in as the user.
  static StatusOr<std::unique_ptr<Pkcs11Token>> Open(const std::string& module_path,
                                                     const std::string& label,
                                                     const SecretBytes& pin);
  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  const std::string& label() const { return label_; }
  const std::string& serial() const { return serial_; }

  // The handle of the one object with this CKA_ID and class; NotFound-style Internal otherwise.
  StatusOr<CK_OBJECT_HANDLE> Find(std::string_view id, CK_OBJECT_CLASS object_class);

  // A key pair: the private key as a token object per `private_template`, the public key as a
  // session object whose `public_reads` attributes are returned (in order) before it goes.
  StatusOr<std::vector<std::string>> GenerateKeyPair(
      CK_MECHANISM_TYPE mechanism, const std::vector<Pkcs11Attribute>& public_template,
      const std::vector<Pkcs11Attribute>& private_template,
      const std::vector<CK_ATTRIBUTE_TYPE>& public_reads);
  Status GenerateKey(CK_MECHANISM_TYPE mechanism, const std::vector<Pkcs11Attribute>& templ);
  Status CreateObject(const std::vector<Pkcs11Attribute>& templ);
  // A copy of `source` (the same key, still non-extractable) under CKA_ID `new_id`.
  Status CopyObject(CK_OBJECT_HANDLE source, std::string_view new_id);
  Status DestroyObject(CK_OBJECT_HANDLE object);

  StatusOr<std::string> Sign(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                             std::string_view input);
  StatusOr<std::string> Encrypt(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                                std::string_view input);
  StatusOr<SecretBytes> Decrypt(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                                std::string_view input);
  // Wraps arbitrary bytes (AES key wrap works on key objects only): the bytes become a
  // short-lived generic-secret session object, wrapped with `kek`, then destroyed.
  StatusOr<std::string> WrapBytes(CK_OBJECT_HANDLE kek, const CK_MECHANISM& mechanism,
                                  std::string_view bytes);
  StatusOr<SecretBytes> UnwrapBytes(CK_OBJECT_HANDLE kek, const CK_MECHANISM& mechanism,
                                    std::string_view wrapped);

 private:
  class Session;
  Pkcs11Token() = default;
  StatusOr<CK_SESSION_HANDLE> AcquireSession();
  void ReleaseSession(CK_SESSION_HANDLE session, bool healthy);

  std::shared_ptr<struct Pkcs11Module> module_;
  CK_FUNCTION_LIST* f_ = nullptr;
  CK_SLOT_ID slot_ = 0;
  std::string label_;
  std::string serial_;
  std::mutex mu_;
  std::vector<CK_SESSION_HANDLE> idle_;
};

}  // namespace kh::crypto::internal
