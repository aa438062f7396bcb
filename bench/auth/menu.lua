-- wrk script: GET /restaurants/{id}/menu over the ids in $AUTH_BENCH_IDS (round robin per
-- connection), with "Authorization: Bearer $AUTH_BENCH_TOKEN" when that is set.
local ids = {}
local counter = 0
function init(args)
  for line in io.lines(os.getenv("AUTH_BENCH_IDS")) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  local token = os.getenv("AUTH_BENCH_TOKEN") or ""
  if #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
  wrk.headers["Accept"] = "application/json"
  counter = math.random(#ids)
end
function request()
  counter = counter % #ids + 1
  return wrk.format("GET", "/restaurants/" .. ids[counter] .. "/menu")
end
local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
