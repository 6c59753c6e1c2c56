---@meta
-- Type stubs of the `convene` table for lua-language-server: point "workspace.library" at
-- scripts/types to get completion and type checks while writing a package. This file is never
-- loaded by convene; the API itself is in core/lua/api*.c and campaign.c.

---@class convene.Org
---@field id integer
---@field code string
---@field name string
---@field level "national"|"province"|"district"|"grassroots"|"cell"
---@field kind string
---@field parent string?   the parent's code
---@field members integer

---@class convene.Congress
---@field id integer
---@field org string
---@field org_name string
---@field term string
---@field ordinal integer
---@field numeral string
---@field kind "delegates"|"members"
---@field status "planned"|"preparing"|"held"
---@field pilot boolean
---@field direct_secretary boolean
---@field planned_start string?
---@field planned_end string?
---@field actual_start string?
---@field actual_end string?
---@field delegates_summoned integer?
---@field delegates_present integer?

---@class convene.WorkItem
---@field id integer
---@field org string
---@field group string
---@field subcommittee string?
---@field title string
---@field unit string
---@field person string
---@field due string?
---@field budget integer
---@field status "open"|"done"
---@field done_on string?

---@class convene.Event
---@field id integer      the journal id
---@field type string     e.g. "congress.held", "work_item.done", "phase.started", "election.announced"
---@field at integer      ms since the epoch (the injected clock)
---@field org string?     the organisation's code, when the event concerns one
---@field data table      the event's data (see README: each subsystem's events)

---@alias convene.Boundary string|{event: string, org: string?}|{held: string}|{all_held: string, under: string?}|fun(ev: convene.Event?): boolean

---@class convene.Phase
---@field name string?
---@field title string?
---@field starts convene.Boundary?  first phase only: a date (reached on that day) or a boundary
---@field ends convene.Boundary?    a date (passed the day after), an event, a state of the tree or a predicate

---@class convene.Notification
---@field to string          an address the channel understands
---@field subject string
---@field body string?
---@field channel ("log"|"smtp"|"webhook")?  default "log"
---@field key string?        idempotency key; default: stable per package, cause, channel, recipient and subject

---@class convene
---@field package string        the package's name
---@field root string           the code of the subtree's root organisation
---@field config table          the package's configuration (`script add --config JSON`)
---@field elections convene.Elections
convene = {}

---@class convene.Elections
convene.elections = {}

---Opens an election in the package's subtree (core/elect: cv_election_open).
---@param spec {org: string, body: "committee"|"standing"|"secretary"|"deputy"|"inspection"|"delegates"|"alternates", seats: integer?, candidates: string[], term: string?}
---@return integer id
function convene.elections.open(spec) end

---@param id integer
---@return table election with its candidates
function convene.elections.get(id) end

---Allocates delegates among the organisations directly below org (read-only: nothing is stored),
---by the built-in largest remainder, a named method, or the package's own function, which gets
---the units ({org, name, members}) and the seats to share and returns the seats of each (a list
---in the order of units, or a table keyed by code) and, optionally, the explanations likewise.
---@param spec {org: string, total: integer, ex_officio: integer?, minimum: integer?, method: (string|fun(units: {org: string, name: string, members: integer}[], seats: integer): table, table?)?}
---@return {org: string, method: string, total: integer, allocated: integer, units: {org: string, name: string, members: integer, delegates: integer, why: string}[]}
function convene.elections.allocate(spec) end


---@param code string
---@return convene.Org? org  nil when unknown; raises when outside the subtree
function convene.org(code) end

---@param filter {under: string?, level: string?, depth: integer?}?
---@return convene.Org[]
function convene.orgs(filter) end

---@param org string
---@param term string?
---@return convene.Congress?
function convene.congress(org, term) end

---@param filter {under: string?, level: string?, depth: integer?}?
---@return convene.Congress[]
function convene.congresses(filter) end

---@param filter {org: string?, group: string?, subcommittee: string?, overdue: boolean?, open: boolean?}?
---@return convene.WorkItem[]
function convene.work_items(filter) end

---Runs fn once for each journal event of that type ("*": every type) in the subtree. Its
---writes and notifications commit with the package's cursor: exactly once.
---@param event string
---@param fn fun(ev: convene.Event)
function convene.on(event, fn) end

---Queues a notification in the outbox (only inside a hook). Returns false if the key was queued.
---@param n convene.Notification
---@return boolean queued
function convene.notify(n) end

---@param message string
---@param level ("info"|"warn"|"error")?
function convene.log(message, level) end

---@return string date  today in Vietnam, YYYY-MM-DD (the injected clock)
function convene.today() end

---@return integer ms
function convene.now() end

---@param name string
---@return boolean  whether convene[name] exists (modules bound by other subsystems)
function convene.has(name) end

---Declares a campaign (while the package loads). Phases follow one another.
---@param c {name: string, title: string?, org: string?, phases: convene.Phase[]}
function convene.campaign(c) end

---@param campaign string
---@return string? phase, integer? ordinal  the active phase
function convene.phase(campaign) end

---@class convene.Run
---@field name string       the job's name, "lua:PACKAGE:NAME"
---@field due integer       the instant the run was due (ms since the epoch)
---@field previous integer  the previous run's due instant, -1 for the first run

---@alias convene.JobOptions string|{name: string?, while: string?}

---@class convene.Relative
---@field congress string?   the organisation whose congress's planned opening day anchors the job
---@field work integer?      or the work item whose due day anchors it
---@field days integer?      0 to 3660 days before (convene.before) or after (convene.after); default 0
---@field time string?       "HH:MM" in the store's zone; default "08:00"
---@field name string?       default: made of the anchor, days and time
---@field fn fun(run: convene.Run)

---Declares (in init.lua only) a durable job named "lua:PACKAGE:NAME" that runs fn at every
---instant the cron expression matches in the store's zone. Its notifications are keyed by the
---job and the due instant: a repeated run queues nothing twice. `while` names a phase outside
---which the job does nothing. NAME defaults to the cron expression.
---@param cron string  five fields: minute hour day-of-month month day-of-week
---@param fn fun(run: convene.Run)
---@param opts convene.JobOptions?  a name, or {name=, while=}
function convene.every(cron, fn, opts) end

---Declares (in init.lua only) a one-shot job running fn at time ("2020-09-27T08:00", local to
---the store's zone unless it says Z or +HH:MM). NAME defaults to the time.
---@param time string
---@param fn fun(run: convene.Run)
---@param opts convene.JobOptions?  a name, or {name=, while=}
function convene.at(time, fn, opts) end

---Declares (in init.lua only) a job running fn `days` days before a congress opens or a work
---item falls due, at `time`; it follows the date when it moves.
---@param r convene.Relative
function convene.before(r) end

---Like convene.before, `days` days after the congress's opening day or the item's due day.
---@param r convene.Relative
function convene.after(r) end

---@param o {code: string, name: string, level: string, parent: string, kind: string?, members: integer?}
---@return integer id
function convene.add_org(o) end

---@param code string
---@param changes {name: string?, kind: string?, members: integer?}
function convene.update_org(code, changes) end

---@param c {org: string, ordinal: string, term: string?, kind: ("delegates"|"members")?, start: string?, finish: string?, pilot: boolean?, direct_secretary: boolean?}
---@return integer id
function convene.plan_congress(c) end

---@param c {org: string, term: string?, kind: string?, start: string?, finish: string?, pilot: boolean?, direct_secretary: boolean?, summoned: integer?, present: integer?}
function convene.set_congress(c) end

---@param org string
---@param term string?
function convene.prepare_congress(org, term) end

---@param c {org: string, on: string, to: string?, override: string?, term: string?}
function convene.hold_congress(c) end

---@param w {org: string, title: string, group: string, subcommittee: string?, unit: string?, person: string?, due: string?, budget: integer?, term: string?}
---@return integer id
function convene.add_work(w) end

---@param id integer
---@param date string?
function convene.done_work(id, date) end

---@param id integer
---@param who {unit: string?, person: string?}
function convene.assign_work(id, who) end
