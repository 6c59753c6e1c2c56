-- expect: attempt to load a binary chunk
-- A precompiled chunk (the 0x1B "Lua" signature) smuggled through load.
convene.on("congress.held", function()
  local f = assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8x", "bytecode", "b"))
  f()
end)
