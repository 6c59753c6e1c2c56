-- expect: more than 64 jobs|init.lua only
-- positions: load hook job boundary allocate
function attack()
  for i = 1, 100000 do
    convene.every("* * * * *", function() end, "j" .. i)
  end
end
