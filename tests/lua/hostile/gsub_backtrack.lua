-- expect: too costly
convene.on("congress.held", function()
  local s = string.rep("a", 30000)
  s:gsub("(a*)*b", "")
end)
