# shellcheck shell=bash
# Shared by scripts/bench-ingest and scripts/bench-reports (sourced after common.sh, not run): a private
# PostgreSQL cluster in a temporary directory, reached over a unix socket in that directory only.
#
#   pg_install   finds the newest /usr/lib/postgresql/*/bin (sets pgbin), installing PostgreSQL from Debian
#                (apt-get install -y postgresql) when it is missing; call it before building, so that a
#                missing package fails before anything is measured
#   pg_start     initdb and start a cluster (sets pgroot) with database "bench" and user "bench";
#                extra server settings as arguments ("-c name=value" ...)
#   pg_stop      a fast shutdown
#   psql_bench   psql on database "bench", stopping at the first error
# The cluster is stopped (immediate) and its directory removed at exit, by bench_cleanup, which this file
# defines for common.sh.

pgroot=
pg_running=0
bench_cleanup() {
	[ -n "$pgroot" ] || return 0
	if [ "$pg_running" = 1 ]; then
		as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
		pg_running=0
	fi
	if [ "$keep" = 1 ]; then
		log "$bench: kept $pgroot"
	else
		rm -rf "$pgroot"
	fi
}

# pg_bin: the newest /usr/lib/postgresql/*/bin with the server and pgbench.
pg_bin() {
	local d f
	for d in $(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV); do
		for f in initdb pg_ctl postgres psql pgbench; do
			[ -x "$d/$f" ] || continue 2
		done
		echo "$d"
		return 0
	done
	return 1
}

pg_install() {
	if ! pgbin=$(pg_bin); then
		[ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and only root can install it: apt-get install -y postgresql"
		log "installing PostgreSQL: apt-get install -y postgresql ..."
		export DEBIAN_FRONTEND=noninteractive
		if ! timeout 600 apt-get install -y postgresql >"$tmp/apt.log" 2>&1; then
			# An old or missing package list: update it once and try again.
			timeout 300 apt-get update >>"$tmp/apt.log" 2>&1 || true
			timeout 600 apt-get install -y postgresql >>"$tmp/apt.log" 2>&1 || {
				cat "$tmp/apt.log" >&2
				die "apt-get install -y postgresql failed"
			}
		fi
		pgbin=$(pg_bin) || die "postgresql is installed, but no /usr/lib/postgresql/*/bin has initdb, pg_ctl, psql and pgbench"
	fi
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run PostgreSQL as"
	fi
}

# as_pg CMD...: PostgreSQL refuses to run as root, so its server commands run as the postgres user then.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

psql_bench() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pgroot" -p 5432 -U bench -d bench "$@"; }

# shellcheck disable=SC2120 # the settings are optional
pg_start() {
	# Its own directory, owned by the user PostgreSQL runs as (the main one is root's and private).
	pgroot=$(mktemp -d "${TMPDIR:-/tmp}/vocd-bench-pg.XXXXXX")
	if [ "$(id -u)" = 0 ]; then chown postgres: "$pgroot"; fi
	as_pg "$pgbin/initdb" -D "$pgroot/data" -U bench --auth=trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 || {
		cat "$tmp/initdb.log" >&2
		die "initdb failed"
	}
	# No TCP at all: the socket lives in the private directory.
	pg_running=1
	as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -l "$pgroot/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$pgroot' -p 5432 $*" \
		start >"$tmp/pg_ctl.log" 2>&1 || {
		cat "$tmp/pg_ctl.log" "$pgroot/server.log" >&2
		die "PostgreSQL did not start"
	}
	"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pgroot" -p 5432 -U bench -d postgres -c 'CREATE DATABASE bench'
}

pg_stop() {
	as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -m fast -w -t 60 stop >>"$tmp/pg_ctl.log" 2>&1 || true
	pg_running=0
}
