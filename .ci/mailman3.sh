#!/usr/bin/env bash
# A throw-away GNU Mailman 3 core for the roster test
# (tests/integration/fetch.rs, `a_mailman3_roster_arrives_from_a_real_core`).
#
#   .ci/mailman3.sh start   install (pinned, into a venv), configure, start,
#                           create a domain, a list, members, an owner, a
#                           moderator and a nonmember through the REST API,
#                           and write the variables the test reads to
#                           $MAILMAN3_HOME/env (source it)
#   .ci/mailman3.sh stop    stop the core and remove $MAILMAN3_HOME
#
# Everything lives under $MAILMAN3_HOME (default: a new temporary folder,
# whose path `start` prints and `stop` reads back from /tmp). The core
# listens on loopback only, on a free port; SQLite is its database; no
# runner that delivers or receives mail is started, so no MTA is needed.
set -euo pipefail

MAILMAN_VERSION=3.3.10   # the newest release; installs on CPython 3.9-3.13
POINTER=/tmp/listpulse-mailman3.home

start() {
    local home
    home="${MAILMAN3_HOME:-$(mktemp -d /tmp/listpulse-mailman3.XXXXXX)}"
    mkdir -p "$home"
    echo "$home" >"$POINTER"
    local t0=$SECONDS
    python3 -m venv "$home/venv"
    "$home/venv/bin/pip" install --quiet --disable-pip-version-check \
        -c "$(dirname "$0")/mailman3-constraints.txt" "mailman==$MAILMAN_VERSION"
    echo "mailman3: installed mailman $MAILMAN_VERSION in $((SECONDS - t0)) s"

    local port
    port="$("$home/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    local password
    password="$("$home/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))')"
    cat >"$home/mailman.cfg" <<EOF
[mailman]
layout: throwaway
site_owner: postmaster@example.org

[paths.throwaway]
var_dir: $home/var

[database]
class: mailman.database.sqlite.SQLiteDatabase
url: sqlite:///\$DATA_DIR/mailman.db

[webservice]
hostname: 127.0.0.1
port: $port
admin_user: restadmin
admin_pass: $password
workers: 1

[mta]
# No MTA: nothing regenerates postfix maps, and nothing is delivered.
incoming: mailman.mta.null.NullMTA

# Only the REST runner: nothing is delivered or received, so no MTA and no
# LMTP port is needed.
[runner.archive]
start: no
[runner.bad]
start: no
[runner.bounces]
start: no
[runner.command]
start: no
[runner.in]
start: no
[runner.lmtp]
start: no
[runner.nntp]
start: no
[runner.out]
start: no
[runner.pipeline]
start: no
[runner.retry]
start: no
[runner.shunt]
start: no
[runner.task]
start: no
[runner.virgin]
start: no
[runner.digest]
start: no
EOF
    t0=$SECONDS
    # CI runs as root; Mailman refuses that unless told it is on purpose.
    local as_root=()
    if [ "$(id -u)" = 0 ]; then as_root=(--run-as-root); fi
    "$home/venv/bin/mailman" "${as_root[@]}" -C "$home/mailman.cfg" start --force >"$home/start.log" 2>&1
    "$home/venv/bin/python" - "$port" "$password" <<'EOF'
import base64, json, sys, time, urllib.error, urllib.request

port, password = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}/3.1"
auth = "Basic " + base64.b64encode(f"restadmin:{password}".encode()).decode()

def call(method, path, data=None):
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(base + path, data=body, method=method)
    req.add_header("Authorization", auth)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()

deadline = time.time() + 120
while True:
    try:
        call("GET", "/system/versions")
        break
    except (urllib.error.URLError, ConnectionError, OSError):
        if time.time() > deadline:
            sys.exit("mailman3: the REST API did not come up within 120 s")
        time.sleep(0.5)

call("POST", "/domains", {"mail_host": "example.org"})
call("POST", "/lists", {"fqdn_listname": "dc-test@example.org"})
members = [
    ("ana.lima@example.org", "Ana Lima"),
    ("bo.chen@example.net", "Bo Chen"),
    ("chidi.okafor@example.com", ""),
]
for email, name in members:
    call("POST", "/members", {
        "list_id": "dc-test.example.org", "subscriber": email,
        "display_name": name, "role": "member",
        "pre_verified": True, "pre_confirmed": True, "pre_approved": True,
        "send_welcome_message": False,
    })
for email, name, role in [
    ("owner@example.org", "Olga Owner", "owner"),
    ("mod@example.org", "Mo Derator", "moderator"),
    ("passer.by@example.com", "Passer By", "nonmember"),
]:
    call("POST", "/members", {
        "list_id": "dc-test.example.org", "subscriber": email,
        "display_name": name, "role": role,
    })
EOF
    echo "mailman3: started and populated in $((SECONDS - t0)) s on 127.0.0.1:$port"
    cat >"$home/env" <<EOF
export MAILMAN3_REST_URL=http://127.0.0.1:$port/3.1/lists/dc-test.example.org
export MAILMAN3_REST_USER=restadmin
export MAILMAN3_REST_PASSWORD=$password
EOF
}

stop() {
    local home="${MAILMAN3_HOME:-}"
    if [ -z "$home" ] && [ -f "$POINTER" ]; then
        home="$(cat "$POINTER")"
    fi
    if [ -z "$home" ] || [ ! -d "$home" ]; then
        return 0
    fi
    if [ -x "$home/venv/bin/mailman" ]; then
        local as_root=()
        if [ "$(id -u)" = 0 ]; then as_root=(--run-as-root); fi
        "$home/venv/bin/mailman" "${as_root[@]}" -C "$home/mailman.cfg" stop >/dev/null 2>&1 || true
    fi
    # `mailman stop` signals the master; give it a moment to go.
    local pidfile="$home/var/master.pid"
    for _ in $(seq 1 50); do
        [ -f "$pidfile" ] || break
        sleep 0.2
    done
    rm -rf "$home"
    rm -f "$POINTER"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
