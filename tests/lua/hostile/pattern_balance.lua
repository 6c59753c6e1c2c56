-- expect: too costly|subjects of at most
-- positions: load hook job boundary allocate
function attack()
  local s = string.rep("(", 1 << 20)
  return s:find("%b()")
end
