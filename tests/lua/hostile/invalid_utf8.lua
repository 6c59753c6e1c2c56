-- expect: not valid UTF-8
-- positions: load hook job boundary allocate
function attack()
  convene.log("reason \xff\xfe")
end
