-- The benchmark's hook: the same function body in convene and in stock lua5.4.
local sum = 0
return function(ev)
  sum = sum + ev.data.i
end
