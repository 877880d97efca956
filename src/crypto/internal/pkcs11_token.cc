#include "crypto/internal/pkcs11_token.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <map>

#include "crypto/rng.h"

namespace kh::crypto::internal {

// One loaded and C_Initialize'd module, shared by every token opened from it in this process.
struct Pkcs11Module {
  void* library = nullptr;
  CK_FUNCTION_LIST* functions = nullptr;
  bool finalize = false;  // we initialized it, so we finalize it
  ~Pkcs11Module() {
    if (finalize) functions->C_Finalize(nullptr);
    if (library) dlclose(library);
  }
};

namespace {

constexpr size_t kMaxSessions = 32;
constexpr size_t kMaxFound = 2;

std::string Hex(CK_RV rv) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "0x%08lx", static_cast<unsigned long>(rv));
  return buffer;
}

Status TokenError(std::string_view what, CK_RV rv) {
  return Internal("PKCS#11 " + std::string(what) + " failed (" + Hex(rv) + ").");
}

// Return codes that mean "this input does not decrypt / unwrap": the caller's data, not the token.
bool IsDataError(CK_RV rv) {
  switch (rv) {
    case CKR_ENCRYPTED_DATA_INVALID:
    case CKR_ENCRYPTED_DATA_LEN_RANGE:
    case CKR_WRAPPED_KEY_INVALID:
    case CKR_WRAPPED_KEY_LEN_RANGE:
    case CKR_DATA_INVALID:
    case CKR_DATA_LEN_RANGE:
    case CKR_GENERAL_ERROR:  // SoftHSM2's answer to a failed AES key-unwrap integrity check
      return true;
    default:
      return false;
  }
}

Status DataError(CK_RV rv) {
  return InvalidArgument("The token could not process the data (" + Hex(rv) + ").");
}

// Trailing-space-padded fixed-width PKCS#11 text fields.
std::string Trimmed(const unsigned char* text, size_t size) {
  std::string s(reinterpret_cast<const char*>(text), size);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

std::vector<CK_ATTRIBUTE> View(const std::vector<Pkcs11Attribute>& templ) {
  std::vector<CK_ATTRIBUTE> out;
  out.reserve(templ.size());
  for (const auto& a : templ) {
    out.push_back(CK_ATTRIBUTE{a.type, const_cast<char*>(a.value.data()), a.value.size()});
  }
  return out;
}

std::mutex& ModulesMutex() {
  static std::mutex mu;
  return mu;
}

StatusOr<std::shared_ptr<Pkcs11Module>> LoadModule(const std::string& path) {
  static std::map<std::string, std::weak_ptr<Pkcs11Module>> modules;
  std::lock_guard<std::mutex> lock(ModulesMutex());
  if (auto existing = modules[path].lock()) return existing;
  auto module = std::make_shared<Pkcs11Module>();
  module->library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->library) {
    return Internal("Cannot load the PKCS#11 module " + path + ".");
  }
  auto get_list =
      reinterpret_cast<CK_C_GetFunctionList>(dlsym(module->library, "C_GetFunctionList"));
  if (!get_list || get_list(&module->functions) != CKR_OK || !module->functions) {
    return Internal(path + " is not a PKCS#11 module (no C_GetFunctionList).");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;  // worker threads call in concurrently
  CK_RV rv = module->functions->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    return TokenError("C_Initialize", rv);
  }
  module->finalize = rv == CKR_OK;
  modules[path] = module;
  return module;
}

}  // namespace

Pkcs11Attribute BoolAttr(CK_ATTRIBUTE_TYPE type, bool value) {
  CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
  return {type, std::string(reinterpret_cast<const char*>(&b), sizeof(b))};
}

Pkcs11Attribute UlongAttr(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  return {type, std::string(reinterpret_cast<const char*>(&value), sizeof(value))};
}

Pkcs11Attribute BytesAttr(CK_ATTRIBUTE_TYPE type, std::string_view value) {
  return {type, std::string(value)};
}

// A pooled session, returned to the pool when it goes out of scope.
class Pkcs11Token::Session {
 public:
  Session(Pkcs11Token* token, CK_SESSION_HANDLE handle) : token_(token), handle_(handle) {}
  ~Session() { token_->ReleaseSession(handle_, healthy_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  CK_SESSION_HANDLE get() const { return handle_; }
  // The token answered in a way that leaves the session unusable (closed, device removed).
  void MarkBroken(CK_RV rv) {
    if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
        rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT) {
      healthy_ = false;
    }
  }

 private:
  Pkcs11Token* token_;
  CK_SESSION_HANDLE handle_;
  bool healthy_ = true;
};

StatusOr<std::unique_ptr<Pkcs11Token>> Pkcs11Token::Open(const std::string& module_path,
                                                         const std::string& label,
                                                         const SecretBytes& pin) {
  std::unique_ptr<Pkcs11Token> token(new Pkcs11Token());
  KH_ASSIGN_OR_RETURN(token->module_, LoadModule(module_path));
  token->f_ = token->module_->functions;
  CK_ULONG count = 0;
  CK_RV rv = token->f_->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv != CKR_OK) return TokenError("C_GetSlotList", rv);
  std::vector<CK_SLOT_ID> slots(count);
  rv = token->f_->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return TokenError("C_GetSlotList", rv);
  bool found = false;
  for (CK_ULONG i = 0; i < count && !found; ++i) {
    CK_TOKEN_INFO info{};
    if (token->f_->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    if (!(info.flags & CKF_TOKEN_INITIALIZED)) continue;
    if (Trimmed(info.label, sizeof(info.label)) != label) continue;
    token->slot_ = slots[i];
    token->label_ = label;
    token->serial_ = Trimmed(info.serialNumber, sizeof(info.serialNumber));
    found = true;
  }
  if (!found) {
    return Internal("No initialized PKCS#11 token labelled '" + label + "' in " +
                              module_path + ".");
  }
  KH_ASSIGN_OR_RETURN(CK_SESSION_HANDLE session, token->AcquireSession());
  rv = token->f_->C_Login(session, CKU_USER, const_cast<CK_UTF8CHAR*>(pin.RevealData()),
                          pin.size());
  token->ReleaseSession(session, true);
  if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE) {
    return Internal("The PIN for PKCS#11 token '" + label + "' is wrong.");
  }
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) return TokenError("C_Login", rv);
  return token;
}

Pkcs11Token::~Pkcs11Token() {
  std::lock_guard<std::mutex> lock(mu_);
  for (CK_SESSION_HANDLE s : idle_) f_->C_CloseSession(s);
}

StatusOr<CK_SESSION_HANDLE> Pkcs11Token::AcquireSession() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      CK_SESSION_HANDLE s = idle_.back();
      idle_.pop_back();
      return s;
    }
  }
  CK_SESSION_HANDLE s = 0;
  CK_RV rv = f_->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s);
  if (rv != CKR_OK) return TokenError("C_OpenSession", rv);
  return s;
}

void Pkcs11Token::ReleaseSession(CK_SESSION_HANDLE session, bool healthy) {
  std::lock_guard<std::mutex> lock(mu_);
  // Keep at least one session open: closing a token's last session logs the application out.
  if (healthy && (idle_.size() < kMaxSessions || idle_.empty())) {
    idle_.push_back(session);
  } else {
    f_->C_CloseSession(session);
  }
}

#define KH_SESSION(name)                                        \
  KH_ASSIGN_OR_RETURN(CK_SESSION_HANDLE name##_handle, AcquireSession()); \
  Session name(this, name##_handle)

StatusOr<CK_OBJECT_HANDLE> Pkcs11Token::Find(std::string_view id, CK_OBJECT_CLASS object_class) {
  KH_SESSION(session);
  std::vector<Pkcs11Attribute> templ = {UlongAttr(CKA_CLASS, object_class), BytesAttr(CKA_ID, id)};
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_RV rv = f_->C_FindObjectsInit(session.get(), attrs.data(), attrs.size());
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_FindObjectsInit", rv);
  }
  CK_OBJECT_HANDLE found[kMaxFound];
  CK_ULONG count = 0;
  rv = f_->C_FindObjects(session.get(), found, kMaxFound, &count);
  f_->C_FindObjectsFinal(session.get());
  if (rv != CKR_OK) return TokenError("C_FindObjects", rv);
  if (count == 0) {
    return Internal("The key's material is not in PKCS#11 token '" + label_ + "'.");
  }
  if (count > 1) return Internal("Two PKCS#11 objects share one key id.");
  return found[0];
}

StatusOr<std::vector<std::string>> Pkcs11Token::GenerateKeyPair(
    CK_MECHANISM_TYPE mechanism, const std::vector<Pkcs11Attribute>& public_template,
    const std::vector<Pkcs11Attribute>& private_template,
    const std::vector<CK_ATTRIBUTE_TYPE>& public_reads) {
  KH_SESSION(session);
  CK_MECHANISM mech{mechanism, nullptr, 0};
  std::vector<CK_ATTRIBUTE> pub = View(public_template);
  std::vector<CK_ATTRIBUTE> priv = View(private_template);
  CK_OBJECT_HANDLE public_key = 0, private_key = 0;
  CK_RV rv = f_->C_GenerateKeyPair(session.get(), &mech, pub.data(), pub.size(), priv.data(),
                                   priv.size(), &public_key, &private_key);
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_GenerateKeyPair", rv);
  }
  std::vector<std::string> values;
  Status status = Status::Ok();
  for (CK_ATTRIBUTE_TYPE type : public_reads) {
    CK_ATTRIBUTE a{type, nullptr, 0};
    rv = f_->C_GetAttributeValue(session.get(), public_key, &a, 1);
    std::string value(rv == CKR_OK ? a.ulValueLen : 0, '\0');
    a.pValue = value.data();
    if (rv == CKR_OK) rv = f_->C_GetAttributeValue(session.get(), public_key, &a, 1);
    if (rv != CKR_OK) {
      status = TokenError("C_GetAttributeValue", rv);
      break;
    }
    values.push_back(std::move(value));
  }
  f_->C_DestroyObject(session.get(), public_key);
  if (!status.ok()) {
    f_->C_DestroyObject(session.get(), private_key);
    return status;
  }
  return values;
}

Status Pkcs11Token::GenerateKey(CK_MECHANISM_TYPE mechanism,
                                const std::vector<Pkcs11Attribute>& templ) {
  KH_SESSION(session);
  CK_MECHANISM mech{mechanism, nullptr, 0};
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_OBJECT_HANDLE key = 0;
  CK_RV rv = f_->C_GenerateKey(session.get(), &mech, attrs.data(), attrs.size(), &key);
  session.MarkBroken(rv);
  return rv == CKR_OK ? Status::Ok() : TokenError("C_GenerateKey", rv);
}

Status Pkcs11Token::CreateObject(const std::vector<Pkcs11Attribute>& templ) {
  KH_SESSION(session);
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_OBJECT_HANDLE object = 0;
  CK_RV rv = f_->C_CreateObject(session.get(), attrs.data(), attrs.size(), &object);
  session.MarkBroken(rv);
  return rv == CKR_OK ? Status::Ok() : TokenError("C_CreateObject", rv);
}

Status Pkcs11Token::CopyObject(CK_OBJECT_HANDLE source, std::string_view new_id) {
  KH_SESSION(session);
  std::vector<Pkcs11Attribute> templ = {BytesAttr(CKA_ID, new_id)};
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_OBJECT_HANDLE copy = 0;
  CK_RV rv = f_->C_CopyObject(session.get(), source, attrs.data(), attrs.size(), &copy);
  session.MarkBroken(rv);
  return rv == CKR_OK ? Status::Ok() : TokenError("C_CopyObject", rv);
}

Status Pkcs11Token::DestroyObject(CK_OBJECT_HANDLE object) {
  KH_SESSION(session);
  CK_RV rv = f_->C_DestroyObject(session.get(), object);
  session.MarkBroken(rv);
  return rv == CKR_OK ? Status::Ok() : TokenError("C_DestroyObject", rv);
}

StatusOr<std::string> Pkcs11Token::Sign(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                                        std::string_view input) {
  KH_SESSION(session);
  CK_MECHANISM mech = mechanism;
  CK_RV rv = f_->C_SignInit(session.get(), &mech, key);
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_SignInit", rv);
  }
  auto* in = reinterpret_cast<CK_BYTE*>(const_cast<char*>(input.data()));
  CK_ULONG size = 0;
  rv = f_->C_Sign(session.get(), in, input.size(), nullptr, &size);  // the length only
  std::string out(size, '\0');
  if (rv == CKR_OK) {
    rv = f_->C_Sign(session.get(), in, input.size(), reinterpret_cast<CK_BYTE*>(out.data()),
                    &size);
  }
  if (rv != CKR_OK) return TokenError("C_Sign", rv);
  out.resize(size);
  return out;
}

StatusOr<std::string> Pkcs11Token::Encrypt(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                                           std::string_view input) {
  KH_SESSION(session);
  CK_MECHANISM mech = mechanism;
  CK_RV rv = f_->C_EncryptInit(session.get(), &mech, key);
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_EncryptInit", rv);
  }
  auto* in = reinterpret_cast<CK_BYTE*>(const_cast<char*>(input.data()));
  CK_ULONG size = 0;
  rv = f_->C_Encrypt(session.get(), in, input.size(), nullptr, &size);
  std::string out(size, '\0');
  if (rv == CKR_OK) {
    rv = f_->C_Encrypt(session.get(), in, input.size(), reinterpret_cast<CK_BYTE*>(out.data()),
                       &size);
  }
  if (rv != CKR_OK) return IsDataError(rv) ? DataError(rv) : TokenError("C_Encrypt", rv);
  out.resize(size);
  return out;
}

StatusOr<SecretBytes> Pkcs11Token::Decrypt(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism,
                                           std::string_view input) {
  KH_SESSION(session);
  CK_MECHANISM mech = mechanism;
  CK_RV rv = f_->C_DecryptInit(session.get(), &mech, key);
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_DecryptInit", rv);
  }
  auto* in = reinterpret_cast<CK_BYTE*>(const_cast<char*>(input.data()));
  // Padded modes only know the plaintext length after decrypting, so the buffer is the input's
  // size (a plaintext is never longer than its ciphertext in the modes used here).
  SecretBytes out(input.size() + 16);
  CK_ULONG size = out.size();
  rv = f_->C_Decrypt(session.get(), in, input.size(), out.MutableData(), &size);
  if (rv != CKR_OK) return IsDataError(rv) ? DataError(rv) : TokenError("C_Decrypt", rv);
  out.Resize(size);
  return out;
}

namespace {

// The class, type and lifetime of the short-lived objects WrapBytes and UnwrapBytes use.
std::vector<Pkcs11Attribute> TransientSecretTemplate() {
  return {UlongAttr(CKA_CLASS, CKO_SECRET_KEY), UlongAttr(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
          BoolAttr(CKA_TOKEN, false), BoolAttr(CKA_PRIVATE, true), BoolAttr(CKA_SENSITIVE, false),
          BoolAttr(CKA_EXTRACTABLE, true)};
}

}  // namespace

StatusOr<std::string> Pkcs11Token::WrapBytes(CK_OBJECT_HANDLE kek, const CK_MECHANISM& mechanism,
                                             std::string_view bytes) {
  KH_SESSION(session);
  std::vector<Pkcs11Attribute> templ = TransientSecretTemplate();
  templ.push_back(BytesAttr(CKA_VALUE, bytes));
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_OBJECT_HANDLE object = 0;
  CK_RV rv = f_->C_CreateObject(session.get(), attrs.data(), attrs.size(), &object);
  // The template held the caller's key: wipe our copy.
  for (auto& a : templ) std::fill(a.value.begin(), a.value.end(), '\0');
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return TokenError("C_CreateObject", rv);
  }
  CK_MECHANISM mech = mechanism;
  CK_ULONG size = 0;
  rv = f_->C_WrapKey(session.get(), &mech, kek, object, nullptr, &size);
  std::string out(size, '\0');
  if (rv == CKR_OK) {
    rv = f_->C_WrapKey(session.get(), &mech, kek, object, reinterpret_cast<CK_BYTE*>(out.data()),
                       &size);
  }
  f_->C_DestroyObject(session.get(), object);
  if (rv != CKR_OK) return IsDataError(rv) ? DataError(rv) : TokenError("C_WrapKey", rv);
  out.resize(size);
  return out;
}

StatusOr<SecretBytes> Pkcs11Token::UnwrapBytes(CK_OBJECT_HANDLE kek,
                                               const CK_MECHANISM& mechanism,
                                               std::string_view wrapped) {
  KH_SESSION(session);
  std::vector<Pkcs11Attribute> templ = TransientSecretTemplate();
  std::vector<CK_ATTRIBUTE> attrs = View(templ);
  CK_MECHANISM mech = mechanism;
  CK_OBJECT_HANDLE object = 0;
  CK_RV rv = f_->C_UnwrapKey(session.get(), &mech, kek,
                             reinterpret_cast<CK_BYTE*>(const_cast<char*>(wrapped.data())),
                             wrapped.size(), attrs.data(), attrs.size(), &object);
  if (rv != CKR_OK) {
    session.MarkBroken(rv);
    return IsDataError(rv) ? DataError(rv) : TokenError("C_UnwrapKey", rv);
  }
  CK_ATTRIBUTE value{CKA_VALUE, nullptr, 0};
  rv = f_->C_GetAttributeValue(session.get(), object, &value, 1);
  SecretBytes out(rv == CKR_OK ? value.ulValueLen : 0);
  value.pValue = out.MutableData();
  if (rv == CKR_OK) rv = f_->C_GetAttributeValue(session.get(), object, &value, 1);
  f_->C_DestroyObject(session.get(), object);
  if (rv != CKR_OK) return TokenError("C_GetAttributeValue", rv);
  return out;
}

#undef KH_SESSION

}  // namespace kh::crypto::internal
