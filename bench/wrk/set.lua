-- wrk script: Keyhaven secret SET (PUT /secrets/{name}), each request a new version.
--
-- Writes to one secret name serialize inside the server, so each wrk thread cycles through its
-- own pool of names (w<thread>-<n>): the requests a thread has in flight (one per connection)
-- always name distinct secrets, and the server may group-commit all of them.
--   KH_HOST        Host header, e.g. bench.localhost:PORT
--   KH_TOKEN       bearer token
--   KH_API         api-version (default 2025-07-01)
--   KH_SET_NAMES   names per thread (default 1000; must exceed connections per thread)
--   KH_VALUE_LEN   secret value length in characters (default 200)
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

wrk.method = "PUT"
wrk.headers["Host"] = assert(os.getenv("KH_HOST"), "KH_HOST is not set")
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("KH_TOKEN"), "KH_TOKEN is not set")
wrk.headers["Content-Type"] = "application/json"

local api = os.getenv("KH_API") or "2025-07-01"
local pool = tonumber(os.getenv("KH_SET_NAMES") or "1000")
local value_len = tonumber(os.getenv("KH_VALUE_LEN") or "200")

setup = common.setup
response = common.response
done = common.done

local counter = 0
local body

function init(args)
  common.init()
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  local chars = {}
  for i = 1, value_len do
    local k = math.random(1, #alphabet)
    chars[i] = string.sub(alphabet, k, k)
  end
  body = '{"value":"' .. table.concat(chars) .. '"}'
end

function request()
  local name = string.format("w%d-%d", thread_id or 0, counter % pool)
  counter = counter + 1
  return wrk.format(nil, "/secrets/" .. name .. "?api-version=" .. api, nil, body)
end
