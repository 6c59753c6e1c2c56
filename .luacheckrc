-- luacheck configuration for the Lua that convene ships (scripts/): Lua 5.4 with the sandbox's
-- `convene` table as the one extra global. The hostile scripts of tests/lua/hostile are wrong on
-- purpose and are not linted.
std = "lua54"
read_globals = { "convene" }
max_line_length = 160
exclude_files = { "tests/lua/hostile/**" }
files["scripts/types/convene.lua"] = { globals = { "convene" }, ignore = { "212", "631" } }
