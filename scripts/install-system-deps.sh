#!/bin/sh
# The Debian packages the tests need beyond the virtual environment:
#   chromium        the browser tests drive /usr/bin/chromium through Playwright (never a downloaded browser)
#   fonts-noto-cjk  without a Japanese font every Japanese character renders as a box
#   fontconfig      fc-list, which the tests use to find that font
#   postgresql      the tests start their own throwaway server from /usr/lib/postgresql/*/bin
#   redis-server    likewise a throwaway Redis (REDIS_URL: the queue and the shared rate limits)
#   faketime        `make test-dates` runs the suite at other dates through libfaketime
#   postgresql-client  pg_dump and pg_restore, which `aggregator backup` / `restore` run on PostgreSQL
#                   (postgresql pulls it in; named here so a machine with only a server is told)
#
# Installs only what is missing, and only as root with apt-get; `apt-get update` runs only when
# something is to be installed. Anywhere else it says what is missing and exits 0: those tests
# then skip, or fail under CI (CI=true). Quiet and quick when everything is there.
set -eu

missing=""
need() { missing="$missing $1"; }

[ -x /usr/bin/chromium ] || need chromium
if command -v fc-list >/dev/null 2>&1; then
    [ -n "$(fc-list 'Noto Sans CJK JP' family 2>/dev/null)" ] || need fonts-noto-cjk
else
    need fontconfig
    [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need fonts-noto-cjk
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need postgresql
[ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null 2>&1 || need redis-server
command -v faketime >/dev/null 2>&1 || need faketime
{ ls /usr/lib/postgresql/*/bin/pg_dump && ls /usr/lib/postgresql/*/bin/pg_restore; } >/dev/null 2>&1 || need postgresql-client

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: missing system packages:$missing" >&2
    echo "install-system-deps: on Debian, as root: apt-get install$missing (the tests that need them skip; under CI they fail)" >&2
    exit 0
fi

echo "install-system-deps: installing$missing"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # $missing is a list of package names
if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq --no-install-recommends $missing >>"$log" 2>&1; then
    exit 0
fi
cat "$log" >&2
echo "install-system-deps: could not install$missing" >&2
# Under CI a missing dependency is a failure; elsewhere the tests that need it skip.
[ "${CI:-}" = "true" ] && exit 1
exit 0
