-- Bắc Kạn city (Thành ủy Bắc Kạn): propaganda in three phases bounded by events, and the pilot
-- congress of Nguyễn Thị Minh Khai ward reviewed by the city before the other units go ahead.
local cfg = convene.config
local office = cfg.office or "vanphong@thanhuy-backan.example.vn"

require("procedures.propaganda").setup{
  name = "propaganda",
  title = "Tuyên truyền Đại hội Đảng bộ thành phố Bắc Kạn lần thứ VII",
  notify = { cfg.propaganda or "tuyengiao@thanhuy-backan.example.vn" },
  phases = {
    { name = "1", starts = cfg.propaganda_from or "2020-01-01", ends = { all_held = "children" },
      title = "Giai đoạn 1: từ tháng 1/2020 đến khi các xã, phường và đơn vị trực thuộc hoàn thành đại hội" },
    { name = "2", ends = { held = "BK-TP" },
      title = "Giai đoạn 2: đến Đại hội Đảng bộ thành phố lần thứ VII" },
    { name = "3", ends = { held = cfg.province or "BK" },
      title = "Giai đoạn 3: sau Đại hội thành phố đến Đại hội Đảng bộ tỉnh" },
  },
}

require("procedures.pilot_gate").setup{
  above = "BK-TP",
  group = "Chỉ đạo đại hội cấp cơ sở",
  review = "Hội nghị sơ kết Đại hội điểm",
  review_days = 6,
  notify = { office },
}

-- Every Monday at 08:00 while phase 2 runs, the office is reminded of the city congress's work;
-- and once more a week before the city congress opens.
convene.every("0 8 * * mon", function()
  convene.notify{ to = office, subject = "Nhắc việc thứ Hai: các tiểu ban chuẩn bị Đại hội Đảng bộ thành phố" }
end, { name = "monday", ["while"] = "propaganda/2" })

convene.before{ congress = "BK-TP", days = 7, name = "congress-week", fn = function()
  convene.notify{ to = office, subject = "Còn 7 ngày đến Đại hội Đảng bộ thành phố lần thứ VII" }
end }
