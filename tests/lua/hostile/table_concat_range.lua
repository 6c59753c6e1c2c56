-- expect: table.concat over
-- positions: load hook job boundary allocate
function attack()
  return table.concat({}, ",", 1, 1 << 40)
end
