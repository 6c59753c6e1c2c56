-- expect: __gc metamethods are not available
-- Finalizers run with hooks off: a looping __gc would escape the budget.
convene.on("congress.held", function()
  setmetatable({}, {__gc = function() while true do end end})
  collectgarbage()
end)
