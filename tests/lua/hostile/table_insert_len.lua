-- expect: table.insert over
-- positions: load hook job boundary allocate
function attack()
  local t = setmetatable({}, {__len = function() return 1 << 50 end})
  table.insert(t, 1, "x")
end
