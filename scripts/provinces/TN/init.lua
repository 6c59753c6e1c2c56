-- Thái Nguyên province (Tỉnh ủy Thái Nguyên): propaganda for the XXth provincial congress in two
-- phases (until every district-level congress is held; until the provincial congress), and a
-- notice to the organisation-service subcommittee whenever one of its work items is done.
local cfg = convene.config
local office = cfg.office or "vanphong@tinhuy-thainguyen.example.vn"

require("procedures.propaganda").setup{
  name = "propaganda",
  title = "Tuyên truyền Đại hội đại biểu Đảng bộ tỉnh Thái Nguyên lần thứ XX",
  notify = { cfg.propaganda or "tuyengiao@tinhuy-thainguyen.example.vn" },
  phases = {
    { name = "1", starts = cfg.propaganda_from or "2020-03-01", ends = { all_held = "district" },
      title = "Giai đoạn 1: đến khi các đảng bộ cấp huyện và tương đương hoàn thành đại hội" },
    { name = "2", ends = { held = "TN" },
      title = "Giai đoạn 2: đến Đại hội đại biểu Đảng bộ tỉnh lần thứ XX" },
  },
}

convene.on("work_item.done", function(ev)
  if ev.org == "TN" then
    convene.notify{
      to = office,
      subject = "Hoàn thành: " .. ev.data.title,
      body = "Nhóm " .. ev.data.group .. ", đơn vị " .. (ev.data.unit or "") .. ", xong ngày " .. (ev.data.done_on or convene.today()) .. ".",
    }
  end
end)
