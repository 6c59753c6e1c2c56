-- expect: table.move over
-- positions: load hook job boundary allocate
function attack()
  return table.move({1, 2, 3}, 1, 1 << 50, 2)
end
