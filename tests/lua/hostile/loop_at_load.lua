-- expect: instruction budget
-- when: load
while true do end
