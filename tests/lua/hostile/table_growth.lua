-- expect: memory cap
convene.on("congress.held", function()
  local t = {}
  for i = 1, 1e8 do t[i] = i end
end)
