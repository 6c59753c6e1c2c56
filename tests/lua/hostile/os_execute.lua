-- expect: os.execute is not available
convene.on("congress.held", function()
  os.execute("touch /tmp/convene-was-here")
end)
