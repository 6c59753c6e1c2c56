-- expect: string.dump is not available
convene.on("congress.held", function()
  local code = string.dump(function() return 1 end)
  load(code)()
end)
