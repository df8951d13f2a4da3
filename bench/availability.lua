-- wrk script: GET /v1/availability for a random SKU of the benchmark catalogue from a random
-- place in Germany, as shoppers on product pages who shared their location would ask.
-- wrk.path carries the key: /v1/availability?key=pk_…
local skus = tonumber(os.getenv("VITRINE_BENCH_SKUS") or "5000")
math.randomseed(42)
request = function()
  local path = string.format("%s&sku=P%05d&lat=%.4f&lon=%.4f", wrk.path,
    math.random(0, skus - 1), 47.5 + math.random() * 6, 7 + math.random() * 7)
  return wrk.format("GET", path)
end
