-- expect: only inside a hook
-- when: load
convene.hold_congress{org = "ROOT-A", on = "2020-05-22"}
