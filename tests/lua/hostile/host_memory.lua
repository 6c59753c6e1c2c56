-- expect: the host holds
-- positions: hook job allocate
-- limits: memory_mb=16
-- Memory outside the Lua heap: every notification of 100,000 bytes sits in the callback's
-- transaction (the Lua heap holds the one body string), well under notify_per_call.
function attack()
  local body = string.rep("x", 100000)
  for i = 1, 4000 do
    convene.notify{to = "office@example.vn", subject = "held " .. i, body = body}
  end
end
