-- congresses.sql: the 2020-2025 congress of every organisation of the bench country in a
-- realistic mix of states on 22 May 2020 (cells: 90% held on time, 5% held after their window
-- closed on 31 March, 5% still preparing; grassroots: 60% held in May, 20% preparing, 20%
-- planned; 10% of districts preparing; the rest planned), and 4 work items per district. Written
-- by the sqlite3 shell through the store's bulk protocol (store migration 9): the roll-up
-- triggers stand aside while the rows land, and deleting rollups.bulk recomputes them.
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'bench');
INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, status, actual_start, actual_end)
SELECT o.id, t.id, 10, CASE WHEN o.level IN ('grassroots', 'cell') THEN 'members' ELSE 'delegates' END,
       CASE o.level WHEN 'cell' THEN '2020-03-01' WHEN 'grassroots' THEN '2020-05-01'
                    WHEN 'district' THEN '2020-07-15' WHEN 'province' THEN '2020-10-10' ELSE '2021-01-25' END,
       CASE WHEN o.level = 'cell' AND o.id % 20 = 0 THEN 'preparing'
            WHEN o.level = 'cell' THEN 'held'
            WHEN o.level = 'grassroots' AND o.id % 5 < 3 THEN 'held'
            WHEN o.level = 'grassroots' AND o.id % 5 = 3 THEN 'preparing'
            WHEN o.level = 'district' AND o.id % 10 = 0 THEN 'preparing' ELSE 'planned' END,
       CASE WHEN o.level = 'cell' AND o.id % 20 = 1 THEN '2020-04-10'
            WHEN o.level = 'cell' AND o.id % 20 <> 0 THEN '2020-03-01'
            WHEN o.level = 'grassroots' AND o.id % 5 < 3 THEN '2020-05-05' END,
       CASE WHEN o.level = 'cell' AND o.id % 20 = 1 THEN '2020-04-10'
            WHEN o.level = 'cell' AND o.id % 20 <> 0 THEN '2020-03-01'
            WHEN o.level = 'grassroots' AND o.id % 5 < 3 THEN '2020-05-06' END
FROM orgs o, terms t WHERE t.code = '2020-2025';
INSERT INTO work_items(congress_id, group_name, title, unit, person, due, budget)
SELECT c.id, printf('%d. Nhóm', k.k), printf('Việc %d', k.k), 'Văn phòng', 'Chánh Văn phòng',
       '2020-05-1' || k.k, 1000000
FROM congresses c JOIN orgs o ON o.id = c.org_id AND o.level = 'district',
     (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k;
DELETE FROM settings WHERE key = 'rollups.bulk';
COMMIT;
