/* tree.h: a small organisation tree shared by the domain unit tests: a city (LS-TP) with two
 * wards (one a pilot-to-be) and a cell under the first ward. */
#ifndef CV_TEST_TREE_H
#define CV_TEST_TREE_H

#include "fixture.h"

#include "domain/congress.h"
#include "domain/org.h"

static inline void tree_add(fixture *f, const char *code, const char *name, const char *level,
                            const char *parent, int64_t members)
{
    cv_org o = {.members = members};
    snprintf(o.code, sizeof o.code, "%s", code);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.level, sizeof o.level, "%s", level);
    snprintf(o.parent_code, sizeof o.parent_code, "%s", parent);
    assert_int_equal(FIXTURE_TX(f->s, cv_org_add(f->s, &o, NULL, &f->e)), 0);
}

static inline void tree_plan(fixture *f, const char *org, const char *ordinal, int pilot)
{
    cv_congress_spec spec = {.org = org,
                             .ordinal = ordinal,
                             .pilot = pilot,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &spec, NULL, &f->e)), 0);
}

static inline int tree_setup(void **state)
{
    fixture_setup(state);
    fixture *f = *state;
    tree_add(f, "LS", "Tỉnh Lạng Sơn", "province", "", 0);
    tree_add(f, "LS-TP", "Thành phố Lạng Sơn", "district", "LS", 8900);
    tree_add(f, "VT", "Phường Vĩnh Trại", "grassroots", "LS-TP", 620);
    tree_add(f, "DK", "Phường Đông Kinh", "grassroots", "LS-TP", 150);
    tree_add(f, "VT-C1", "Chi bộ khối 1", "cell", "VT", 20);
    return 0;
}

#define TREE_TEST(fn) cmocka_unit_test_setup_teardown(fn, tree_setup, fixture_teardown)

#endif
