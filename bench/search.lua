-- wrk script for the search benchmark: each request is a path drawn at random from the file
-- named by BENCH_QUERIES (one path per line); the summary line carries p50, p95 and p99, which
-- wrk's own report lacks (p95).
local paths = {}
for line in io.lines(os.getenv("BENCH_QUERIES")) do
  paths[#paths + 1] = line
end
math.randomseed(os.time())

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d\n", summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
