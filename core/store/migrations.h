/* migrations.h: the store's schema as an ordered list of forward-only migrations. Migration v
 * (1-based) brings a file from user_version v-1 to v. Never edit a migration that has shipped;
 * append a new one. */
#ifndef CV_MIGRATIONS_H
#define CV_MIGRATIONS_H

int cv_migrations_count(void);
const char *cv_migration_sql(int version);

#endif
