#pragma once
// StatusOr<T>: either a value or a non-OK Status. Accessing the value of an error aborts.
#include <cstdlib>
#include <optional>
#include <utility>

#include "core/status.h"

namespace kh {

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Internal("StatusOr constructed from OK status without a value");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    Check();
    return *value_;
  }
  const T& value() const& {
    Check();
    return *value_;
  }
  T&& value() && {
    Check();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!status_.ok()) std::abort();
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace kh

#define KH_CONCAT_INNER_(a, b) a##b
#define KH_CONCAT_(a, b) KH_CONCAT_INNER_(a, b)

#define KH_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::kh::Status kh_status_ = (expr);        \
    if (!kh_status_.ok()) return kh_status_; \
  } while (0)

#define KH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define KH_ASSIGN_OR_RETURN(lhs, expr) \
  KH_ASSIGN_OR_RETURN_IMPL_(KH_CONCAT_(kh_statusor_, __LINE__), lhs, expr)
