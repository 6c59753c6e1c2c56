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

static const char *const migrations[] = {
    schema_foundation,
    schema_plugins,
    schema_sched,
};

int cv_migrations_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *cv_migration_sql(int version)
{
    return version >= 1 && version <= cv_migrations_count() ? migrations[version - 1] : NULL;
}
