-- expect: string.rep would build
convene.on("congress.held", function()
  local s = ("xy"):rep(1e9, ",")
  convene.log(#s)
end)
