--- Direct election of the secretary at the congress (thí điểm bầu trực tiếp bí thư tại đại hội):
--- when a congress with direct_secretary = true announces its new executive committee, the
--- secretary election opens among the newly elected members: the configured nominee alone
--- (Agree/Disagree), else every new member. The threshold and the count are the engine's.
---
--- require("procedures.direct_secretary").setup{
---   nominees = { ["LS-TP-DK"] = "P-DK-01" },   -- optional: the single nominee per unit
---   notify = { "vanphong@example.vn" },
--- }
local M = {}

---@param opts { nominees: table<string, string>?, notify: string[]?, channel: string? }
function M.setup(opts)
  local nominees = opts.nominees or {}

  local function tell(subject, body)
    for _, to in ipairs(opts.notify or {}) do
      convene.notify{ channel = opts.channel or "log", to = to, subject = subject, body = body or subject }
    end
  end

  convene.on("election.announced", function(ev)
    local congress = convene.congress(ev.org)
    if not congress or not congress.direct_secretary then
      return
    end
    local unit = convene.org(ev.org)
    if ev.data.body == "secretary" then
      local names = {}
      for _, p in ipairs(ev.data.elected or {}) do
        names[#names + 1] = p.name
      end
      tell("Đại hội " .. unit.name .. " bầu trực tiếp Bí thư: " .. table.concat(names, ", "))
      return
    end
    if ev.data.body ~= "committee" or not ev.data.elected or #ev.data.elected == 0 then
      return
    end
    local candidates, nominee = {}, nominees[ev.org]
    for _, p in ipairs(ev.data.elected) do
      if nominee == nil or p.person == nominee then
        candidates[#candidates + 1] = p.person
      end
    end
    if #candidates == 0 then
      convene.log("người được giới thiệu " .. nominee .. " không trúng cử Ban Chấp hành; bầu trong toàn bộ ủy viên mới", "warn")
      for _, p in ipairs(ev.data.elected) do
        candidates[#candidates + 1] = p.person
      end
    end
    local id = convene.elections.open{ org = ev.org, body = "secretary", seats = 1, candidates = candidates }
    tell("Đại hội " .. unit.name .. ": mở bầu trực tiếp Bí thư",
      "Cuộc bầu số " .. id .. " với " .. #candidates .. " người trong danh sách.")
  end)
end

return M
