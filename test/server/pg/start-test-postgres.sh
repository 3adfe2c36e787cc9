#!/usr/bin/env bash
# Starts a local PostgreSQL for the server store tests and prints the URL to
# use as LESMODUS_TEST_DATABASE_URL (nothing else goes to stdout).
#
# For a Debian machine with the `postgresql` package installed (CI runs
# `apt-get install -y postgresql` first), as root. Idempotent: it creates the
# cluster only when there is none, starts it only when it is down, and creates
# the role and the database only when they are missing. The server listens on
# 127.0.0.1 only; the test role logs in with a password over TCP, which
# Debian's default pg_hba.conf allows (scram-sha-256 for 127.0.0.1/32).
#
# Each test run makes its own schema inside the database and drops it again,
# so concurrent runs share the database without colliding.
set -euo pipefail
# runuser and the cluster tools live in sbin, which a CI shell may not have on its PATH.
export PATH="$PATH:/usr/sbin:/sbin"

ROLE="${LESMODUS_TEST_PG_ROLE:-lesmodus}"
PASSWORD="${LESMODUS_TEST_PG_PASSWORD:-lesmodus}"
DATABASE="${LESMODUS_TEST_PG_DATABASE:-lesmodus_test}"
# Waiting for the server to accept connections after a start: a cold start
# on a busy CI machine (first initdb, slow disk) takes a few seconds.
READY_TIMEOUT_S=60

say() { echo "start-test-postgres: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null; then
  say "PostgreSQL is not installed (no pg_lsclusters). Install it first: apt-get install -y postgresql"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  say "run this as root: it starts the cluster through pg_ctlcluster and creates the role as the postgres user"
  exit 1
fi
as_postgres() { runuser -u postgres -- "$@"; }

# The newest installed cluster; create one when the package made none (some
# installs set create_main_cluster = false).
read -r VERSION CLUSTER PORT STATUS _ < <(pg_lsclusters --no-header | sort -k1,1 -V | tail -n 1) || true
if [ -z "${VERSION:-}" ]; then
  VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  CLUSTER=main
  say "creating cluster $VERSION/$CLUSTER"
  pg_createcluster "$VERSION" "$CLUSTER" >&2
  read -r VERSION CLUSTER PORT STATUS _ < <(pg_lsclusters --no-header "$VERSION" "$CLUSTER")
fi

# Listen on the loopback address only: a test database with a known password
# must never be reachable from the network.
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER/conf.d"
CONF_FILE="$CONF_DIR/lesmodus-test.conf"
WANTED="listen_addresses = '127.0.0.1'"
CHANGED=no
if [ ! -f "$CONF_FILE" ] || [ "$(cat "$CONF_FILE")" != "$WANTED" ]; then
  mkdir -p "$CONF_DIR"
  echo "$WANTED" > "$CONF_FILE"
  CHANGED=yes
fi

if [ "$STATUS" = online ] && [ "$CHANGED" = yes ]; then
  say "restarting cluster $VERSION/$CLUSTER to listen on 127.0.0.1 only"
  pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2
elif [ "$STATUS" != online ]; then
  say "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

for _ in $(seq 1 "$READY_TIMEOUT_S"); do
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
  sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  say "PostgreSQL $VERSION/$CLUSTER did not accept connections on 127.0.0.1:$PORT within ${READY_TIMEOUT_S}s; see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log"
  exit 1
fi

# psql variables (:'name') quote the values, so the names and the password
# are never spliced into SQL text by the shell.
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres -v role="$ROLE" -v password="$PASSWORD" -v database="$DATABASE" "$@"; }

psql_admin <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS missing \gset
\if :missing
  CREATE ROLE :"role" LOGIN PASSWORD :'password';
\else
  ALTER ROLE :"role" LOGIN PASSWORD :'password';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') AS missing \gset
\if :missing
  CREATE DATABASE :"database" OWNER :"role";
\endif
-- The test database only, never the cluster: a commit returns before its WAL
-- reaches the disk. Committed data is visible at once and survives any killed
-- process; only a crash of the machine could lose the last moment's, and the
-- tests make thousands of short transactions (a fifth of the store suite's time).
ALTER DATABASE :"database" SET synchronous_commit = off;
SQL

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
