#!/usr/bin/env bash
# po-update.sh: brings the messages of the sources into the catalogues, for translators.
#   bash tools/po-update.sh          # rewrite web/po/convene.pot and merge it into every web/po/*.po
#   bash tools/po-update.sh --check  # fail when a message of the sources is missing, untranslated
#                                    # or fuzzy in a catalogue (a test runs this)
# Messages are marked in C with _("...") (N_("...") in tables and in the domain's refusals given to
# cv_err_set, cv_tr(lang, "...") elsewhere); ids
# are the English text.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sources=(core/web/*.c core/cli/cmd_status.c
  core/domain/congress.c core/domain/work.c core/domain/org.c core/ops/ops.c core/ops/ops_auth.c
  core/auth/account.c core/auth/grant.c core/base/date.c core/base/text.c core/elect/election.c
  core/docs/document.c core/docs/round.c core/docs/scenario.c core/elect/count.c core/elect/rules.c
  core/ops/ops_sched.c core/ops/ops_plugin.c core/ops/ops_report.c core/ops/ops_documents.c
  core/ops/ops_notify.c core/ops/ops_admin.c core/sched/job.c core/sched/calendar.c
  core/plugin/host.c core/plugin/registry.c core/lua/registry.c core/lua/package.c core/lua/dispatch.c core/backup/*.c
  core/docs/plan.c core/docs/meeting.c core/docs/inspection.c core/docs/file.c core/elect/scheme.c
  core/elect/complaint.c core/elect/person.c core/elect/allocate.c core/notify/*.c)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
xgettext --keyword=_ --keyword=N_ --keyword=cv_tr:2 --from-code=UTF-8 --language=C --package-name=convene \
  --no-location --sort-output -o "$tmp/convene.pot" "${sources[@]}"
status=0
for po in web/po/*.po; do
  if [ "${1:-}" = "--check" ]; then
    msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$po" "$tmp/convene.pot"
    stats="$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$tmp/merged.po" 2>&1)"
    if echo "$stats" | grep -Eq 'untranslated|fuzzy'; then
      echo "po-update: $po: $stats" >&2
      msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep '^msgid' >&2 || true
      status=1
    fi
  else
    msgmerge --quiet --update --backup=none "$po" "$tmp/convene.pot"
  fi
done
[ "${1:-}" = "--check" ] || cp "$tmp/convene.pot" web/po/convene.pot
exit $status
