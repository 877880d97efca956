-- wrk script: Keyhaven key sign (POST /keys/{name}//sign), one fixed request.
--   KH_HOST    Host header, e.g. bench.localhost:PORT
--   KH_TOKEN   bearer token
--   KH_KEY     key name
--   KH_ALG     RS256 | ES256 (the digest is 32 bytes for both)
--   KH_API     api-version (default 2025-07-01)
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local api = os.getenv("KH_API") or "2025-07-01"
local key = assert(os.getenv("KH_KEY"), "KH_KEY is not set")
local alg = assert(os.getenv("KH_ALG"), "KH_ALG is not set")

wrk.method = "POST"
wrk.path = "/keys/" .. key .. "//sign?api-version=" .. api
wrk.headers["Host"] = assert(os.getenv("KH_HOST"), "KH_HOST is not set")
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("KH_TOKEN"), "KH_TOKEN is not set")
wrk.headers["Content-Type"] = "application/json"
-- SHA-256("keyhaven"), base64url: any 32 bytes do.
wrk.body = '{"alg":"' .. alg .. '","value":"zZUEWbwAxGLFD0wS1JG8RM9TqWxYF9eKSq9SLK_2E1w"}'

setup = common.setup
init = common.init
response = common.response
done = common.done
