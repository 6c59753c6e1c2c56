-- expect: instruction budget
-- A to-be-closed variable whose __close loops while the budget error unwinds.
convene.on("congress.held", function()
  local guard <close> = setmetatable({}, {__close = function() while true do end end})
  while true do end
end)
