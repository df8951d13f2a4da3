-- wrk script: POST /v1/events as a browser would (publishable key, text/plain for sendBeacon),
-- one view per request, every event id new. The visitor must have granted tracking consent.
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"visitor_id":"v_benchmark_visitor_01","events":[{"id":"w%d-%d-%d","type":"view","sku":"AH-1001"}]}',
    thread_id, os.time(), counter)
  return wrk.format("POST", nil, {["Content-Type"] = "text/plain;charset=UTF-8"}, body)
end
