-- expect: instruction budget
-- Resuming a looping coroutine again and again: the spent budget stops the resumer too.
convene.on("congress.held", function()
  while true do
    local co = coroutine.create(function() while true do end end)
    coroutine.resume(co)
  end
end)
