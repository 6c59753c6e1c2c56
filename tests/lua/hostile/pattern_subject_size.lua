-- expect: subjects of at most
-- positions: load hook job boundary allocate
function attack()
  local s = string.rep("a", 3 << 20)
  return s:find("b", 1, true)
end
