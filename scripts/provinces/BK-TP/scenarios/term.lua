-- Rehearsal of Bắc Kạn city's package over 2020: the pilot ward's congress, the city's review,
-- the other wards gated until then, and the three propaganda phases ending on events.
-- Run: convene script test scripts/provinces/BK-TP scripts/provinces/BK-TP/scenarios/term.lua
local wards = {
  { "NTMK", "Đảng bộ phường Nguyễn Thị Minh Khai", "VIII", "yes" },
  { "PXA", "Đảng bộ phường Phùng Chí Kiên", "VIII", "no" },
  { "SN", "Đảng bộ phường Sông Cầu", "IX", "no" },
  { "HTT", "Đảng bộ xã Huyền Tụng", "XX", "no" },
}
local setup = {
  { "org", "add", "BK", "Đảng bộ tỉnh Bắc Kạn", "--level", "province", "--members", "30000" },
  { "congress", "plan", "BK", "XII", "--start", "2020-10-11", "--end", "2020-10-13" },
  { "org", "add", "BK-TP", "Đảng bộ thành phố Bắc Kạn", "--level", "district", "--parent", "BK", "--members", "4200" },
  { "congress", "plan", "BK-TP", "VII", "--start", "2020-08-05", "--end", "2020-08-07" },
}
for _, w in ipairs(wards) do
  setup[#setup + 1] = { "org", "add", "BK-TP-" .. w[1], w[2], "--level", "grassroots", "--parent", "BK-TP", "--members", "150" }
  setup[#setup + 1] = { "congress", "plan", "BK-TP-" .. w[1], w[3], "--pilot", w[4] }
end

return {
  start = "2020-01-02T08:00",
  finish = "2020-10-31",
  org = "BK-TP",
  config = { office = "vanphong@example.vn", propaganda = "tuyengiao@example.vn" },
  setup = setup,
  steps = {
    { at = "2020-03-10T08:00", run = { "congress", "held", "BK-TP-NTMK", "--on", "2020-03-10" } },
    { at = "2020-03-12T08:00", run = { "congress", "held", "BK-TP-SN", "--on", "2020-03-12", "--override", "rehearsal: held early" } },
    -- work item 1 is the review the package added when the pilot held its congress
    { at = "2020-03-16T15:00", run = { "work", "done", "1", "--on", "2020-03-16" } },
    { at = "2020-05-20T08:00", run = { "congress", "held", "BK-TP-PXA", "--on", "2020-05-20" } },
    { at = "2020-06-10T08:00", run = { "congress", "held", "BK-TP-HTT", "--on", "2020-06-10" } },
    { at = "2020-08-07T17:00", run = { "congress", "held", "BK-TP", "--on", "2020-08-05", "--to", "2020-08-07" } },
    { at = "2020-10-13T17:00", run = { "congress", "held", "BK", "--on", "2020-10-11", "--to", "2020-10-13" } },
  },
  expect = {
    "phase.started propaganda/1",
    "notify  log -> tuyengiao@example.vn [queued]: Bắt đầu Giai đoạn 1",
    "Đại hội điểm phường Nguyễn Thị Minh Khai đã tổ chức",
    "change  work_item.added BK-TP",
    "Đại hội phường Sông Cầu tổ chức trước khi rút kinh nghiệm đại hội điểm",
    "change  congress.preparing BK-TP-HTT",
    "change  congress.preparing BK-TP-PXA",
    "2020-06-10 08:00  phase   phase.ended propaganda/1",
    "phase.started propaganda/2",
    "2020-06-15 08:00  notify  log -> vanphong@example.vn [queued]: Nhắc việc thứ Hai",
    "2020-07-29 08:00  notify  log -> vanphong@example.vn [queued]: Còn 7 ngày đến Đại hội",
    "2020-08-07 17:00  phase   phase.ended propaganda/2",
    "phase.started propaganda/3",
    "2020-10-13 17:00  phase   phase.ended propaganda/3",
  },
}
