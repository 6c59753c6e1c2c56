-- expect: string.rep would build
convene.on("congress.held", function()
  local s = string.rep("x", 1 << 40)
  convene.log(#s)
end)
