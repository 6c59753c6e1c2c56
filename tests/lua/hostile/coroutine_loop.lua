-- expect: instruction budget
-- An endless loop inside a coroutine (the hook is installed in every new thread).
convene.on("congress.held", function()
  local co = coroutine.wrap(function() while true do end end)
  co()
end)
