--- The pilot congress (đại hội điểm): the chosen units hold their congress first; the level above
--- then reviews each one (a work item of its own congress, "<review> <unit>", marked done when
--- the review is recorded); only when every pilot is reviewed are the other units' congresses
--- moved to "preparing". A unit that holds its congress before that is reported to the office.
---
--- require("procedures.pilot_gate").setup{
---   above = "BK-TP",                 -- the level that reviews
---   pilots = { "BK-TP-NTMK" },       -- default: the units whose congress is marked pilot
---   group = "Chỉ đạo đại hội cấp cơ sở", review = "Hội nghị sơ kết Đại hội điểm",
---   review_days = 7, notify = { "vanphong@example.vn" },
--- }
local M = {}

--- "Đảng bộ phường Nguyễn Thị Minh Khai" -> "phường Nguyễn Thị Minh Khai"
local function short_name(name)
  for _, prefix in ipairs({ "Đảng bộ ", "Chi bộ " }) do
    if name:sub(1, #prefix) == prefix then
      return name:sub(#prefix + 1)
    end
  end
  return name
end

local function add_days(date, n)
  local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d) + n
  local month_days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  while true do
    local leap = (m == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 1 or 0
    if d <= month_days[m] + leap then
      break
    end
    d, m = d - month_days[m] - leap, m + 1
    if m > 12 then
      m, y = 1, y + 1
    end
  end
  return string.format("%04d-%02d-%02d", y, m, d)
end

---@param opts { above: string, pilots: string[]?, group: string?, review: string?, review_days: integer?, notify: string[]?, channel: string? }
function M.setup(opts)
  local group = opts.group or "Đại hội điểm"
  local review_prefix = opts.review or "Rút kinh nghiệm đại hội điểm"

  local function tell(subject, body)
    for _, to in ipairs(opts.notify or {}) do
      convene.notify{ channel = opts.channel or "log", to = to, subject = subject, body = body or subject }
    end
  end

  local function pilots()
    if opts.pilots then
      return opts.pilots
    end
    local list = {}
    for _, c in ipairs(convene.congresses{ under = opts.above, depth = 1 }) do
      if c.pilot and c.org ~= opts.above then
        list[#list + 1] = c.org
      end
    end
    return list
  end

  local function is_pilot(code)
    for _, p in ipairs(pilots()) do
      if p == code then
        return true
      end
    end
    return false
  end

  local function review_title(code)
    return review_prefix .. " " .. short_name(convene.org(code).name)
  end

  -- The review work item of one pilot, if the level above has one.
  local function review_of(code)
    local title = review_title(code)
    for _, w in ipairs(convene.work_items{ org = opts.above, group = group }) do
      if w.org == opts.above and w.title == title then
        return w
      end
    end
    return nil
  end

  local function gate_open()
    for _, p in ipairs(pilots()) do
      local w = review_of(p)
      if not w or w.status ~= "done" then
        return false
      end
    end
    return true
  end

  convene.on("congress.held", function(ev)
    if is_pilot(ev.org) then
      if not review_of(ev.org) then
        convene.add_work{
          org = opts.above, group = group, title = review_title(ev.org),
          due = add_days(convene.today(), opts.review_days or 7),
        }
      end
      tell("Đại hội điểm " .. short_name(convene.org(ev.org).name) .. " đã tổ chức",
        "Các đơn vị khác tổ chức đại hội sau hội nghị rút kinh nghiệm đại hội điểm.")
    elseif not gate_open() then
      local unit = convene.org(ev.org)
      if unit and unit.parent == opts.above then
        tell("Đại hội " .. short_name(unit.name) .. " tổ chức trước khi rút kinh nghiệm đại hội điểm")
      end
    end
  end)

  convene.on("work_item.done", function(ev)
    if ev.org ~= opts.above or ev.data.group ~= group or not gate_open() then
      return
    end
    local opened = 0
    for _, c in ipairs(convene.congresses{ under = opts.above, depth = 1 }) do
      if c.org ~= opts.above and not is_pilot(c.org) and c.status == "planned" then
        convene.prepare_congress(c.org)
        opened = opened + 1
      end
    end
    tell("Đã rút kinh nghiệm đại hội điểm: " .. opened .. " đơn vị bước vào chuẩn bị đại hội")
  end)
end

return M
