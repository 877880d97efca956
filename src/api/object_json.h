#pragma once
// Pieces shared by the handlers of secrets, keys and certificates: attributes, paging, backup
// blobs and the routes of the deleted-object collections.
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "api/call.h"
#include "domain/secret.h"
#include "domain/vault.h"

namespace kh::api {

// The vault a data-plane request names (Admit has resolved it).
inline const domain::Vault& VaultOf(const Call& call) { return *call.admission.vault; }

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

// {"value": [...], "nextLink": ...}: one page of a list at `path` (e.g. "/secrets").
boost::json::object ListPage(const Call& call, std::string_view path,
                             const std::optional<std::string>& next_marker, size_t page_size,
                             boost::json::array items);

Response NoContent();

// Backup and restore bodies, alike for every object kind: {"value": "<base64url blob>"}.
Response BackupBlobResponse(std::string_view blob);
StatusOr<std::string> ParseBackupBlob(const Call& call);

// /deleted{secrets|keys|certificates}[/{name}[/recover]]: list, get, purge (DELETE), recover.
struct DeletedCollectionRoutes {
  Response (*list)(const Call&);
  Response (*get)(const Call&, const std::string& name);
  Response (*purge)(const Call&, const std::string& name);
  Response (*recover)(const Call&, const std::string& name);
};
Response RouteDeletedCollection(const Call& call, const DeletedCollectionRoutes& routes);

}  // namespace kh::api
