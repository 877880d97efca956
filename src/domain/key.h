#pragma once
// Key types of the domain: one version of a Key Vault key, the deleted state of a key name, and
// what a caller may create, import or change. The private material is a crypto::KeyMaterial,
// shared immutably; nothing here knows JSON.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/key_material.h"
#include "domain/secret.h"

namespace kh::domain {

// Azure's key_ops names.
inline constexpr const char* kAllKeyOps[] = {"encrypt", "decrypt",   "sign",   "verify",
                                             "wrapKey", "unwrapKey", "import", "export"};

struct KeyVersion {
  std::string name;                  // as first created
  std::string version;               // 32 hex chars
  std::string kty;                   // "RSA", "EC", "oct", or with "-HSM" (Azure's spelling)
  std::vector<std::string> key_ops;  // Azure's names, in the order given
  // The key material; null in listings (KeyItem carries no key).
  std::shared_ptr<const crypto::KeyMaterial> material;
  std::map<std::string, std::string> tags;
  ObjectAttributes attributes;
  bool exportable = false;
  bool managed = false;  // backs a certificate (later issue)
};

struct DeletedKey {
  KeyVersion latest;
  DeletedInfo deleted;
};

// CreateKey: kty, key_size (RSA 2048/3072/4096, oct 128/192/256), public_exponent, crv.
struct CreateKeyParams {
  std::string kty;  // RSA | EC | oct, or RSA-HSM | EC-HSM | oct-HSM (needs a PKCS#11 token)
  std::optional<int> key_size;
  std::optional<int64_t> public_exponent;
  std::optional<std::string> curve;                 // crv
  std::optional<std::vector<std::string>> key_ops;  // default: every op the key type supports
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
  std::optional<int64_t> not_before;
  std::optional<int64_t> expires;
  std::optional<bool> exportable;
};

// ImportKey: the JWK's private material, already decoded and validated by the caller's parse.
struct ImportKeyParams {
  crypto::JwkKeyComponents jwk;
  std::optional<std::vector<std::string>> key_ops;  // the JWK's key_ops, if it had some
  bool hsm = false;  // into the PKCS#11 token (refused when none is configured)
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
  std::optional<int64_t> not_before;
  std::optional<int64_t> expires;
  std::optional<bool> exportable;
};

// PATCH: only the present fields change. An inner nullopt clears nbf/exp.
struct KeyUpdate {
  std::optional<std::vector<std::string>> key_ops;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<bool> enabled;
  std::optional<std::optional<int64_t>> not_before;
  std::optional<std::optional<int64_t>> expires;
};

// The operations a key version performs through KeyService::Operate.
enum class KeyOperation { kEncrypt, kDecrypt, kWrapKey, kUnwrapKey, kSign, kVerify };

struct KeyOperationRequest {
  KeyOperation op = KeyOperation::kEncrypt;
  std::string algorithm;  // Azure's name, e.g. "RSA-OAEP-256", "ES256"
  std::string value;      // plaintext / ciphertext / key / digest (raw bytes)
  std::string iv, aad, tag;
  std::string signature;  // verify only
};

struct KeyOperationResult {
  std::string kid_version;       // the version that did it
  std::string value;             // result bytes (empty for verify)
  std::string iv, tag;           // encrypt with GCM/CBC
  std::optional<bool> verified;  // verify only
};

}  // namespace kh::domain
