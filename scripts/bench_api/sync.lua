-- wrk script: acceptance sync writes over HTTP. Each wrk thread has one connection and owns one SRO zone; it
-- moves it received → rejected → received → ... sending the version it last saw and a fresh idempotency key,
-- so every request is an accepted write: any 409 or 422 shows as "Non-2xx" in wrk's summary and the benchmark
-- script fails on it. Environment: THD_BENCH_ZONES (comma-separated zone codes, one per thread),
-- THD_BENCH_DELIVERY, THD_BENCH_TOKEN.
local count = 0
local zones = {}
for code in string.gmatch(os.getenv("THD_BENCH_ZONES") or "", "[^,]+") do
  table.insert(zones, code)
end

function setup(thread)
  count = count + 1
  thread:set("id", count)
  thread:set("zone", zones[count])
end

function init(args)
  version = 1
  n = 0
  wrk.method = "POST"
  wrk.headers["content-type"] = "application/json"
  wrk.headers["authorization"] = "Bearer " .. os.getenv("THD_BENCH_TOKEN")
end

function request()
  n = n + 1
  local to = '{"to":"received"}'
  if version % 2 == 1 then
    to = '{"to":"rejected","reasons":["bench"]}'
  end
  wrk.headers["idempotency-key"] = string.format("bench-%d-%d-%d", os.time(), id, n)
  local body = string.format(
    '{"subject":{"kind":"sro","delivery_id":%s,"code":"%s"},"expected_version":%d,"transition":%s}',
    os.getenv("THD_BENCH_DELIVERY"), zone, version, to)
  return wrk.format(nil, "/api/acceptance/transitions", nil, body)
end

function response(status, headers, body)
  if status == 200 then
    version = version + 1
  end
end
