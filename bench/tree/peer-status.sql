-- peer-status.sql: the peer of `convene status ROOT`: the same subtree walk and per-level tally,
-- run by the sqlite3 CLI on the same file with the same cache settings convene uses. The root's
-- code is substituted for ROOT by run.sh.
PRAGMA cache_size = -32768;
PRAGMA temp_store = MEMORY;
WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM orgs WHERE code = 'ROOT' UNION ALL
  SELECT o.id, sub.depth + 1 FROM orgs o JOIN sub ON o.parent_id = sub.id)
SELECT o.level, count(*), sum(c.status = 'held'), sum(c.status = 'planned'),
       sum(CASE WHEN w.closes IS NULL THEN 0 WHEN c.status = 'held' THEN c.actual_start > w.closes
                ELSE '2020-05-22' > w.closes END)
FROM sub JOIN orgs o ON o.id = sub.id
LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = 1
LEFT JOIN term_windows w ON w.term_id = 1 AND w.level = o.level
WHERE sub.depth > 0 GROUP BY o.level;
