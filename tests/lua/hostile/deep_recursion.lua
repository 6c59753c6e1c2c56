-- expect: stack overflow|memory cap
-- Unbounded recursion: Lua's stack limit or the memory cap, whichever comes first.
convene.on("congress.held", function()
  local function f(n) return 1 + f(n + 1) end
  f(1)
end)
