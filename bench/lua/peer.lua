-- The stock lua5.4 peer: builds each event table as convene hands it to a hook and calls the
-- same handler; prints "lua_events_per_s N".
local n = tonumber(arg[1]) or 200000
local handler = dofile(arg[2])
local t0 = os.clock()
for i = 1, n do
  handler({ id = i, type = "bench.tick", at = 1590112800000, org = "R", data = { i = i - 1 } })
end
print(string.format("lua_events_per_s %.0f", n / (os.clock() - t0)))
