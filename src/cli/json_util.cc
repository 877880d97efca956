#include "cli/json_util.h"

#include <string.h>  // explicit_bzero

#include <boost/container/pmr/memory_resource.hpp>
#include <boost/json/parse.hpp>
#include <new>

namespace kh::cli {
namespace {

class WipingResource final : public boost::container::pmr::memory_resource {
 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    return ::operator new(bytes, std::align_val_t(align));
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    explicit_bzero(p, bytes);
    ::operator delete(p, std::align_val_t(align));
  }
  bool do_is_equal(const memory_resource& other) const noexcept override {
    return dynamic_cast<const WipingResource*>(&other) != nullptr;
  }
};

}  // namespace

boost::json::storage_ptr WipingStorage() {
  static const boost::json::storage_ptr storage =
      boost::json::make_shared_resource<WipingResource>();
  return storage;
}

StatusOr<boost::json::value> ParseJson(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, WipingStorage());
  if (ec) return InvalidArgument(std::string(what) + " is not valid JSON", "InvalidJson");
  return v;
}

const boost::json::value* GetMember(const boost::json::value& v, std::string_view key) {
  const boost::json::object* obj = v.if_object();
  if (obj == nullptr) return nullptr;
  return obj->if_contains(key);
}

std::optional<std::string> GetString(const boost::json::value& v, std::string_view key) {
  const boost::json::value* m = GetMember(v, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return std::string(m->get_string());
}

std::optional<int64_t> GetInt(const boost::json::value& v, std::string_view key) {
  const boost::json::value* m = GetMember(v, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_int64()) return m->get_int64();
  if (m->is_uint64() && m->get_uint64() <= uint64_t(INT64_MAX)) {
    return static_cast<int64_t>(m->get_uint64());
  }
  if (m->is_double()) return static_cast<int64_t>(m->get_double());
  return std::nullopt;
}

std::optional<bool> GetBool(const boost::json::value& v, std::string_view key) {
  const boost::json::value* m = GetMember(v, key);
  if (m == nullptr || !m->is_bool()) return std::nullopt;
  return m->get_bool();
}

void AppendJsonQuoted(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace kh::cli
