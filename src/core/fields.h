#pragma once
// Fields: a flat name→bytes record with a compact, versioned binary encoding. The domain uses it
// to persist its records without knowing JSON (DESIGN.md: no JSON below api/). Unknown fields
// survive a decode/encode round trip, so newer servers can add fields safely.
// Values may hold secret bytes: the encoded form is passed only to the barrier, which encrypts it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"

namespace kh {

class Fields {
 public:
  void Set(std::string_view name, std::string_view value) {
    values_[std::string(name)] = std::string(value);
  }
  void SetInt(std::string_view name, int64_t value) { Set(name, std::to_string(value)); }
  void SetBool(std::string_view name, bool value) { Set(name, value ? "1" : "0"); }
  void Erase(std::string_view name) { values_.erase(std::string(name)); }

  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string_view fallback) const;
  std::optional<int64_t> GetInt(std::string_view name) const;
  bool GetBool(std::string_view name, bool fallback) const;

  const std::map<std::string, std::string>& all() const { return values_; }

  std::string Encode() const;
  static StatusOr<Fields> Decode(std::string_view bytes);

  // Sub-records (for example the tags of a secret) are stored encoded in one field.
  void SetMap(std::string_view name, const std::map<std::string, std::string>& map);
  std::map<std::string, std::string> GetMap(std::string_view name) const;
  // Ordered lists are stored as a sub-record keyed by zero-padded index ("000000", ...).
  void SetList(std::string_view name, const std::vector<std::string>& list);
  std::vector<std::string> GetList(std::string_view name) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace kh
