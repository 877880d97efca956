-- wrk script: Keyhaven secret GET, one fixed request (wrk formats it once).
--   KH_HOST   Host header, e.g. bench.localhost:PORT (wrk connects to the URL's 127.0.0.1)
--   KH_TOKEN  bearer token
--   KH_PATH   e.g. /secrets/seed/?api-version=2025-07-01
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

wrk.method = "GET"
wrk.path = assert(os.getenv("KH_PATH"), "KH_PATH is not set")
wrk.headers["Host"] = assert(os.getenv("KH_HOST"), "KH_HOST is not set")
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("KH_TOKEN"), "KH_TOKEN is not set")

setup = common.setup
init = common.init
response = common.response
done = common.done
