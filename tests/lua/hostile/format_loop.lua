-- expect: instruction budget|wall-clock budget
-- positions: load hook job boundary allocate
function attack()
  local s = string.rep("x", 1 << 20)
  while true do
    local q = string.format("%q", s)
  end
end
