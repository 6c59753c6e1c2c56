-- expect: collectgarbage('stop') is not available
convene.on("congress.held", function()
  collectgarbage("stop")
end)
