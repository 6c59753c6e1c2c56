-- expect: cannot change a protected metatable
convene.on("congress.held", function()
  setmetatable(string, {__index = function() return os end})
end)
