-- expect: bytes, at most|only inside a hook|may change the store only
-- positions: load hook job boundary allocate
function attack()
  convene.notify{to = "x", subject = "s", channel = "log", key = string.rep("k", 1 << 20)}
end
