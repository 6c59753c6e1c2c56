-- expect: instruction budget
-- Catching the budget error with pcall and carrying on.
convene.on("congress.held", function()
  while true do
    pcall(function() while true do end end)
  end
end)
