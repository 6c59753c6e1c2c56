-- expect: instruction budget
convene.on("congress.held", function()
  while true do
    xpcall(function() while true do end end, function() while true do end end)
  end
end)
