-- expect: no whole number of seats|outside
-- positions: hook job
function attack()
  return convene.elections.allocate{org = convene.root, total = 10, method = function(units, seats)
    return setmetatable({}, {__index = function() error("boom") end})
  end}
end
