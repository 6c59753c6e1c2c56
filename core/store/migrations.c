/* migrations.c: every table of the store, as SQL migrations applied in order. Tables are STRICT;
 * dates are TEXT checked to be real YYYY-MM-DD dates; instants are INTEGER ms since the epoch.
 * The events table is append-only, enforced by triggers. */
#include "migrations.h"

#include <stddef.h>

/* 1: the foundation. The organisation tree, terms with each level's window, congresses,
 * subcommittees and work items, the journal and its consumers' cursors, the outbox. */
static const char schema_foundation[] =
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") STRICT;"

    "CREATE TABLE orgs ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  level TEXT NOT NULL CHECK (level IN ('national','province','district','grassroots','cell')),"
    "  kind TEXT NOT NULL DEFAULT '',"
    "  parent_id INTEGER REFERENCES orgs(id),"
    "  members INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),"
    "  CHECK (parent_id IS NULL OR parent_id <> id)"
    ") STRICT;"
    "CREATE INDEX orgs_by_parent ON orgs(parent_id);"

    "CREATE TABLE terms ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  starts TEXT NOT NULL CHECK (starts = date(starts)),"
    "  ends TEXT NOT NULL CHECK (ends = date(ends) AND ends > starts)"
    ") STRICT;"

    /* The window in which each level holds its congress in a term, and at most how many days. */
    "CREATE TABLE term_windows ("
    "  term_id INTEGER NOT NULL REFERENCES terms(id),"
    "  level TEXT NOT NULL,"
    "  opens TEXT NOT NULL CHECK (opens = date(opens)),"
    "  closes TEXT NOT NULL CHECK (closes = date(closes) AND closes >= opens),"
    "  max_days INTEGER CHECK (max_days > 0),"
    "  PRIMARY KEY (term_id, level)"
    ") STRICT;"

    "CREATE TABLE congresses ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  term_id INTEGER NOT NULL REFERENCES terms(id),"
    "  ordinal INTEGER NOT NULL CHECK (ordinal BETWEEN 1 AND 3999),"
    "  kind TEXT NOT NULL CHECK (kind IN ('delegates','members')),"
    "  planned_start TEXT CHECK (planned_start = date(planned_start)),"
    "  planned_end TEXT CHECK (planned_end = date(planned_end) AND planned_end >= planned_start),"
    "  actual_start TEXT CHECK (actual_start = date(actual_start)),"
    "  actual_end TEXT CHECK (actual_end = date(actual_end) AND actual_end >= actual_start),"
    "  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','preparing','held')),"
    "  pilot INTEGER NOT NULL DEFAULT 0 CHECK (pilot IN (0,1)),"
    "  direct_secretary INTEGER NOT NULL DEFAULT 0 CHECK (direct_secretary IN (0,1)),"
    "  delegates_summoned INTEGER CHECK (delegates_summoned >= 0),"
    "  delegates_present INTEGER CHECK (delegates_present >= 0 AND"
    "                                   delegates_present <= delegates_summoned),"
    "  CHECK (status <> 'held' OR actual_start IS NOT NULL),"
    "  UNIQUE (org_id, term_id)"
    ") STRICT;"
    "CREATE INDEX congresses_by_term ON congresses(term_id, status);"

    "CREATE TABLE subcommittees ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  code TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  UNIQUE (congress_id, code)"
    ") STRICT;"

    "CREATE TABLE work_items ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  group_name TEXT NOT NULL,"
    "  subcommittee_id INTEGER REFERENCES subcommittees(id),"
    "  title TEXT NOT NULL,"
    "  unit TEXT NOT NULL DEFAULT '',"
    "  person TEXT NOT NULL DEFAULT '',"
    "  due TEXT CHECK (due = date(due)),"
    "  budget INTEGER NOT NULL DEFAULT 0 CHECK (budget >= 0),"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),"
    "  done_on TEXT CHECK (done_on = date(done_on)),"
    "  CHECK ((status = 'done') = (done_on IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX work_items_by_congress ON work_items(congress_id, status, due);"

    /* The journal: every change's event, written in the change's transaction (DESIGN.md 2). */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  data TEXT NOT NULL CHECK (json_valid(data))"
    ") STRICT;"
    "CREATE TRIGGER events_are_append_only_u BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
    "CREATE TRIGGER events_are_append_only_d BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"

    /* Where each journal consumer (a Lua package, a plugin, the daemon's log) has read to. */
    "CREATE TABLE cursors ("
    "  consumer TEXT PRIMARY KEY,"
    "  event_id INTEGER NOT NULL"
    ") STRICT;"

    /* Notifications to deliver (DESIGN.md 3): written with their cause, sent by a notifier. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE,"
    "  channel TEXT NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),"
    "  tries INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  sent_at INTEGER"
    ") STRICT;"
    "CREATE INDEX outbox_due ON outbox(state, next_at);";

/* Plugins (DESIGN.md 6): which are enabled, their settings by the admins, the last error each
 * reported. revision grows with every admin change so a running daemon reloads what changed. */
static const char schema_plugins[] =
    "CREATE TABLE plugins ("
    "  name TEXT PRIMARY KEY,"
    "  enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0,1)),"
    "  revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),"
    "  changed_at INTEGER NOT NULL,"
    "  last_error TEXT"
    ") STRICT;"
    "CREATE TABLE plugin_config ("
    "  plugin TEXT NOT NULL REFERENCES plugins(name),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (plugin, key)"
    ") STRICT;";

/* elections: people, the personnel scheme of each congress (seats, structure targets, contents,
 * appointments), elections by round with their candidates, attendance and tally, corrections
 * made after an announcement, and complaints and denunciations about personnel. */
static const char schema_elect[] =
    "CREATE TABLE people ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  born TEXT CHECK (born = date(born)),"
    "  gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('','male','female')),"
    "  ethnicity TEXT NOT NULL DEFAULT '',"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  titles TEXT NOT NULL DEFAULT '',"
    "  incumbent INTEGER NOT NULL DEFAULT 0 CHECK (incumbent IN (0,1))"
    ") STRICT;"

    "CREATE TABLE schemes ("
    "  congress_id INTEGER PRIMARY KEY REFERENCES congresses(id),"
    "  contents INTEGER NOT NULL DEFAULT 4 CHECK (contents IN (2,3,4))"
    ") STRICT;"
    "CREATE TABLE scheme_seats ("
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  body TEXT NOT NULL CHECK (body IN ('committee','standing','secretary','deputy',"
    "                                     'inspection','delegates','alternates')),"
    "  seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 2000),"
    "  PRIMARY KEY (congress_id, body)"
    ") STRICT;"
    "CREATE TABLE scheme_targets ("
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  target TEXT NOT NULL CHECK (target IN ('women','minorities','under40','age40to50',"
    "                                         'over50','renewal')),"
    "  min_pct INTEGER NOT NULL CHECK (min_pct BETWEEN 0 AND 100),"
    "  PRIMARY KEY (congress_id, target)"
    ") STRICT;"
    "CREATE TABLE appointments ("
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  body TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL REFERENCES people(id),"
    "  PRIMARY KEY (congress_id, body, person_id)"
    ") STRICT;"

    /* One row per round. The base is the adjusted summoned base of 244-QD/TW and 190-QD/TW,
     * computed from the attendance columns when the round is opened. */
    "CREATE TABLE elections ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  body TEXT NOT NULL CHECK (body IN ('committee','standing','secretary','deputy',"
    "                                     'inspection','delegates','alternates')),"
    "  round INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),"
    "  previous_id INTEGER REFERENCES elections(id),"
    "  seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 2000),"
    "  tie_rule TEXT NOT NULL DEFAULT 'revote' CHECK (tie_rule IN ('revote','older')),"
    "  status TEXT NOT NULL DEFAULT 'created'"
    "    CHECK (status IN ('created','open','counted','announced','approved')),"
    "  summoned INTEGER CHECK (summoned >= 0),"
    "  transferred INTEGER NOT NULL DEFAULT 0 CHECK (transferred >= 0),"
    "  exempt_absent INTEGER NOT NULL DEFAULT 0 CHECK (exempt_absent >= 0),"
    "  suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended >= 0),"
    "  excused_absent INTEGER NOT NULL DEFAULT 0 CHECK (excused_absent >= 0),"
    "  convening_absent INTEGER NOT NULL DEFAULT 0 CHECK (convening_absent >= 0),"
    "  unreplaced_absent INTEGER NOT NULL DEFAULT 0 CHECK (unreplaced_absent >= 0),"
    "  alternates_in INTEGER NOT NULL DEFAULT 0 CHECK (alternates_in >= 0),"
    "  attending INTEGER CHECK (attending >= 0),"
    "  base INTEGER CHECK (base >= 0),"
    "  issued INTEGER CHECK (issued >= 0),"
    "  returned INTEGER CHECK (returned >= 0 AND returned <= issued),"
    "  valid INTEGER CHECK (valid >= 0),"
    "  invalid INTEGER CHECK (invalid >= 0 AND valid + invalid = returned),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK (status IN ('created','open') OR (base IS NOT NULL AND valid IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX elections_by_congress ON elections(congress_id, body, round);"

    "CREATE TABLE candidates ("
    "  election_id INTEGER NOT NULL REFERENCES elections(id),"
    "  person_id INTEGER NOT NULL REFERENCES people(id),"
    "  position INTEGER NOT NULL,"
    "  source TEXT NOT NULL DEFAULT 'list' CHECK (source IN ('list','floor','self')),"
    "  opinion_agree INTEGER CHECK (opinion_agree >= 0),"
    "  votes INTEGER CHECK (votes >= 0),"
    "  outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','elected','tied','below',"
    "                                                      'outvoted')),"
    "  PRIMARY KEY (election_id, person_id)"
    ") STRICT;"

    /* A change to an announced result: who made it, why, and the figures before and after. */
    "CREATE TABLE election_corrections ("
    "  id INTEGER PRIMARY KEY,"
    "  election_id INTEGER NOT NULL REFERENCES elections(id),"
    "  at INTEGER NOT NULL,"
    "  by_whom TEXT NOT NULL CHECK (length(by_whom) > 0),"
    "  reason TEXT NOT NULL CHECK (length(reason) > 0),"
    "  before TEXT NOT NULL CHECK (json_valid(before)),"
    "  after TEXT NOT NULL CHECK (json_valid(after))"
    ") STRICT;"

    "CREATE TABLE complaints ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('complaint','denunciation')),"
    "  sender TEXT NOT NULL DEFAULT '',"
    "  address TEXT NOT NULL DEFAULT '',"
    "  false_name INTEGER NOT NULL DEFAULT 0 CHECK (false_name IN (0,1)),"
    "  specific INTEGER NOT NULL DEFAULT 1 CHECK (specific IN (0,1)),"
    "  refiled INTEGER NOT NULL DEFAULT 0 CHECK (refiled IN (0,1)),"
    "  new_evidence INTEGER NOT NULL DEFAULT 0 CHECK (new_evidence IN (0,1)),"
    "  about_id INTEGER REFERENCES people(id),"
    "  summary TEXT NOT NULL DEFAULT '',"
    "  received TEXT NOT NULL CHECK (received = date(received)),"
    "  deadline TEXT CHECK (deadline = date(deadline)),"
    "  status TEXT NOT NULL CHECK (status IN ('not_handled','open','settled')),"
    "  not_handled_reason TEXT NOT NULL DEFAULT '',"
    "  settled_on TEXT CHECK (settled_on = date(settled_on)),"
    "  conclusion TEXT NOT NULL DEFAULT '',"
    "  CHECK ((status = 'settled') = (settled_on IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX complaints_by_congress ON complaints(congress_id, status);";
/* 3: documents, comment rounds, plans and legal references, scenarios, meetings, inspections
 * (core/docs). Files are kept whole with their SHA-256; work items gain the plan they come from
 * and the scenario they belong to, and a view names the items a scenario switch puts out of
 * force. */
static const char schema_docs[] =
    "CREATE TABLE files ("
    "  id INTEGER PRIMARY KEY,"
    "  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
    "  size INTEGER NOT NULL CHECK (size BETWEEN 0 AND 52428800),"
    "  content BLOB NOT NULL CHECK (length(content) = size)"
    ") STRICT;"

    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('political_report','review_report','resolution',"
    "                                     'action_programme','other')),"
    "  title TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'drafting' CHECK (status IN ('drafting','consultation',"
    "                                                  'revising','submitted','adopted')),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX documents_by_congress ON documents(congress_id);"

    /* A version is the file itself (file_id) or only where it lies (path), never both. */
    "CREATE TABLE document_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  document_id INTEGER NOT NULL REFERENCES documents(id),"
    "  n INTEGER NOT NULL CHECK (n >= 1),"
    "  file_id INTEGER REFERENCES files(id),"
    "  path TEXT,"
    "  author TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (document_id, n),"
    "  CHECK ((file_id IS NULL) <> (path IS NULL))"
    ") STRICT;"

    "CREATE TABLE comment_rounds ("
    "  id INTEGER PRIMARY KEY,"
    "  document_id INTEGER NOT NULL REFERENCES documents(id),"
    "  version_id INTEGER NOT NULL REFERENCES document_versions(id),"
    "  opened_on TEXT NOT NULL CHECK (opened_on = date(opened_on)),"
    "  deadline TEXT NOT NULL CHECK (deadline = date(deadline) AND deadline >= opened_on),"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),"
    "  closed_on TEXT CHECK (closed_on = date(closed_on)),"
    "  taken_in TEXT NOT NULL DEFAULT '',"
    "  CHECK ((status = 'closed') = (closed_on IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX comment_rounds_by_document ON comment_rounds(document_id, status);"

    /* key: the organisation's code, or the name of a predecessor, board or the level above. */
    "CREATE TABLE round_recipients ("
    "  id INTEGER PRIMARY KEY,"
    "  round_id INTEGER NOT NULL REFERENCES comment_rounds(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('org','predecessor','board','above')),"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  key TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  responded_on TEXT CHECK (responded_on = date(responded_on)),"
    "  late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0,1)),"
    "  summary TEXT NOT NULL DEFAULT '',"
    "  file_id INTEGER REFERENCES files(id),"
    "  UNIQUE (round_id, key),"
    "  CHECK ((kind = 'org') = (org_id IS NOT NULL)),"
    "  CHECK (responded_on IS NOT NULL OR (late = 0 AND file_id IS NULL))"
    ") STRICT;"

    /* At most one active scenario per congress. */
    "CREATE TABLE scenarios ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  code TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1)),"
    "  UNIQUE (congress_id, code)"
    ") STRICT;"
    "CREATE UNIQUE INDEX scenarios_one_active ON scenarios(congress_id) WHERE active;"

    /* Numbers repeat across years (35-CT/TW of 2019 and of 2024): number, date and issuer
     * together identify a plan or legal reference. */
    "CREATE TABLE plans ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT NOT NULL,"
    "  issued TEXT NOT NULL CHECK (issued = date(issued)),"
    "  issuer TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('plan','notice','directive','regulation','guidance',"
    "                                     'decision','resolution','other')),"
    "  title TEXT NOT NULL,"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  subcommittee_id INTEGER REFERENCES subcommittees(id),"
    "  department TEXT NOT NULL DEFAULT '',"
    "  scenario_id INTEGER REFERENCES scenarios(id),"
    "  UNIQUE (number, issued, issuer)"
    ") STRICT;"
    "CREATE INDEX plans_by_number ON plans(number);"

    "ALTER TABLE work_items ADD COLUMN plan_id INTEGER REFERENCES plans(id);"
    "ALTER TABLE work_items ADD COLUMN scenario_id INTEGER REFERENCES scenarios(id);"
    /* An item's own scenario, else its plan's, must be the active one for it to be in force. */
    "CREATE VIEW work_items_out_of_force(id) AS"
    "  SELECT w.id FROM work_items w LEFT JOIN plans p ON p.id = w.plan_id"
    "  JOIN scenarios sc ON sc.id = coalesce(w.scenario_id, p.scenario_id) WHERE NOT sc.active;"

    /* Meetings are numbered per body within the congress's organisation and term. unit is the
     * subcommittee's id for a subcommittee meeting, else 0, so that numbers are unique. */
    "CREATE TABLE meetings ("
    "  id INTEGER PRIMARY KEY,"
    "  congress_id INTEGER NOT NULL REFERENCES congresses(id),"
    "  body TEXT NOT NULL CHECK (body IN ('standing','executive','subcommittee')),"
    "  unit INTEGER NOT NULL DEFAULT 0,"
    "  number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9999),"
    "  held_on TEXT NOT NULL CHECK (held_on = date(held_on)),"
    "  title TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','held')),"
    "  conclusions TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (congress_id, body, unit, number),"
    "  CHECK ((body = 'subcommittee') = (unit > 0))"
    ") STRICT;"

    "CREATE TABLE meeting_items ("
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id),"
    "  n INTEGER NOT NULL CHECK (n >= 1),"
    "  title TEXT NOT NULL,"
    "  document_id INTEGER REFERENCES documents(id),"
    "  conclusion TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (meeting_id, n)"
    ") STRICT;"

    "CREATE TABLE inspections ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  by_org_id INTEGER REFERENCES orgs(id),"
    "  led_by TEXT NOT NULL,"
    "  held_on TEXT NOT NULL CHECK (held_on = date(held_on)),"
    "  findings TEXT NOT NULL DEFAULT ''"
    ") STRICT;"

    /* Each request made on an inspection becomes a work item of the inspected congress. */
    "CREATE TABLE inspection_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  inspection_id INTEGER NOT NULL REFERENCES inspections(id),"
    "  text TEXT NOT NULL,"
    "  due TEXT NOT NULL CHECK (due = date(due)),"
    "  work_item_id INTEGER NOT NULL UNIQUE REFERENCES work_items(id)"
    ") STRICT;";
/* The scheduler (core/sched). Durable jobs with a stable name (reloading a script or
 * re-seeding never duplicates one), their run history with lateness, the contacts that turn a
 * person's or unit's name into addresses, and the holiday calendar for working days. The
 * built-in reminders are rows here, on by default; next_at NULL means "compute from now"
 * (kind 'event' jobs run on journal events instead and never have one). */
static const char schema_sched[] =
    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('cron','at','anchor','event')),"
    "  spec TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  args TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args)),"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','paused','done')),"
    "  next_at INTEGER,"
    "  last_due_at INTEGER,"
    "  last_run_at INTEGER,"
    "  last_lateness_ms INTEGER,"
    "  runs INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),"
    "  last_error TEXT,"
    "  created_at INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "CREATE INDEX jobs_due ON jobs(next_at) WHERE state = 'active';"
    "CREATE INDEX jobs_by_kind ON jobs(kind, state);"

    "CREATE TABLE job_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  due_at INTEGER NOT NULL,"
    "  ran_at INTEGER NOT NULL,"
    "  lateness_ms INTEGER NOT NULL,"
    "  caught_up INTEGER NOT NULL DEFAULT 0 CHECK (caught_up IN (0,1)),"
    "  queued INTEGER NOT NULL DEFAULT 0 CHECK (queued >= 0),"
    "  error TEXT"
    ") STRICT;"
    "CREATE INDEX job_runs_by_job ON job_runs(job_id, due_at);"
    /* The daily reminders look congresses up by opening day and work items by due date. */
    "CREATE INDEX congresses_by_start ON congresses(coalesce(actual_start, planned_start));"
    "CREATE INDEX work_items_by_due ON work_items(status, due);"

    "CREATE TABLE contacts ("
    "  name TEXT NOT NULL,"
    "  channel TEXT NOT NULL CHECK (channel IN ('smtp','webhook','log')),"
    "  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 512),"
    "  PRIMARY KEY (name, channel, address)"
    ") STRICT;"

    "CREATE TABLE holidays ("
    "  day TEXT PRIMARY KEY CHECK (day = date(day)),"
    "  name TEXT NOT NULL"
    ") STRICT;"

    "INSERT INTO jobs(name, kind, spec, action, args) VALUES"
    "  ('builtin.work.due_soon', 'cron', '0 8 * * *', 'work.due', '{\"days\":3}'),"
    "  ('builtin.work.overdue', 'cron', '0 8 * * *', 'work.due', '{\"days\":-1}'),"
    "  ('builtin.congress.soon', 'cron', '0 8 * * *', 'congress.soon', '{\"days\":7}'),"
    "  ('builtin.congress.announce', 'cron', '0 8 * * *', 'congress.announce',"
    "   '{\"working_days\":30}'),"
    "  ('builtin.phase.changed', 'event', 'phase.started phase.ended', 'phase.changed', '{}');"
    "INSERT INTO cursors(consumer, event_id) SELECT 'sched', coalesce(max(id), 0) FROM events;";

/* Lua packages (DESIGN.md 5): each bound to one organisation subtree, with its configuration,
 * its state and last error; the campaigns they declare and their phases. */
static const char schema_lua[] =
    "CREATE TABLE lua_packages ("
    "  name TEXT PRIMARY KEY,"
    "  path TEXT NOT NULL,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config) AND json_type(config) = "
    "'object'),"
    "  state TEXT NOT NULL DEFAULT 'added' CHECK (state IN ('added','loaded','failed','disabled')),"
    "  last_error TEXT,"
    "  error_at INTEGER,"
    "  loaded_at INTEGER,"
    "  generation INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0)"
    ") STRICT;"

    "CREATE TABLE lua_campaigns ("
    "  id INTEGER PRIMARY KEY,"
    "  package TEXT NOT NULL REFERENCES lua_packages(name),"
    "  name TEXT NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  UNIQUE (package, name)"
    ") STRICT;"

    /* Phases follow one another: pending -> active -> done, with the days they moved. */
    "CREATE TABLE lua_phases ("
    "  campaign_id INTEGER NOT NULL REFERENCES lua_campaigns(id),"
    "  ordinal INTEGER NOT NULL CHECK (ordinal >= 1),"
    "  name TEXT NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','active','done')),"
    "  started_on TEXT CHECK (started_on = date(started_on)),"
    "  ended_on TEXT CHECK (ended_on = date(ended_on) AND ended_on >= started_on),"
    "  CHECK ((state = 'pending') = (started_on IS NULL)),"
    "  CHECK ((state = 'done') = (ended_on IS NOT NULL)),"
    "  PRIMARY KEY (campaign_id, ordinal)"
    ") STRICT;";

/* Reminders for comment-round deadlines (docs) and complaints still open before a congress
 * (elect). */
static const char schema_sched_reminders[] =
    "INSERT INTO jobs(name, kind, spec, action, args) VALUES"
    "  ('builtin.document.deadline', 'cron', '0 8 * * *', 'document.deadline', '{\"days\":2}'),"
    "  ('builtin.complaints.unsettled', 'cron', '0 8 * * *', 'complaints.unsettled',"
    "   '{\"days\":10}');";

/* 8: people's gender check without an IN list. SQLite checks `x IN (three or more constants)`
 * through a temporary index it builds for every row written (0.45 s per million people
 * imported); equalities cost nothing. The table is rebuilt the documented way (create, copy,
 * drop, rename: store.c runs migrations with foreign keys off and checks them before commit). */
static const char schema_people_gender[] =
    "CREATE TABLE people_new ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  born TEXT CHECK (born = date(born)),"
    "  gender TEXT NOT NULL DEFAULT '' CHECK (gender = 'male' OR gender = 'female' OR gender = ''),"
    "  ethnicity TEXT NOT NULL DEFAULT '',"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  titles TEXT NOT NULL DEFAULT '',"
    "  incumbent INTEGER NOT NULL DEFAULT 0 CHECK (incumbent IN (0,1))"
    ") STRICT;"
    "INSERT INTO people_new SELECT id, code, name, born, gender, ethnicity, org_id, titles, "
    "  incumbent FROM people;"
    "DROP TABLE people;"
    "ALTER TABLE people_new RENAME TO people;";

/* 9: scheduled backups (core/backup): the nightly job, paused until `convene backup config --dir`
 * names a folder. Its settings live in the settings table (backup.*). */
static const char schema_backup[] =
    "INSERT INTO jobs(name, kind, spec, action, args, state) VALUES"
    "  ('builtin.backup.nightly', 'cron', '30 2 * * *', 'backup', '{}', 'paused');";

/* 10: due rows per channel, so that each channel's delivery slots fill from its own rows (a
 * channel whose receiver hangs must not hold back the others) and the channels with pending rows
 * are found by a skip-scan. */
static const char schema_outbox_channels[] =
    "CREATE INDEX outbox_by_channel ON outbox(state, channel, next_at);";

/* 11: Lua packages' budgets: the limits an admin raised (JSON object, cv_lua_limits_parse) and the
 * reason a package is suspended (NULL while it runs; `script resume` clears it). */
static const char schema_lua_budgets[] =
    "ALTER TABLE lua_packages ADD COLUMN limits TEXT NOT NULL DEFAULT '{}' "
    "  CHECK (json_valid(limits) AND json_type(limits) = 'object');"
    "ALTER TABLE lua_packages ADD COLUMN suspended TEXT;";

/* 12: who did what (issue 10). Accounts sign in with an argon2id password hash or an API token
 * stored only as its BLAKE2b hash; grants give an account a role over an organisation's subtree
 * (admin over the whole store) from one instant to another and are never deleted, so who held
 * which role when stays answerable. Every event names its actor and the real time it was
 * recorded; events written before this migration name the actor 'legacy'. */
static const char schema_auth[] =
    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 32 AND"
    "                                    login NOT GLOB '*[^a-z0-9._-]*' AND"
    "                                    login GLOB '[a-z0-9]*'),"
    "  display_name TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK (state = 'active' OR state = 'disabled'),"
    "  unix_user TEXT UNIQUE,"
    "  password_hash TEXT,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  label TEXT NOT NULL,"
    "  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER,"
    "  revoked_at INTEGER,"
    "  UNIQUE (account_id, label)"
    ") STRICT;"

    "CREATE TABLE grants ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  role TEXT NOT NULL CHECK (role IN ('admin','office','organisation','secretary',"
    "                                     'subcommittee','inspector','viewer')),"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  starts INTEGER NOT NULL,"
    "  ends INTEGER,"
    "  CHECK ((role = 'admin') = (org_id IS NULL)),"
    "  CHECK (ends IS NULL OR ends >= starts)"
    ") STRICT;"
    "CREATE INDEX grants_by_account ON grants(account_id, ends);"
    "CREATE TRIGGER grants_are_never_deleted BEFORE DELETE ON grants"
    "  BEGIN SELECT RAISE(ABORT, 'a grant is ended, never deleted'); END;"

    /* Equalities, not IN: SQLite checks `x IN (constants)` through a temporary index built for
     * every row written (migration 8), and an import writes an event a row. */
    "ALTER TABLE events ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'legacy'"
    "  CHECK (actor_kind = 'account' OR actor_kind = 'token' OR actor_kind = 'package' OR"
    "         actor_kind = 'scheduler' OR actor_kind = 'plugin' OR actor_kind = 'legacy');"
    "ALTER TABLE events ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN actor_account INTEGER;"
    "ALTER TABLE events ADD COLUMN actor_token INTEGER;"
    "ALTER TABLE events ADD COLUMN actor_via TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0;";

/* The HTTP API (issue 11): browser sessions, kept only as their token's hash, and the answers to
 * changes sent with an Idempotency-Key, so that a retried request changes nothing twice. */
static const char schema_http[] =
    "CREATE TABLE http_sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  password_fp BLOB NOT NULL CHECK (length(password_fp) = 16),"
    "  peer TEXT NOT NULL,"
    "  opened_at INTEGER NOT NULL,"
    "  used_at INTEGER NOT NULL,"
    "  closed_at INTEGER"
    ") STRICT;"
    "CREATE INDEX http_sessions_by_account ON http_sessions(account_id, closed_at);"
    "CREATE TABLE http_idempotency ("
    "  account_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 128),"
    "  request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),"
    "  status INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (account_id, key)"
    ") STRICT;"
    "CREATE INDEX http_idempotency_by_age ON http_idempotency(created_at);";

/* 14: roll-ups (issue 15): per organisation, the counts of its strict subtree by term and level
 * (organisations themselves under term 0; congresses planned, preparing, held, and held after
 * their level's window closed; work items in force, open and done), and the subtree's open
 * items by due date, so that "late" and "overdue" on any day are sums of stored rows.
 * Triggers keep them in step with every writer (domain functions, imports, Lua, the sqlite3
 * shell) inside the writer's own transaction: a change adds its contribution, or minus it, to
 * each ancestor of its organisation, found through parent_id (at most four). orgs gains a
 * materialised path of codes ('/VN/P01/P01-D00/') so that subtree lists come from an index,
 * and its level check becomes equalities (an IN list costs a temporary index per row written,
 * as migration 8 found for people). A writer landing many rows at once (import of orgs) inserts
 * the setting rollups.bulk: while it exists the triggers stand aside, and deleting it
 * recomputes every path and roll-up in bulk, in the same transaction. */
// clang-format off
/* Every walk of the tree stops after this many steps, so that a parent cycle written behind
 * convene's back (which no command can make) cannot make a trigger loop: the tree has five
 * levels, and CV_ORG_DEPTH_MAX bounds the walks in C the same way. */
#define TREE_DEPTH_MAX "8"
#define RU_COLS "orgs, planned, preparing, held, held_late, items_open, items_done"
#define RU_UPSERT                                                                                  \
    " ON CONFLICT DO UPDATE SET orgs = orgs + excluded.orgs, planned = planned + excluded.planned, " \
    "preparing = preparing + excluded.preparing, held = held + excluded.held, "                    \
    "held_late = held_late + excluded.held_late, items_open = items_open + excluded.items_open, "  \
    "items_done = items_done + excluded.items_done;"
#define DUE_UPSERT " ON CONFLICT DO UPDATE SET open = open + excluded.open;"
/* Adds the rows (org, term, level, n1..n7) that sel selects to every strict ancestor of org. */
#define RU_ADD(sel)                                                                                \
    "INSERT INTO rollups(org_id, term_id, level, " RU_COLS ") "                                    \
    "WITH RECURSIVE d(org, t, l, n1, n2, n3, n4, n5, n6, n7) AS (" sel "), "                       \
    "up(id, t, l, n1, n2, n3, n4, n5, n6, n7, k) AS (SELECT o.parent_id, d.t, d.l, d.n1, d.n2, "   \
    "d.n3, d.n4, d.n5, d.n6, d.n7, 1 FROM d JOIN orgs o ON o.id = d.org "                          \
    "WHERE o.parent_id IS NOT NULL UNION ALL SELECT o.parent_id, up.t, up.l, up.n1, up.n2, "       \
    "up.n3, up.n4, up.n5, up.n6, up.n7, up.k + 1 FROM up JOIN orgs o ON o.id = up.id "             \
    "WHERE o.parent_id IS NOT NULL AND up.k < " TREE_DEPTH_MAX ") "                                \
    "SELECT id, t, l, sum(n1), sum(n2), sum(n3), sum(n4), sum(n5), sum(n6), sum(n7) FROM up "      \
    "WHERE true GROUP BY id, t, l" RU_UPSERT
/* Adds the rows (org, term, due, n) that sel selects to every strict ancestor's buckets. */
#define DUE_ADD(sel)                                                                               \
    "INSERT INTO rollup_due(org_id, term_id, due, open) "                                          \
    "WITH RECURSIVE d(org, t, due, n) AS (" sel "), "                                              \
    "up(id, t, due, n, k) AS (SELECT o.parent_id, d.t, d.due, d.n, 1 FROM d JOIN orgs o "         \
    "ON o.id = d.org WHERE o.parent_id IS NOT NULL UNION ALL SELECT o.parent_id, up.t, up.due, "   \
    "up.n, up.k + 1 FROM up JOIN orgs o ON o.id = up.id WHERE o.parent_id IS NOT NULL "            \
    "AND up.k < " TREE_DEPTH_MAX ") "                                                              \
    "SELECT id, t, due, sum(n) FROM up WHERE true GROUP BY id, t, due" DUE_UPSERT
#define RU_LIVE "NOT EXISTS (SELECT 1 FROM settings WHERE key = 'rollups.bulk')"
/* 1 when scenario s is active or absent (the rule of the view work_items_out_of_force). */
#define ACTIVE(s) "coalesce((SELECT active FROM scenarios WHERE id = " s "), 1)"
#define IN_FORCE(s, p) ACTIVE("coalesce(" s ", (SELECT scenario_id FROM plans WHERE id = " p "))")
#define LEVEL_OF(org) "(SELECT level FROM orgs WHERE id = " org ")"
/* Congress row r's contribution, times g. */
#define CONGRESS_ROW(r, g)                                                                         \
    "SELECT " r ".org_id, " r ".term_id, " LEVEL_OF(r ".org_id") ", 0, " g " * (" r ".status = "   \
    "'planned'), " g " * (" r ".status = 'preparing'), " g " * (" r ".status = 'held'), " g " * (" \
    r ".status = 'held' AND " r ".actual_start > coalesce((SELECT closes FROM term_windows w "     \
    "WHERE w.term_id = " r ".term_id AND w.level = " LEVEL_OF(r ".org_id") "), '9999-12-31')), 0, 0"
/* The contribution of the work items i that cond selects, times g. */
#define ITEMS_WHERE(g, cond)                                                                       \
    "SELECT c.org_id, c.term_id, o.level, 0, 0, 0, 0, 0, " g " * (i.status = 'open'), " g " * "    \
    "(i.status = 'done') FROM work_items i JOIN congresses c ON c.id = i.congress_id "             \
    "JOIN orgs o ON o.id = c.org_id WHERE " cond
#define ITEMS_DUE_WHERE(g, cond)                                                                   \
    "SELECT c.org_id, c.term_id, i.due, " g " FROM work_items i JOIN congresses c "                \
    "ON c.id = i.congress_id WHERE i.status = 'open' AND i.due IS NOT NULL AND " cond
/* Work item row r's contribution, times g (it adds only while in force). */
#define ITEM_ROW(r, g)                                                                             \
    "SELECT c.org_id, c.term_id, " LEVEL_OF("c.org_id") ", 0, 0, 0, 0, 0, " g " * " IN_FORCE(r     \
    ".scenario_id", r ".plan_id") " * (" r ".status = 'open'), " g " * " IN_FORCE(r ".scenario_id", \
    r ".plan_id") " * (" r ".status = 'done') FROM congresses c WHERE c.id = " r ".congress_id"
#define ITEM_DUE(r, g)                                                                             \
    "SELECT c.org_id, c.term_id, " r ".due, " g " * " IN_FORCE(r ".scenario_id", r ".plan_id")    \
    " FROM congresses c WHERE c.id = " r ".congress_id AND " r ".status = 'open' AND " r ".due "   \
    "IS NOT NULL"
/* The whole contribution of organisation x's subtree: its own rows and its roll-ups. */
#define SUBTREE_OF(x, g)                                                                           \
    "SELECT " x ", term_id, level, " g " * sum(orgs), " g " * sum(planned), " g " * "              \
    "sum(preparing), " g " * sum(held), " g " * sum(held_late), " g " * sum(items_open), " g " * " \
    "sum(items_done) FROM (SELECT org_id, term_id, level, " RU_COLS " FROM rollups WHERE org_id = " \
    x " UNION ALL SELECT * FROM rollup_own WHERE org_id = " x ") GROUP BY term_id, level"
#define SUBTREE_DUE_OF(x, g)                                                                       \
    "SELECT " x ", term_id, due, " g " * sum(open) FROM (SELECT * FROM rollup_due WHERE org_id = " \
    x " UNION ALL SELECT * FROM rollup_due_own WHERE org_id = " x ") GROUP BY term_id, due"
#define PATH_OF(x)                                                                                 \
    "(coalesce((SELECT p.path FROM orgs p WHERE p.id = " x ".parent_id), '/') || " x ".code || '/')"
/* Held congresses of window r's term and level held after it closed, times g. */
#define WINDOW_LATE(r, g)                                                                          \
    "SELECT c.org_id, c.term_id, o.level, 0, 0, 0, 0, " g ", 0, 0 FROM congresses c JOIN orgs o "  \
    "ON o.id = c.org_id WHERE c.term_id = " r ".term_id AND c.status = 'held' AND o.level = " r    \
    ".level AND c.actual_start > " r ".closes"
/* Bulk rebuild: the paths of the organisations at level lv, their parents' being right. */
#define FIX_PATHS(lv)                                                                              \
    "UPDATE orgs SET path = " PATH_OF("orgs") " WHERE level = '" lv "' AND path IS NULL;"
/* Bulk rebuild: pushes the roll-ups of the organisations at level lv up to their parents. */
#define PUSH_UP(lv)                                                                                \
    "INSERT INTO rollups(org_id, term_id, level, " RU_COLS ") SELECT o.parent_id, r.term_id, "     \
    "r.level, sum(r.orgs), sum(r.planned), sum(r.preparing), sum(r.held), sum(r.held_late), "      \
    "sum(r.items_open), sum(r.items_done) FROM rollups r CROSS JOIN orgs o ON o.id = r.org_id "    \
    "WHERE o.level = '" lv "' AND o.parent_id IS NOT NULL GROUP BY 1, 2, 3" RU_UPSERT              \
    "INSERT INTO rollup_due(org_id, term_id, due, open) SELECT o.parent_id, r.term_id, r.due, "    \
    "sum(r.open) FROM rollup_due r CROSS JOIN orgs o ON o.id = r.org_id WHERE o.level = '" lv "' " \
    "AND o.parent_id IS NOT NULL GROUP BY 1, 2, 3" DUE_UPSERT

static const char schema_rollups[] =
    "CREATE TABLE orgs_new ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  level TEXT NOT NULL CHECK (level = 'cell' OR level = 'grassroots' OR level = 'district'"
    "                             OR level = 'province' OR level = 'national'),"
    "  kind TEXT NOT NULL DEFAULT '',"
    "  parent_id INTEGER REFERENCES orgs(id),"
    "  members INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),"
    "  path TEXT,"
    "  CHECK (parent_id IS NULL OR parent_id <> id)"
    ") STRICT;"
    "INSERT INTO orgs_new(id, code, name, level, kind, parent_id, members) "
    "  SELECT id, code, name, level, kind, parent_id, members FROM orgs;"
    "DROP TABLE orgs;"
    "ALTER TABLE orgs_new RENAME TO orgs;"
    "CREATE INDEX orgs_by_parent ON orgs(parent_id, level);"
    "CREATE INDEX orgs_by_path ON orgs(level, path);"

    "CREATE TABLE rollups ("
    "  org_id INTEGER NOT NULL,"
    "  term_id INTEGER NOT NULL," /* 15: the organisations themselves, whatever the term */
    "  level TEXT NOT NULL,"
    "  orgs INTEGER NOT NULL DEFAULT 0,"
    "  planned INTEGER NOT NULL DEFAULT 0,"
    "  preparing INTEGER NOT NULL DEFAULT 0,"
    "  held INTEGER NOT NULL DEFAULT 0,"
    "  held_late INTEGER NOT NULL DEFAULT 0,"
    "  items_open INTEGER NOT NULL DEFAULT 0,"
    "  items_done INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (org_id, term_id, level)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE rollup_due ("
    "  org_id INTEGER NOT NULL,"
    "  term_id INTEGER NOT NULL,"
    "  due TEXT NOT NULL,"
    "  open INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (org_id, term_id, due)"
    ") STRICT, WITHOUT ROWID;"

    /* What each organisation adds to its ancestors' roll-ups by itself. */
    "CREATE VIEW rollup_own(org_id, term_id, level, " RU_COLS ") AS "
    "SELECT id, 0, level, 1, 0, 0, 0, 0, 0, 0 FROM orgs UNION ALL "
    "SELECT c.org_id, c.term_id, o.level, 0, c.status = 'planned', c.status = 'preparing', "
    "c.status = 'held', c.status = 'held' AND c.actual_start > coalesce(w.closes, '9999-12-31'), "
    "0, 0 FROM congresses c JOIN orgs o ON o.id = c.org_id "
    "LEFT JOIN term_windows w ON w.term_id = c.term_id AND w.level = o.level UNION ALL "
    "SELECT c.org_id, c.term_id, o.level, 0, 0, 0, 0, 0, sum(i.status = 'open'), "
    "sum(i.status = 'done') FROM work_items i JOIN congresses c ON c.id = i.congress_id "
    "JOIN orgs o ON o.id = c.org_id WHERE " IN_FORCE("i.scenario_id", "i.plan_id") " "
    "GROUP BY c.org_id, c.term_id;"
    "CREATE VIEW rollup_due_own(org_id, term_id, due, open) AS "
    "SELECT c.org_id, c.term_id, i.due, count(*) FROM work_items i "
    "JOIN congresses c ON c.id = i.congress_id WHERE i.status = 'open' AND i.due IS NOT NULL "
    "AND " IN_FORCE("i.scenario_id", "i.plan_id") " GROUP BY c.org_id, c.term_id, i.due;"

    "CREATE TRIGGER rollups_org_added AFTER INSERT ON orgs WHEN " RU_LIVE " BEGIN "
    "UPDATE orgs SET path = " PATH_OF("new") " WHERE id = new.id AND path IS NOT " PATH_OF("new") ";"
    RU_ADD("SELECT new.id, 0, new.level, 1, 0, 0, 0, 0, 0, 0") "END;"
    /* A move or a change of level: the subtree's whole contribution leaves the old ancestors
     * before the row changes and reaches the new ones after; the paths below follow. */
    "CREATE TRIGGER rollups_org_leaving BEFORE UPDATE OF parent_id, level ON orgs WHEN " RU_LIVE
    " AND (old.parent_id IS NOT new.parent_id OR old.level IS NOT new.level) BEGIN "
    RU_ADD(SUBTREE_OF("old.id", "-1")) DUE_ADD(SUBTREE_DUE_OF("old.id", "-1")) "END;"
    "CREATE TRIGGER rollups_org_arrived AFTER UPDATE OF parent_id, level ON orgs WHEN " RU_LIVE
    " AND (old.parent_id IS NOT new.parent_id OR old.level IS NOT new.level) BEGIN "
    RU_ADD(SUBTREE_OF("new.id", "1")) DUE_ADD(SUBTREE_DUE_OF("new.id", "1"))
    "UPDATE orgs SET path = " PATH_OF("new") " || substr(path, length(new.path) + 1) "
    "WHERE new.path IS NOT " PATH_OF("new") " AND id IN (WITH RECURSIVE sub(id, k) AS "
    "(SELECT new.id, 0 UNION ALL SELECT o.id, sub.k + 1 FROM orgs o JOIN sub ON o.parent_id = "
    "sub.id WHERE sub.k < " TREE_DEPTH_MAX ") SELECT id FROM sub);"
    "END;"

    "CREATE TRIGGER rollups_congress_added AFTER INSERT ON congresses WHEN " RU_LIVE " BEGIN "
    RU_ADD(CONGRESS_ROW("new", "1")) "END;"
    "CREATE TRIGGER rollups_congress_changed AFTER UPDATE OF org_id, term_id, status, "
    "actual_start ON congresses WHEN " RU_LIVE " BEGIN "
    RU_ADD(CONGRESS_ROW("old", "-1") " UNION ALL " CONGRESS_ROW("new", "1")) "END;"
    "CREATE TRIGGER rollups_congress_removed AFTER DELETE ON congresses WHEN " RU_LIVE " BEGIN "
    RU_ADD(CONGRESS_ROW("old", "-1")) "END;"

    "CREATE TRIGGER rollups_item_added AFTER INSERT ON work_items WHEN " RU_LIVE " BEGIN "
    RU_ADD(ITEM_ROW("new", "1")) DUE_ADD(ITEM_DUE("new", "1")) "END;"
    "CREATE TRIGGER rollups_item_leaving BEFORE UPDATE OF congress_id, status, due, scenario_id, "
    "plan_id ON work_items WHEN " RU_LIVE " BEGIN "
    RU_ADD(ITEM_ROW("old", "-1")) DUE_ADD(ITEM_DUE("old", "-1")) "END;"
    "CREATE TRIGGER rollups_item_arrived AFTER UPDATE OF congress_id, status, due, scenario_id, "
    "plan_id ON work_items WHEN " RU_LIVE " BEGIN "
    RU_ADD(ITEM_ROW("new", "1")) DUE_ADD(ITEM_DUE("new", "1")) "END;"
    "CREATE TRIGGER rollups_item_removed AFTER DELETE ON work_items WHEN " RU_LIVE " BEGIN "
    RU_ADD(ITEM_ROW("old", "-1")) DUE_ADD(ITEM_DUE("old", "-1")) "END;"
    /* A scenario switched on or off puts its items in or out of force; so does a plan moved to
     * another scenario, for the items that follow their plan's. */
    "CREATE TRIGGER rollups_scenario_switched AFTER UPDATE OF active ON scenarios WHEN " RU_LIVE
    " AND old.active IS NOT new.active BEGIN "
    RU_ADD(ITEMS_WHERE("(new.active - old.active)", "coalesce(i.scenario_id, (SELECT scenario_id "
           "FROM plans WHERE id = i.plan_id)) = new.id"))
    DUE_ADD(ITEMS_DUE_WHERE("(new.active - old.active)", "coalesce(i.scenario_id, (SELECT "
            "scenario_id FROM plans WHERE id = i.plan_id)) = new.id")) "END;"
    "CREATE TRIGGER rollups_plan_rescheduled AFTER UPDATE OF scenario_id ON plans WHEN " RU_LIVE
    " AND old.scenario_id IS NOT new.scenario_id BEGIN "
    RU_ADD(ITEMS_WHERE("(" ACTIVE("new.scenario_id") " - " ACTIVE("old.scenario_id") ")",
           "i.plan_id = new.id AND i.scenario_id IS NULL"))
    DUE_ADD(ITEMS_DUE_WHERE("(" ACTIVE("new.scenario_id") " - " ACTIVE("old.scenario_id") ")",
            "i.plan_id = new.id AND i.scenario_id IS NULL")) "END;"
    /* A window edited: held congresses cross the line between on time and late. */
    "CREATE TRIGGER rollups_window_added AFTER INSERT ON term_windows WHEN " RU_LIVE " BEGIN "
    RU_ADD(WINDOW_LATE("new", "1")) "END;"
    "CREATE TRIGGER rollups_window_changed AFTER UPDATE ON term_windows WHEN " RU_LIVE " BEGIN "
    RU_ADD(WINDOW_LATE("old", "-1") " UNION ALL " WINDOW_LATE("new", "1")) "END;"
    "CREATE TRIGGER rollups_window_removed AFTER DELETE ON term_windows WHEN " RU_LIVE " BEGIN "
    RU_ADD(WINDOW_LATE("old", "-1")) "END;"

    /* In bulk, a move only forgets the paths of the subtree moved; the rebuild finds them. */
    "CREATE TRIGGER rollups_org_moved_in_bulk AFTER UPDATE OF parent_id ON orgs WHEN NOT " RU_LIVE
    " AND old.parent_id IS NOT new.parent_id BEGIN "
    "UPDATE orgs SET path = NULL WHERE id IN (WITH RECURSIVE sub(id, k) AS (SELECT new.id, 0 UNION ALL "
    "SELECT o.id, sub.k + 1 FROM orgs o JOIN sub ON o.parent_id = sub.id WHERE sub.k < "
    TREE_DEPTH_MAX ") SELECT id FROM sub);"
    "END;"
    /* The bulk rebuild, when a writer deletes the rollups.bulk setting it inserted: the paths
     * missing, level by level from the top, then each organisation's own
     * counts into its parent, then the parents' roll-ups up level by level. A path left NULL
     * (a row written without one, a subtree moved) is found by the index orgs_by_path. */
    "CREATE TRIGGER rollups_rebuilt AFTER DELETE ON settings WHEN old.key = 'rollups.bulk' BEGIN "
    FIX_PATHS("national") FIX_PATHS("province") FIX_PATHS("district") FIX_PATHS("grassroots")
    FIX_PATHS("cell")
    "DELETE FROM rollups;"
    "DELETE FROM rollup_due;"
    "INSERT INTO rollups(org_id, term_id, level, orgs) SELECT parent_id, 0, level, count(*) "
    "FROM orgs WHERE parent_id IS NOT NULL GROUP BY parent_id, level;"
    "INSERT INTO rollups(org_id, term_id, level, " RU_COLS ") SELECT o.parent_id, c.term_id, "
    "o.level, 0, sum(c.status = 'planned'), sum(c.status = 'preparing'), sum(c.status = 'held'), "
    "sum(c.status = 'held' AND c.actual_start > coalesce(w.closes, '9999-12-31')), 0, 0 "
    "FROM congresses c JOIN orgs o ON o.id = c.org_id LEFT JOIN term_windows w "
    "ON w.term_id = c.term_id AND w.level = o.level WHERE o.parent_id IS NOT NULL "
    "GROUP BY 1, 2, 3" RU_UPSERT
    "INSERT INTO rollups(org_id, term_id, level, " RU_COLS ") SELECT o.parent_id, c.term_id, "
    "o.level, 0, 0, 0, 0, 0, sum(i.status = 'open'), sum(i.status = 'done') FROM work_items i "
    "JOIN congresses c ON c.id = i.congress_id JOIN orgs o ON o.id = c.org_id "
    "WHERE o.parent_id IS NOT NULL AND " IN_FORCE("i.scenario_id", "i.plan_id") " "
    "GROUP BY 1, 2, 3" RU_UPSERT
    "INSERT INTO rollup_due(org_id, term_id, due, open) SELECT o.parent_id, r.term_id, r.due, "
    "sum(r.open) FROM rollup_due_own r JOIN orgs o ON o.id = r.org_id "
    "WHERE o.parent_id IS NOT NULL GROUP BY 1, 2, 3;"
    PUSH_UP("grassroots") PUSH_UP("district") PUSH_UP("province")
    "END;"
    "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'migration');"
    "DELETE FROM settings WHERE key = 'rollups.bulk';";
// clang-format on

/* The burn-up of any subtree (issue 15): per organisation, the congresses of its strict subtree
 * held on each day, kept by triggers in the writer's transaction like the roll-ups of migration
 * 14 (the same bulk protocol rebuilds them), so that the dashboard draws "held per day" from one
 * organisation's rows instead of a walk of its subtree; and the indexes its lists start from
 * (open comment rounds and complaints, whatever their subtree). */
// clang-format off
#define HELD_UPSERT " ON CONFLICT DO UPDATE SET held = held + excluded.held;"
/* Adds the rows (org, term, day, n) that sel selects to every strict ancestor's days. */
#define HELD_ADD(sel)                                                                              \
    "INSERT INTO rollup_held(org_id, term_id, day, held) "                                         \
    "WITH RECURSIVE d(org, t, day, n) AS (" sel "), "                                              \
    "up(id, t, day, n, k) AS (SELECT o.parent_id, d.t, d.day, d.n, 1 FROM d JOIN orgs o "         \
    "ON o.id = d.org WHERE o.parent_id IS NOT NULL UNION ALL SELECT o.parent_id, up.t, up.day, "   \
    "up.n, up.k + 1 FROM up JOIN orgs o ON o.id = up.id WHERE o.parent_id IS NOT NULL "            \
    "AND up.k < " TREE_DEPTH_MAX ") "                                                              \
    "SELECT id, t, day, sum(n) FROM up WHERE true GROUP BY id, t, day" HELD_UPSERT
/* Congress row r's held day, times g. */
#define CONGRESS_HELD(r, g)                                                                        \
    "SELECT " r ".org_id, " r ".term_id, " r ".actual_start, " g " WHERE " r ".status = 'held' "   \
    "AND " r ".actual_start IS NOT NULL"
#define SUBTREE_HELD_OF(x, g)                                                                      \
    "SELECT " x ", term_id, day, " g " * sum(held) FROM (SELECT * FROM rollup_held WHERE "         \
    "org_id = " x " UNION ALL SELECT * FROM rollup_held_own WHERE org_id = " x ") "                \
    "GROUP BY term_id, day"
#define HELD_PUSH_UP(lv)                                                                           \
    "INSERT INTO rollup_held(org_id, term_id, day, held) SELECT o.parent_id, r.term_id, r.day, "   \
    "sum(r.held) FROM rollup_held r CROSS JOIN orgs o ON o.id = r.org_id WHERE o.level = '" lv "' "\
    "AND o.parent_id IS NOT NULL GROUP BY 1, 2, 3" HELD_UPSERT

static const char schema_rollup_held[] =
    "CREATE TABLE rollup_held ("
    "  org_id INTEGER NOT NULL,"
    "  term_id INTEGER NOT NULL,"
    "  day TEXT NOT NULL,"
    "  held INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (org_id, term_id, day)"
    ") STRICT, WITHOUT ROWID;"
    /* What each organisation's own congresses add to its ancestors' days. */
    "CREATE VIEW rollup_held_own(org_id, term_id, day, held) AS "
    "SELECT org_id, term_id, actual_start, count(*) FROM congresses WHERE status = 'held' "
    "AND actual_start IS NOT NULL GROUP BY org_id, term_id, actual_start;"
    "CREATE TRIGGER rollup_held_congress_added AFTER INSERT ON congresses WHEN " RU_LIVE
    " AND new.status = 'held' BEGIN " HELD_ADD(CONGRESS_HELD("new", "1")) "END;"
    "CREATE TRIGGER rollup_held_congress_changed AFTER UPDATE OF org_id, term_id, status, "
    "actual_start ON congresses WHEN " RU_LIVE " AND (old.status = 'held' OR new.status = 'held') "
    "BEGIN " HELD_ADD(CONGRESS_HELD("old", "-1") " UNION ALL " CONGRESS_HELD("new", "1")) "END;"
    "CREATE TRIGGER rollup_held_congress_removed AFTER DELETE ON congresses WHEN " RU_LIVE
    " AND old.status = 'held' BEGIN " HELD_ADD(CONGRESS_HELD("old", "-1")) "END;"
    "CREATE TRIGGER rollup_held_org_leaving BEFORE UPDATE OF parent_id ON orgs WHEN " RU_LIVE
    " AND old.parent_id IS NOT new.parent_id BEGIN " HELD_ADD(SUBTREE_HELD_OF("old.id", "-1"))
    "END;"
    "CREATE TRIGGER rollup_held_org_arrived AFTER UPDATE OF parent_id ON orgs WHEN " RU_LIVE
    " AND old.parent_id IS NOT new.parent_id BEGIN " HELD_ADD(SUBTREE_HELD_OF("new.id", "1"))
    "END;"
    "CREATE TRIGGER rollup_held_rebuilt AFTER DELETE ON settings WHEN old.key = 'rollups.bulk' "
    "BEGIN DELETE FROM rollup_held;"
    "INSERT INTO rollup_held(org_id, term_id, day, held) SELECT o.parent_id, r.term_id, r.day, "
    "sum(r.held) FROM rollup_held_own r JOIN orgs o ON o.id = r.org_id "
    "WHERE o.parent_id IS NOT NULL GROUP BY 1, 2, 3;"
    HELD_PUSH_UP("grassroots") HELD_PUSH_UP("district") HELD_PUSH_UP("province")
    "END;"
    "CREATE INDEX comment_rounds_by_status ON comment_rounds(status, deadline);"
    "CREATE INDEX complaints_by_status ON complaints(status, congress_id);"
    "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'migration');"
    "DELETE FROM settings WHERE key = 'rollups.bulk';";
// clang-format on
/* The language the dashboard speaks to each account (issue 12: English per account). */
static const char schema_account_lang[] =
    "ALTER TABLE accounts ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi' "
    "CHECK (lang IN ('vi', 'en'));";

/* The first page of late congresses of any subtree from one index (issue 15): each congress
 * carries a copy of its organisation's path and level, kept by triggers in the writer's
 * transaction, so that a level's congresses of a subtree are one range of congresses_by_path in
 * path order, with what makes them late in the entry. An organisation whose path or level
 * changes hands it to its congresses; a copy written by hand is set right at once; in bulk
 * (rollups.bulk) a path being found is left to the rebuild, which fills in every copy still
 * missing, after finding the paths itself (the order of two triggers on one event is not
 * SQLite's promise). */
// clang-format off
#define ORG_COPY(x) "(SELECT path FROM orgs WHERE id = " x "), (SELECT level FROM orgs WHERE id = " x ")"
static const char schema_late_list[] =
    "ALTER TABLE congresses ADD COLUMN org_path TEXT;"
    "ALTER TABLE congresses ADD COLUMN org_level TEXT;"
    "UPDATE congresses SET (org_path, org_level) = (" ORG_COPY("congresses.org_id") ");"
    "CREATE INDEX congresses_by_path ON congresses(term_id, org_level, org_path, status, "
    "actual_start);"
    "CREATE TRIGGER congress_org_copied AFTER INSERT ON congresses BEGIN "
    "UPDATE congresses SET (org_path, org_level) = (" ORG_COPY("new.org_id") ") WHERE id = new.id;"
    "END;"
    "CREATE TRIGGER congress_org_changed AFTER UPDATE OF org_id, org_path, org_level ON congresses "
    "WHEN new.org_path IS NOT (SELECT path FROM orgs WHERE id = new.org_id) "
    "OR new.org_level IS NOT (SELECT level FROM orgs WHERE id = new.org_id) BEGIN "
    "UPDATE congresses SET (org_path, org_level) = (" ORG_COPY("new.org_id") ") WHERE id = new.id;"
    "END;"
    "CREATE TRIGGER congress_org_moved AFTER UPDATE OF path, level ON orgs "
    "WHEN old.path IS NOT NULL AND (old.path IS NOT new.path OR old.level IS NOT new.level) BEGIN "
    "UPDATE congresses SET org_path = new.path, org_level = new.level WHERE org_id = new.id;"
    "END;"
    "CREATE TRIGGER congress_org_rebuilt AFTER DELETE ON settings WHEN old.key = 'rollups.bulk' "
    "BEGIN " FIX_PATHS("national") FIX_PATHS("province") FIX_PATHS("district")
    FIX_PATHS("grassroots") FIX_PATHS("cell")
    "UPDATE congresses SET (org_path, org_level) = (" ORG_COPY("congresses.org_id") ") "
    "WHERE org_path IS NULL OR org_level IS NULL;"
    "END;";
// clang-format on

/* A new congress copies its organisation's path and level at once only outside a bulk write:
 * in bulk (rollups.bulk) the rebuild fills in every copy still missing in one pass, instead of
 * one UPDATE a row (bench/tree's import of the country's 312,757 congresses). */
// clang-format off
static const char schema_late_list_bulk[] =
    "DROP TRIGGER congress_org_copied;"
    "CREATE TRIGGER congress_org_copied AFTER INSERT ON congresses WHEN " RU_LIVE " BEGIN "
    "UPDATE congresses SET (org_path, org_level) = (" ORG_COPY("new.org_id") ") WHERE id = new.id;"
    "END;";
// clang-format on

/* One line a migration, in order: the line's place is the schema version it brings. */
/* clang-format off */
static const char *const migrations[] = {
    schema_foundation,
    schema_plugins,
    schema_elect,
    schema_docs,
    schema_sched,
    schema_lua,
    schema_sched_reminders,
    schema_people_gender,
    schema_backup,
    schema_outbox_channels,
    schema_lua_budgets,
    schema_auth,
    schema_http,
    schema_rollups,
    schema_rollup_held,
    schema_account_lang,
    schema_late_list,
    schema_late_list_bulk,
};
/* clang-format on */

int cv_migrations_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *cv_migration_sql(int version)
{
    return version >= 1 && version <= cv_migrations_count() ? migrations[version - 1] : NULL;
}
