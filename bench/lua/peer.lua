-- The stock Lua peer: builds each event table as convene hands it to a hook and calls the same
-- handler. bench_lua runs it in a plain lua_State (luaL_openlibs, no sandbox) and times it with
-- the same clock as convene's side: run.sh passes the handler's path and the event count.
local handler = dofile(arg[1])
local n = tonumber(arg[2])
for i = 1, n do
  handler({ id = i, type = "bench.tick", at = 1590112800000, org = "R", data = { i = i - 1 } })
end
