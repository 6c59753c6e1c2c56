-- Lạng Sơn city (Thành ủy Lạng Sơn): pilots in Vĩnh Trại ward and an enterprise cell reviewed
-- before the other units' congresses, and the pilot of directly electing the secretary at the
-- congress of Đông Kinh ward.
local cfg = convene.config
local office = cfg.office or "vanphong@thanhuy-langson.example.vn"

require("procedures.pilot_gate").setup{
  above = "LS-TP",
  pilots = cfg.pilots or { "LS-TP-VT", "LS-TP-DN01" },
  group = "Chỉ đạo đại hội cấp cơ sở",
  review = "Rút kinh nghiệm đại hội điểm",
  notify = { office },
}

require("procedures.direct_secretary").setup{
  nominees = cfg.nominees,
  notify = { office },
}
