-- expect: cannot be changed
-- The strings metatable is protected, and the library the script sees is read-only.
convene.on("congress.held", function()
  assert(getmetatable("") == "protected")
  string.len = function() return 0 end
end)
