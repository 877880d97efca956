-- wrk script: the nginx reference, GET of one static file (same status checks and JSON summary).
--   KH_PATH   path of the static body (default /body.json)
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

wrk.method = "GET"
wrk.path = os.getenv("KH_PATH") or "/body.json"

setup = common.setup
init = common.init
response = common.response
done = common.done
