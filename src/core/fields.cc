#include "core/fields.h"

#include <charconv>
#include <cstdio>

namespace kh {
namespace {

constexpr char kFormatVersion = 1;

void PutLength(std::string& out, size_t n) {
  for (int i = 0; i < 4; ++i) out.push_back(char((n >> (8 * i)) & 0xff));
}

bool TakeLength(std::string_view& in, size_t& n) {
  if (in.size() < 4) return false;
  n = 0;
  for (int i = 0; i < 4; ++i) n |= size_t(uint8_t(in[i])) << (8 * i);
  in.remove_prefix(4);
  return true;
}

bool TakeString(std::string_view& in, std::string& out) {
  size_t n;
  if (!TakeLength(in, n) || in.size() < n) return false;
  out.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::optional<std::string> Fields::Get(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Fields::GetOr(std::string_view name, std::string_view fallback) const {
  auto v = Get(name);
  return v ? *v : std::string(fallback);
}

std::optional<int64_t> Fields::GetInt(std::string_view name) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) return std::nullopt;
  return out;
}

bool Fields::GetBool(std::string_view name, bool fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  return *v == "1";
}

std::string Fields::Encode() const {
  std::string out;
  out.push_back(kFormatVersion);
  PutLength(out, values_.size());
  for (const auto& [k, v] : values_) {
    PutLength(out, k.size());
    out += k;
    PutLength(out, v.size());
    out += v;
  }
  return out;
}

StatusOr<Fields> Fields::Decode(std::string_view in) {
  if (in.empty() || in[0] != kFormatVersion) return Internal("record has an unknown format");
  in.remove_prefix(1);
  size_t count;
  if (!TakeLength(in, count)) return Internal("record is truncated");
  Fields f;
  for (size_t i = 0; i < count; ++i) {
    std::string k, v;
    if (!TakeString(in, k) || !TakeString(in, v)) return Internal("record is truncated");
    f.values_.emplace(std::move(k), std::move(v));
  }
  if (!in.empty()) return Internal("record has trailing bytes");
  return f;
}

void Fields::SetMap(std::string_view name, const std::map<std::string, std::string>& map) {
  Fields sub;
  sub.values_ = map;
  Set(name, sub.Encode());
}

std::map<std::string, std::string> Fields::GetMap(std::string_view name) const {
  auto v = Get(name);
  if (!v) return {};
  auto sub = Decode(*v);
  if (!sub.ok()) return {};
  return sub->values_;
}

}  // namespace kh

namespace kh {

void Fields::SetList(std::string_view name, const std::vector<std::string>& list) {
  std::map<std::string, std::string> indexed;
  char key[24];  // a size_t in decimal fits
  for (size_t i = 0; i < list.size(); ++i) {
    std::snprintf(key, sizeof key, "%06zu", i);
    indexed[key] = list[i];
  }
  SetMap(name, indexed);
}

std::vector<std::string> Fields::GetList(std::string_view name) const {
  std::vector<std::string> out;
  for (auto& [index, value] : GetMap(name)) out.push_back(std::move(value));
  return out;
}

}  // namespace kh
