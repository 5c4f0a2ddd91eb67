-- The payments benchmark's HTTP clients (wrk -s): counter payments, or, probing the stack alone, an
-- authenticated GET of the signed-in user. Arguments: lo hi token run [probe]. Each connection sends its
-- next request when the last is answered; every payment has its own Idempotency-Key (run-thread-seq).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  lo, hi, token, run, probe = tonumber(args[1]), tonumber(args[2]), args[3], args[4], args[5] == "probe"
  seq = 0
  math.randomseed(os.time() * 100 + tid)
end

function request()
  if probe then
    return wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. token })
  end
  seq = seq + 1
  local body = string.format('{"accountId":%d,"amountFen":%d}', math.random(lo, hi), math.random(100, 20100))
  return wrk.format("POST", "/api/v1/payments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. seq,
  }, body)
end

-- one JSON line for bench/payments.ts: requests answered, errors (4xx/5xx, sockets), seconds, p50/p99 in µs
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"errors":%d,"seconds":%.3f,"p50us":%d,"p99us":%d}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99)))
end
