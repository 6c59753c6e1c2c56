-- make-country.sql: fills an initialised convene store with a country-sized tree for benchmarks:
-- 63 provinces, 693 district-level organisations, 52,000 grassroots organisations and 260,000
-- cells (about 5 million members), a congress for each in 2020-2025 and 4 work items per
-- district. Run with the sqlite3 CLI on a store made by `convene init`; deterministic.
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO orgs(id, code, name, level, kind, parent_id, members) VALUES (1, 'VN', 'Trung ương', 'national', '', NULL, 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 63)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 1 + i, printf('P%02d', i), printf('Đảng bộ tỉnh %d', i), 'province', '', 1, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 692)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 100 + i, printf('P%02d-D%02d', i / 11 + 1, i % 11), printf('Đảng bộ huyện %d', i), 'district',
       'district', 2 + i / 11, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 51999)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 1000 + i, printf('G%05d', i), printf('Đảng bộ cơ sở %d', i), 'grassroots', 'ward',
       100 + i % 693, 5 + (i * 7919) % 10 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 259999)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 100000 + i, printf('C%06d', i), printf('Chi bộ %d', i), 'cell', '', 1000 + i % 52000,
       15 + (i * 104729) % 10 FROM n;
INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, status, actual_start, actual_end)
SELECT o.id, t.id, 10, CASE WHEN o.level IN ('grassroots', 'cell') THEN 'members' ELSE 'delegates' END,
       CASE o.level WHEN 'cell' THEN '2020-03-01' WHEN 'grassroots' THEN '2020-05-01'
                    WHEN 'district' THEN '2020-07-15' WHEN 'province' THEN '2020-10-10' ELSE '2021-01-25' END,
       CASE WHEN o.level = 'cell' OR (o.level = 'grassroots' AND o.id % 5 <> 0) THEN 'held' ELSE 'planned' END,
       CASE WHEN o.level = 'cell' THEN '2020-03-01' WHEN o.level = 'grassroots' AND o.id % 5 <> 0 THEN '2020-05-01' END,
       CASE WHEN o.level = 'cell' THEN '2020-03-01' WHEN o.level = 'grassroots' AND o.id % 5 <> 0 THEN '2020-05-01' END
FROM orgs o, terms t WHERE t.code = '2020-2025';
INSERT INTO work_items(congress_id, group_name, title, unit, person, due, budget)
SELECT c.id, printf('%d. Nhóm', k.k), printf('Việc %d', k.k), 'Văn phòng', 'Chánh Văn phòng', '2020-05-1' || k.k, 1000000
FROM congresses c JOIN orgs o ON o.id = c.org_id AND o.level = 'district',
     (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k;
COMMIT;
