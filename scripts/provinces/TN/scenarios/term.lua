-- Rehearsal of Thái Nguyên province's package: propaganda from March 2020 until every
-- district-level congress is held, then until the XXth provincial congress (11-13 Oct 2020); a
-- notice for each of the province's work items when it is done.
-- Run: convene script test scripts/provinces/TN scripts/provinces/TN/scenarios/term.lua
return {
  start = "2020-02-20T08:00",
  finish = "2020-10-20",
  org = "TN",
  config = { office = "vanphong@example.vn", propaganda = "tuyengiao@example.vn" },
  setup = {
    { "org", "add", "TN", "Đảng bộ tỉnh Thái Nguyên", "--level", "province", "--members", "70000" },
    { "congress", "plan", "TN", "XX", "--start", "2020-10-11", "--end", "2020-10-13" },
    { "org", "add", "TN-SC", "Đảng bộ thành phố Sông Công", "--level", "district", "--parent", "TN", "--members", "3600" },
    { "congress", "plan", "TN-SC", "XI", "--start", "2020-07-15" },
    { "org", "add", "TN-VN", "Đảng bộ huyện Võ Nhai", "--level", "district", "--parent", "TN", "--members", "3700" },
    { "congress", "plan", "TN-VN", "XXIV", "--start", "2020-07-14" },
    { "work", "add", "TN", "Trang trí khánh tiết Hội trường", "--group", "Hậu cần phục vụ", "--unit", "Văn phòng Tỉnh ủy", "--due", "2020-10-05" },
  },
  steps = {
    { at = "2020-07-14T17:00", run = { "congress", "held", "TN-VN", "--on", "2020-07-14", "--override", "rehearsal: no grassroots in this store" } },
    { at = "2020-07-15T17:00", run = { "congress", "held", "TN-SC", "--on", "2020-07-15", "--override", "rehearsal: no grassroots in this store" } },
    { at = "2020-10-05T16:00", run = { "work", "done", "1", "--on", "2020-10-05" } },
    { at = "2020-10-13T17:00", run = { "congress", "held", "TN", "--on", "2020-10-11", "--to", "2020-10-13" } },
  },
  expect = {
    "2020-03-01 00:00  phase   phase.started propaganda/1",
    "2020-07-15 17:00  phase   phase.ended propaganda/1",
    "phase.started propaganda/2",
    "Hoàn thành: Trang trí khánh tiết Hội trường",
    "2020-10-13 17:00  phase   phase.ended propaganda/2",
  },
}
