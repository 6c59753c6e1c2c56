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

/* 2: Lua packages (DESIGN.md 5): each bound to one organisation subtree, with its configuration,
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

static const char *const migrations[] = {
    schema_foundation,
    schema_lua,
};

int cv_migrations_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *cv_migration_sql(int version)
{
    return version >= 1 && version <= cv_migrations_count() ? migrations[version - 1] : NULL;
}
