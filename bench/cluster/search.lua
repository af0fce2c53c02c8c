-- wrk script for bench/cluster-latency.sh: POST /indexes/$LEANN_BENCH_INDEX/search with the queries
-- of $LEANN_BENCH_QUERIES (one per line) in turn, top_k $LEANN_BENCH_TOP_K, complexity
-- $LEANN_BENCH_COMPLEXITY, recompute $LEANN_BENCH_RECOMPUTE (true/false). Counts answers that are
-- not 200 or are flagged partial, and prints them after wrk's summary, so a run that only looks
-- fast because it failed is visible.

local index = os.getenv("LEANN_BENCH_INDEX") or "bench"
local top_k = os.getenv("LEANN_BENCH_TOP_K") or "10"
local complexity = os.getenv("LEANN_BENCH_COMPLEXITY") or "64"
local recompute = os.getenv("LEANN_BENCH_RECOMPUTE") or "false"
local path = "/indexes/" .. index .. "/search"

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local bodies = {}
for line in io.lines(os.getenv("LEANN_BENCH_QUERIES")) do
  if line:match("%S") then
    bodies[#bodies + 1] = '{"query": ' .. json_string(line) .. ', "top_k": ' .. top_k
      .. ', "complexity": ' .. complexity .. ', "recompute": ' .. recompute .. '}'
  end
end

local threads = {}
local thread_id = 0

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  threads[#threads + 1] = thread
end

function init(args)
  n = id * 7
  errors = 0
  partial = 0
end

function request()
  n = n + 1
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, bodies[(n % #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  elseif body:find('"partial":true', 1, true) then
    partial = partial + 1
  end
end

function done(summary, latency, requests)
  local e, p = 0, 0
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    p = p + t:get("partial")
  end
  io.write(string.format("answers: non-200 %d, partial %d, socket errors %d, timeouts %d\n",
    e, p, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
