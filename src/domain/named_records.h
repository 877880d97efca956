#pragma once
// Server-wide settings kept as named documents (sealed in the system scope under one prefix):
// alert rules are one kind. The caller owns the document's format. Thread-safe.
#include <string>
#include <utility>
#include <vector>

#include "barrier/barrier.h"
#include "core/status_or.h"

namespace kh::domain {

class NamedRecords {
 public:
  // `prefix` like "sys/alert-rules/"; `what` names one record in messages ("alert rule").
  NamedRecords(barrier::Barrier* barrier, std::string prefix, std::string what)
      : barrier_(barrier), prefix_(std::move(prefix)), what_(std::move(what)) {}

  // Names: 1-64 of letters, digits and '-', compared case-insensitively.
  Status Put(std::string_view name, std::string_view document);
  // (name as stored, document), by name.
  StatusOr<std::vector<std::pair<std::string, std::string>>> List();
  // NotFound when there is none.
  Status Delete(std::string_view name);
  Status CheckName(std::string_view name) const;

 private:
  barrier::Barrier* barrier_;
  std::string prefix_;
  std::string what_;
};

}  // namespace kh::domain
