-- wrk script: GET /v1/loyalty for a random signed-in customer, as the loyalty widget asks on
-- every page view. wrk.path carries the key: /v1/loyalty?key=pk_…
local tokens = {}
for line in io.lines(os.getenv("VITRINE_BENCH_TOKENS")) do
  tokens[#tokens + 1] = line
end
math.randomseed(42)
request = function()
  return wrk.format("GET", wrk.path .. "&customer_token=" .. tokens[math.random(1, #tokens)])
end
