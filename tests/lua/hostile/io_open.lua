-- expect: io.open is not available
convene.on("congress.held", function()
  local f = io.open("/etc/passwd")
  convene.log(f:read("a"))
end)
