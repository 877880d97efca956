#pragma once
// Secret types of the domain: one version of a secret, the deleted state of a secret name, and
// what a caller may set or change. Values are SecretBytes; nothing here knows JSON.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/secret_bytes.h"

namespace kh::domain {

constexpr size_t kMaxSecretValueBytes = 25 * 1024;
constexpr size_t kMaxContentTypeLength = 255;
constexpr size_t kMaxTags = 15;
constexpr size_t kMaxTagNameLength = 512;
constexpr size_t kMaxTagValueLength = 256;

struct ObjectAttributes {
  bool enabled = true;
  std::optional<int64_t> not_before;  // nbf
  std::optional<int64_t> expires;     // exp
  int64_t created = 0;
  int64_t updated = 0;
};

struct SecretVersion {
  std::string name;     // as first created
  std::string version;  // 32 hex chars
  SecretBytes value;    // empty in listings
  std::optional<std::string> content_type;
  std::map<std::string, std::string> tags;
  ObjectAttributes attributes;
  // Set when the secret backs a certificate (later issues).
  std::optional<std::string> key_id;
  bool managed = false;
};

struct DeletedInfo {
  int64_t deleted_date = 0;
  int64_t scheduled_purge_date = 0;
};

struct DeletedSecret {
  SecretVersion latest;
  DeletedInfo deleted;
};

struct SetSecretParams {
  SecretBytes value;
  std::optional<std::string> content_type;
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
  std::optional<int64_t> not_before;
  std::optional<int64_t> expires;
};

// PATCH: only the present fields change. An inner nullopt clears nbf/exp.
struct SecretUpdate {
  std::optional<std::string> content_type;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<bool> enabled;
  std::optional<std::optional<int64_t>> not_before;
  std::optional<std::optional<int64_t>> expires;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_marker;  // opaque; pass back as `start_after`
};

constexpr size_t kMaxPageSize = 25;

}  // namespace kh::domain
