-- expect: notifications in one callback|only inside a hook|may change the store only
-- positions: load hook job boundary allocate
function attack()
  for i = 1, 1000000 do
    convene.notify{to = "office@example.vn", subject = "flood " .. i}
  end
end
