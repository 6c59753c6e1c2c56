-- expect: instruction budget|wall-clock budget
-- positions: load hook job boundary allocate
function attack()
  local t = {}
  for i = 1, 100000 do t[i] = (i * 7919) % 100003 end
  while true do table.sort(t) end
end
