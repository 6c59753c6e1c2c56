-- expect: is not a module name
convene.on("congress.held", function()
  require("../../../../etc/passwd")
end)
