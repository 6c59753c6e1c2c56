-- expect: outside the subtree
-- A package bound to ROOT tries to change a congress of another tree.
convene.on("congress.held", function()
  convene.hold_congress{org = "OTHER", on = "2020-05-22"}
end)
