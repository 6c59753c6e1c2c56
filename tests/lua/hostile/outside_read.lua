-- expect: outside the subtree
convene.on("congress.held", function()
  convene.log(convene.org("OTHER").name)
end)
