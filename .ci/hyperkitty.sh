#!/usr/bin/env bash
# A throw-away HyperKitty (Mailman 3's archiver) for the HyperKitty export
# test (tests/integration/fetch.rs, `a_hyperkitty_archive_is_fetched_month_by_month`).
#
#   .ci/hyperkitty.sh start   install (pinned, into a venv), create its SQLite
#                             database, import ../shared/corpus/r-announce
#                             (30 yearly files, 684 messages) into a list, serve it
#                             on a free loopback port, and write the variables
#                             the test reads to $HYPERKITTY_HOME/env
#   .ci/hyperkitty.sh stop    stop the server and remove $HYPERKITTY_HOME
#
# HyperKitty is a Django app: the settings are its own test settings
# (hyperkitty/tests/settings_test.py) with a database in $HYPERKITTY_HOME,
# the simple search backend (no Whoosh index), and the app mounted at
# /hyperkitty/ as a Mailman 3 site does. The corpus messages are read at
# CI time only, never copied into the project.
set -euo pipefail

HYPERKITTY_VERSION=1.3.12
HERE="$(cd "$(dirname "$0")" && pwd)"
CORPUS="$HERE/../../shared/corpus/r-announce"

start() {
    local home="${HYPERKITTY_HOME:?set HYPERKITTY_HOME to an empty folder}"
    mkdir -p "$home"
    local t0=$SECONDS
    python3 -m venv "$home/venv"
    "$home/venv/bin/pip" install --quiet --disable-pip-version-check \
        -c "$HERE/hyperkitty-constraints.txt" "hyperkitty==$HYPERKITTY_VERSION"
    echo "hyperkitty: installed hyperkitty $HYPERKITTY_VERSION in $((SECONDS - t0)) s"

    t0=$SECONDS
    mkdir -p "$home/site"
    cat >"$home/site/lp_hk_settings.py" <<EOF
from hyperkitty.tests.settings_test import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "lp_hk_urls"
WSGI_APPLICATION = None  # Django's default application
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "$home/hyperkitty.db"}}
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
STATIC_ROOT = "$home/static/"
LOGGING = {"version": 1, "disable_existing_loggers": False}
EOF
    cat >"$home/site/lp_hk_urls.py" <<'EOF'
from django.conf.urls import include
from django.urls import path

urlpatterns = [
    path("hyperkitty/", include("hyperkitty.urls")),
    path("", include("django_mailman3.urls")),
    path("accounts/", include("allauth.urls")),
]
EOF
    local dj=("$home/venv/bin/django-admin")
    export PYTHONPATH="$home/site" DJANGO_SETTINGS_MODULE=lp_hk_settings
    "${dj[@]}" migrate --verbosity 0 >"$home/migrate.log" 2>&1 || { cat "$home/migrate.log" >&2; exit 1; }
    # A real list's whole life: 357 months to page through, 684 messages.
    "${dj[@]}" hyperkitty_import --no-sync-mailman --verbosity 0 \
        -l r-announce@example.org "$CORPUS"/*.txt >"$home/import.log" 2>&1 || { cat "$home/import.log" >&2; exit 1; }
    echo "hyperkitty: database created and archive imported in $((SECONDS - t0)) s"

    local port
    port="$("$home/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${dj[@]}" runserver --noreload --nothreading "127.0.0.1:$port" >"$home/server.log" 2>&1 &
    echo $! >"$home/server.pid"
    local url="http://127.0.0.1:$port/hyperkitty/list/r-announce@example.org/"
    for _ in $(seq 1 240); do
        kill -0 "$(cat "$home/server.pid")" 2>/dev/null || { cat "$home/server.log" >&2; exit 1; }
        if "$home/venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=5)" "$url" 2>/dev/null; then
            break
        fi
        sleep 0.5
    done
    "$home/venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=5)" "$url"
    echo "hyperkitty: serving $url"
    cat >"$home/env" <<EOF
export HYPERKITTY_LIST_URL=$url
EOF
}

stop() {
    local home="${HYPERKITTY_HOME:-}"
    if [ -z "$home" ] || [ ! -d "$home" ]; then
        return 0
    fi
    if [ -f "$home/server.pid" ]; then
        kill "$(cat "$home/server.pid")" 2>/dev/null || true
    fi
    rm -rf "$home"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
