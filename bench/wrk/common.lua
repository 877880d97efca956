-- Shared by the wrk scripts in this directory (loaded with dofile from get.lua, set.lua, static.lua).
--
-- Every response's status is checked in response(): anything outside 2xx is counted per thread,
-- and the first one's status and body start are kept. done() prints one machine-readable line,
--   BENCH_JSON {"label":..,"requests":..,"rps":..,"p50_us":..,"p99_us":..,"non2xx":..,...}
-- which scripts/bench parses, and warns loudly on stderr about non-2xx responses or socket errors.
--
-- Environment: BENCH_LABEL names the run in the JSON line.

local common = {}
local threads = {}

function common.setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function common.init()
  non2xx = 0
  first_bad = ""
end

function common.response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function common.done(summary, latency, requests)
  local non2xx_total, first = 0, ""
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
    local bad = thread:get("first_bad") or ""
    if first == "" then first = bad end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    'BENCH_JSON {"label":%s,"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"non2xx":%d,"first_non2xx":%s,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"timeout":%d,"status_ge_400":%d}}\n',
    json_string(os.getenv("BENCH_LABEL") or "wrk"), summary.requests, seconds,
    summary.requests / seconds, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, non2xx_total, json_string(first),
    e.connect, e.read, e.write, e.timeout, e.status))
  if non2xx_total > 0 or socket_errors > 0 then
    io.stderr:write(string.format(
      "\n!!! %s: %d NON-2XX RESPONSES (first: %s), socket errors: connect %d read %d write %d " ..
      "timeout %d !!!\n\n", os.getenv("BENCH_LABEL") or "wrk", non2xx_total, first,
      e.connect, e.read, e.write, e.timeout))
  end
end

return common
