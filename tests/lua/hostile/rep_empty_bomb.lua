-- expect: string.rep of
-- positions: load hook job boundary allocate
function attack()
  return string.rep("", 1 << 62)
end
