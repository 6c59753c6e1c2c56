-- expect: debug.sethook is not available
convene.on("congress.held", function()
  debug.sethook() -- would remove the instruction budget
  while true do end
end)
