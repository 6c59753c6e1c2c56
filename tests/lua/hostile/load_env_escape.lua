-- expect: io.open is not available
-- load with its own environment still sees only what the sandbox offers.
convene.on("congress.held", function()
  local f = load("return io.open(\"/etc/passwd\")", "x", "t", _G)
  f()
end)
