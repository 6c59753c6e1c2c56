--- Staged propaganda (tuyên truyền): a campaign whose phases follow one another, each ending
--- on a date or an event, with a notice to the propaganda subcommittee as each phase begins.
---
--- local propaganda = require("procedures.propaganda")
--- propaganda.setup{
---   name = "propaganda", title = "Tuyên truyền đại hội",
---   notify = { "tuyengiao@example.vn" },
---   phases = { { name = "1", title = "...", starts = "2020-01-01", ends = { all_held = "children" } }, ... },
--- }
local M = {}

---@param opts { name: string?, title: string?, phases: table, notify: string[]?, channel: string? }
function M.setup(opts)
  local name = opts.name or "propaganda"
  convene.campaign{ name = name, title = opts.title, phases = opts.phases }
  convene.on("phase.started", function(ev)
    if ev.data.package ~= convene.package or ev.data.campaign ~= name then
      return
    end
    convene.log("bắt đầu " .. ev.data.title)
    for _, to in ipairs(opts.notify or {}) do
      convene.notify{
        channel = opts.channel or "log",
        to = to,
        subject = "Bắt đầu " .. ev.data.title,
        body = (opts.title or name) .. ": " .. ev.data.title .. " bắt đầu ngày " .. convene.today() .. ".",
      }
    end
  end)
end

return M
