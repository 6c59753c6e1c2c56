-- expect: ms of CPU in a minute (limit cpu_ms_per_minute
-- positions: hook job boundary
-- limits: cpu_ms_per_minute=100
-- repeat: 1000
-- Many short callbacks, each well inside its instruction and wall-clock budgets (about 1,500,000
-- instructions), together past the package's CPU for the minute.
function attack()
  local x = 0
  for i = 1, 500000 do
    x = x + i % 7
  end
  return x
end
