-- Rehearsal of Lạng Sơn city's package: two pilots (Vĩnh Trại ward, an enterprise cell) reviewed
-- by the city before the other units are moved to preparing, then Đông Kinh ward's congress
-- elects its committee and, by the direct-secretary procedure, its secretary.
-- Run: convene script test scripts/provinces/LS-TP scripts/provinces/LS-TP/scenarios/term.lua
local setup = {
  { "org", "add", "LS", "Đảng bộ tỉnh Lạng Sơn", "--level", "province", "--members", "50000" },
  { "org", "add", "LS-TP", "Đảng bộ thành phố Lạng Sơn", "--level", "district", "--parent", "LS", "--members", "8900" },
  { "congress", "plan", "LS-TP", "XVI", "--start", "2020-07-20", "--end", "2020-07-22" },
}
local units = {
  { "VT", "Đảng bộ phường Vĩnh Trại", "yes", "ward" },
  { "DN01", "Chi bộ Công ty Cổ phần Xây dựng Lạng Sơn", "yes", "enterprise" },
  { "DK", "Đảng bộ phường Đông Kinh", "no", "ward" },
  { "CL", "Đảng bộ phường Chi Lăng", "no", "ward" },
}
for _, u in ipairs(units) do
  setup[#setup + 1] = { "org", "add", "LS-TP-" .. u[1], u[2], "--level", "grassroots", "--parent", "LS-TP", "--kind", u[4], "--members", "150" }
  setup[#setup + 1] = { "congress", "plan", "LS-TP-" .. u[1], "10", "--pilot", u[3] }
end
setup[#setup + 1] = { "congress", "set", "LS-TP-DK", "--direct-secretary", "yes", "--kind", "members" }
local people = { "Hoàng Văn Thắng", "Nguyễn Thị Hạnh", "Lương Văn Quân", "Trần Minh Đức", "Vi Thị Lan", "Phạm Văn Long" }
for i, name in ipairs(people) do
  setup[#setup + 1] = { "person", "add", "DK0" .. i, name, "--org", "LS-TP-DK" }
end

return {
  start = "2020-03-01T08:00",
  finish = "2020-06-30",
  org = "LS-TP",
  config = { office = "vanphong@example.vn", nominees = { ["LS-TP-DK"] = "DK01" } },
  setup = setup,
  steps = {
    { at = "2020-03-25T17:00", run = { "congress", "held", "LS-TP-VT", "--on", "2020-03-25" } },
    { at = "2020-03-27T17:00", run = { "congress", "held", "LS-TP-DN01", "--on", "2020-03-27" } },
    { at = "2020-04-02T15:00", run = { "work", "done", "1", "--on", "2020-04-02" } },
    { at = "2020-04-03T15:00", run = { "work", "done", "2", "--on", "2020-04-03" } },
    -- Đông Kinh's congress: the committee (5 seats, 6 names) elected and announced
    { at = "2020-06-12T08:00", run = { "election", "create", "LS-TP-DK", "committee", "--seats", "5", "--candidates", "DK01,DK02,DK03,DK04,DK05,DK06" } },
    { at = "2020-06-12T08:10", run = { "election", "attendance", "1", "--summoned", "50", "--attending", "50" } },
    { at = "2020-06-12T08:20", run = { "election", "open", "1" } },
    { at = "2020-06-12T10:00", run = { "election", "tally", "1", "--issued", "50", "--returned", "50", "--valid", "50", "--invalid", "0",
      "DK01=45", "DK02=40", "DK03=38", "DK04=30", "DK05=28", "DK06=10" } },
    { at = "2020-06-12T10:30", run = { "election", "announce", "1" } },
    -- the secretary election the procedure opened (id 2): the nominee alone, Agree/Disagree
    { at = "2020-06-12T11:30", run = { "election", "tally", "2", "--issued", "50", "--returned", "50", "--valid", "49", "--invalid", "1", "DK01=46" } },
    { at = "2020-06-12T11:45", run = { "election", "announce", "2" } },
  },
  expect = {
    "Đại hội điểm phường Vĩnh Trại đã tổ chức",
    "Đại hội điểm Công ty Cổ phần Xây dựng Lạng Sơn đã tổ chức",
    "change  congress.preparing LS-TP-CL",
    "change  congress.preparing LS-TP-DK",
    "event   election.announced LS-TP-DK",
    "mở bầu trực tiếp Bí thư",
    "change  election.opened LS-TP-DK",
    "bầu trực tiếp Bí thư: Hoàng Văn Thắng",
  },
}
