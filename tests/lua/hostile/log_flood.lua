-- expect: log lines in one callback
-- positions: load hook job boundary allocate
function attack()
  for i = 1, 3000000 do
    convene.log("line " .. i)
  end
end
