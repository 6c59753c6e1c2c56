-- expect: memory cap
convene.on("congress.held", function()
  local s, parts = string.rep("x", 1 << 20), {}
  for i = 1, 1e6 do parts[i] = s .. i end
end)
