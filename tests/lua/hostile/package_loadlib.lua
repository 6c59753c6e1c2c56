-- expect: package.loadlib is not available
convene.on("congress.held", function()
  package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system")("id")
end)
