-- expect: too costly
-- Exponential backtracking inside the C matcher, which the count hook cannot interrupt.
convene.on("congress.held", function()
  local s = string.rep("a", 100000)
  convene.log(tostring(s:find(".-.-.-.-.-b")))
end)
