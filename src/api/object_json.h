#pragma once
// JSON pieces shared by secrets, keys and certificates: attributes and paging.
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "api/call.h"
#include "domain/secret.h"
#include "domain/vault.h"

namespace kh::api {

boost::json::object AttributesToJson(const domain::ObjectAttributes& attributes,
                                     const domain::Vault& vault);

struct AttributesInput {
  std::optional<bool> enabled;
  std::optional<std::optional<int64_t>> not_before;  // inner nullopt = explicitly null
  std::optional<std::optional<int64_t>> expires;
};
StatusOr<AttributesInput> ParseAttributes(const boost::json::object& body);

// The settable properties every object kind shares: contentType, tags and attributes.
struct PropertiesInput {
  std::optional<std::string> content_type;
  std::optional<std::map<std::string, std::string>> tags;
  AttributesInput attributes;
};
StatusOr<PropertiesInput> ParseProperties(const boost::json::object& body);

// maxresults: 1..25, default 25. $skiptoken: the opaque marker of the previous page.
struct PageRequest {
  size_t size = 0;
  std::string marker;
};
StatusOr<PageRequest> ParsePageRequest(const Call& call);
// The absolute nextLink for `path` (e.g. "/secrets") or null when there is no next page.
boost::json::value NextLink(const Call& call, std::string_view path,
                            const std::optional<std::string>& marker, size_t page_size);

}  // namespace kh::api
