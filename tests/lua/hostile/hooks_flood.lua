-- expect: more than 256 hooks
-- positions: load hook job boundary allocate
function attack()
  for i = 1, 100000 do
    convene.on("congress.held", attack)
  end
end
