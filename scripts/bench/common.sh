# shellcheck shell=bash
# Shared by scripts/bench-core, scripts/bench-ingest and scripts/bench-reports (sourced, not run): the
# common options, the temporary directory and its cleanup, building vocd and the civetweb ceiling, starting
# and stopping servers on loopback, running wrk with one of the Lua scripts beside this file, and printing
# its results.
#
# The sourcing script sets `bench` (its name, for messages) and may define
#   bench_option ARG...   its own options: sets bench_used to the number of arguments it took (0: not its)
#   bench_quick           what --quick means for its own settings
#   bench_cleanup         run first at exit, also on Ctrl-C or SIGTERM (e.g. to stop a database)
# then calls bench_parse_args "$@", bench_start and bench_build, in that order.
# Every server started here is on 127.0.0.1 and is stopped at exit; every wait is bounded.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
duration=10
warmup=5
connections=64
wrk_threads=2
build_dir=$top/build
build=1
head_only=0
keep=0
src=$top

log() { printf '%s\n' "$*" >&2; }
die() {
	log "$bench: $*"
	exit 1
}

bench_parse_args() {
	local n
	while [ $# -gt 0 ]; do
		n=1
		case $1 in
		--quick)
			duration=3 warmup=3
			if declare -F bench_quick >/dev/null; then bench_quick; fi
			;;
		--duration) duration=${2-}; n=2 ;;
		--warmup) warmup=${2-}; n=2 ;;
		--connections) connections=${2-}; n=2 ;;
		--threads) wrk_threads=${2-}; n=2 ;;
		--build-dir) build_dir=${2-}; n=2 ;;
		--no-build) build=0 ;;
		--head) head_only=1 ;;
		--keep) keep=1 ;;
		-h | --help)
			sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
			exit 0
			;;
		*)
			bench_used=0
			if declare -F bench_option >/dev/null; then bench_option "$@"; fi
			[ "$bench_used" -gt 0 ] || { log "$bench: unknown argument $1 (see --help)"; exit 2; }
			n=$bench_used
			;;
		esac
		[ $# -ge "$n" ] || { log "$bench: $1 needs a value"; exit 2; }
		shift "$n"
	done
	local v
	for v in "$duration" "$connections" "$wrk_threads"; do
		[[ $v =~ ^[1-9][0-9]*$ ]] || { log "$bench: expected a positive integer, got '$v'"; exit 2; }
	done
	[ "$connections" -ge "$wrk_threads" ] || { log "$bench: --connections must be at least --threads"; exit 2; }
	[[ $warmup =~ ^[0-9]+$ ]] || { log "$bench: expected a whole number of seconds, got '$warmup'"; exit 2; }
	if [ "$head_only" = 1 ] && [ "$build" = 0 ]; then
		log "$bench: --head builds the last commit; it cannot be used with --no-build"
		exit 2
	fi
}

# ---- The temporary directory, the processes we started, the cleanup -----------------------------------------
bench_start() {
	local tool
	for tool in wrk curl cc; do
		command -v "$tool" >/dev/null || die "$tool is needed (Debian package: $tool)"
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/vocd-bench.XXXXXX")
	pids=()
	trap bench_exit EXIT
	trap 'exit 130' INT TERM
	load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
}

bench_exit() {
	if declare -F bench_cleanup >/dev/null; then bench_cleanup || true; fi
	local pid
	for pid in "${pids[@]+"${pids[@]}"}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]+"${pids[@]}"}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$keep" = 1 ]; then
		log "$bench: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

# forget PID: no longer ours to stop at exit.
forget() {
	local left=() p
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || left+=("$p"); done
	pids=("${left[@]+"${left[@]}"}")
}

# ---- Build -------------------------------------------------------------------------------------------------
# Builds vocd (the working tree, or with --head the last commit alone, in a fresh directory) and
# civetweb_hello against the same civetweb archive and vocd's core, with the same link-time wrappers as
# vocd (core/tls.c: the TLS policy, and handshakes that wait for the socket) and its dev certificate.
bench_build() {
	source_rev=$(bench_source)
	if [ "$head_only" = 1 ]; then
		src=$tmp/src
		build_dir=$tmp/build
		mkdir -p "$src"
		git -C "$top" archive "${source_rev%% *}" | tar -x -C "$src"
		# The dashboard's npm package is installed (scripts/setup), not committed: the checkout's.
		ln -s "$top/web/node_modules" "$src/web/node_modules"
		log "building vocd at commit ${source_rev%% *} in $build_dir ..."
		"$src/scripts/build" "$build_dir" -DVOCD_TESTS=OFF -DCIVETWEB_SOURCE_DIR="$top/.deps/civetweb" \
			>"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
	elif [ "$build" = 1 ]; then
		log "building vocd in $build_dir ..."
		"$top/scripts/build" "$build_dir" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
	fi
	local f
	for f in vocd libvocd_core.a libcivetweb.a; do
		[ -e "$build_dir/$f" ] || die "$build_dir/$f is missing: run scripts/build"
	done
	vocd=$build_dir/vocd
	hello=$tmp/civetweb_hello
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -I"$top/.deps/civetweb/include" -I"$src/core" \
		"$top/scripts/bench/civetweb_hello.c" "$build_dir/libvocd_core.a" "$build_dir/libcivetweb.a" \
		-Wl,--wrap=mbedtls_ssl_config_defaults -Wl,--wrap=mbedtls_ssl_handshake -lmbedtls -lmbedx509 -lmbedcrypto -lpthread -o "$hello"
}

# The revision measured, for the report (taken before the build: others may commit during the run).
bench_source() {
	local rev
	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ "$head_only" = 1 ]; then
		echo "$rev (--head: the commit alone, without uncommitted changes)"
		return
	fi
	git -C "$top" diff --quiet HEAD -- core CMakeLists.txt 2>/dev/null || rev+=" + uncommitted changes in core/"
	[ "$build" = 1 ] || rev+=" (--no-build: the binary in $build_dir may be older)"
	echo "$rev"
}

# ---- Servers -----------------------------------------------------------------------------------------------
# A loopback port nobody answers on (the server start fails and says so if it was taken meanwhile).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	log "$bench: no free port found"
	return 1
}

# wait_up PID URL LOG: until URL answers over HTTPS, at most 30 s.
wait_up() {
	local pid=$1 url=$2 logf=$3
	for _ in $(seq 300); do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "$bench: the server exited while starting; its log:"
			cat "$logf" >&2
			return 1
		fi
		curl -sk --max-time 2 -o /dev/null "$url" && return 0
		sleep 0.1
	done
	log "$bench: $url did not answer within 30 s"
	return 1
}

# stop PID NAME: SIGTERM, then SIGKILL after 20 s (reported).
stop() {
	local pid=$1 name=$2
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$bench: $name did not stop within 20 s of SIGTERM: killed"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || log "$bench: $name exited with status $? after SIGTERM"
	forget "$pid"
}

# crash PID NAME: SIGKILL, as a power cut would stop it before any shutdown work.
crash() {
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}

# cpu_ticks PID: user and system time of a process so far, in clock ticks ("USER SYSTEM").
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'; }

# run_wrk NAME URL LUA TOKEN PATH [SERVER_PID]: one measurement with scripts/bench/LUA; leaves the BENCH
# line in $tmp/NAME.wrk and, given the server's pid, the CPU time it used during the run in $tmp/NAME.cpu.
run_wrk() {
	local name=$1 url=$2 lua=$3 token=$4 path=$5 server=${6-}
	local total=$((warmup + duration)) t0 c0=
	t0=$(date +%s.%N)
	[ -z "$server" ] || c0=$(cpu_ticks "$server")
	log "  $name: wrk -t$wrk_threads -c$connections -d${total}s (${warmup}s warm-up) ..."
	# --timeout: the run starts with $connections TLS handshakes at once, which can take seconds on 2 cores
	# (see docs/benchmarks.md); with wrk's default 2 s timeout it would drop and redo them.
	# In the background with `wait`, so that a SIGTERM to this script runs the cleanup at once.
	timeout $((total + 120)) wrk -t"$wrk_threads" -c"$connections" -d"${total}s" --timeout 30s \
		-s "$top/scripts/bench/$lua" "$url" -- "$token" "$path" "$warmup" "$duration" \
		$((connections / wrk_threads)) \
		>"$tmp/$name.wrk" 2>&1 &
	local wpid=$! rc=0
	pids+=("$wpid")
	wait "$wpid" || rc=$?
	forget "$wpid"
	if [ "$rc" != 0 ]; then
		log "$bench: wrk failed for $name (status $rc):"
		cat "$tmp/$name.wrk" >&2
		return 1
	fi
	grep -q '^BENCH ' "$tmp/$name.wrk" || { cat "$tmp/$name.wrk" >&2; return 1; }
	[ -n "$c0" ] || return 0
	awk -v c0="$c0" -v c1="$(cpu_ticks "$server")" -v t0="$t0" -v t1="$(date +%s.%N)" -v hz="$(getconf CLK_TCK)" \
		-v cores="$(nproc)" -v ok="$(field "$name" ok)" 'BEGIN {
			split(c0, a, " "); split(c1, b, " "); u = (b[1] - a[1]) / hz; k = (b[2] - a[2]) / hz
			printf "%.1f CPU s (user %.1f, system %.1f) in %.1f s: %.2f of %d cores, %.0f us per 201 answer\n",
			       u + k, u, k, t1 - t0, (u + k) / (t1 - t0), cores, (ok > 0 ? (u + k) * 1e6 / ok : 0) }' >"$tmp/$name.cpu"
}

# cpu_line NAME: the server's CPU time during measurement NAME.
cpu_line() {
	if [ -s "$tmp/$1.cpu" ]; then echo "${1//_/-} used $(cat "$tmp/$1.cpu")"; fi
}

# field NAME KEY: a value from the BENCH line of measurement NAME.
field() {
	grep '^BENCH ' "$tmp/$1.wrk" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# run_ceiling LUA PATH: the bare civetweb + mbedTLS server under the same load (measurement "ceiling").
run_ceiling() {
	local port pid
	port=$(free_port)
	"$hello" "127.0.0.1:$port" "$connections" "$tmp/hello.pem" 2>"$tmp/ceiling.log" &
	pid=$!
	pids+=("$pid")
	wait_up "$pid" "https://127.0.0.1:$port/healthz" "$tmp/ceiling.log"
	run_wrk ceiling "https://127.0.0.1:$port" "$1" "" "$2" "$pid"
	stop "$pid" civetweb_hello
}

# vocd_configure NAME: a fresh configuration and data directory in $tmp/NAME (sets vocd_dir, vocd_port).
# The caller then writes $vocd_dir/conf/tenants/bench.lua.
vocd_configure() {
	vocd_dir=$tmp/$1
	vocd_port=$(free_port)
	mkdir -p "$vocd_dir/conf/tenants" "$vocd_dir/plugins" "$vocd_dir/data"
	cat >"$vocd_dir/conf/vocd.lua" <<-EOF
		listen = "127.0.0.1:$vocd_port"
		data_dir = "$vocd_dir/data"
		plugins_dir = "$vocd_dir/plugins"
		access_log = false
		key_file = "$vocd_dir/keys/master.key"
		threads = { http = $connections }
	EOF
}

# vocd_serve NAME [VAR=VALUE...]: vocd init, then vocd serve with those variables in its environment,
# and an integrator token of tenant "bench" (sets vocd_pid, vocd_url, vocd_token).
vocd_serve() {
	local name=$1
	shift
	"$vocd" init --config "$vocd_dir/conf/vocd.lua" >"$tmp/$name.cli.log" 2>&1 || {
		log "$bench: vocd init failed:"
		cat "$tmp/$name.cli.log" >&2
		return 1
	}
	env "$@" "$vocd" serve --config "$vocd_dir/conf/vocd.lua" >"$tmp/$name.log" 2>&1 &
	vocd_pid=$!
	pids+=("$vocd_pid")
	vocd_url=https://127.0.0.1:$vocd_port
	wait_up "$vocd_pid" "$vocd_url/healthz" "$tmp/$name.log"
	vocd_token=$("$vocd" token create --tenant bench --role integrator --config "$vocd_dir/conf/vocd.lua" \
		2>>"$tmp/$name.cli.log")
	[ -n "$vocd_token" ] || { log "$bench: no token:"; cat "$tmp/$name.cli.log" >&2; return 1; }
}

# vocd_first NAME PATH BODY: one request first, so a broken setup fails here and not as a run of non-201s.
vocd_first() {
	local status
	status=$(curl -sk -o "$tmp/$1.first" -w '%{http_code}' -X POST -H "Authorization: Bearer $vocd_token" \
		-H 'Content-Type: application/json' --data-binary "$3" "$vocd_url$2")
	[ "$status" = 201 ] || { log "$bench: first write to $2 answered $status: $(cat "$tmp/$1.first")"; return 1; }
}

# vocd_metrics NAME: vocd's /metrics at the end of a run, in $tmp/NAME.metrics.
vocd_metrics() {
	curl -sk --max-time 10 -o "$tmp/$1.metrics" "$vocd_url/metrics" || : >"$tmp/$1.metrics"
}

# metrics_line NAME: what group commit did during the run, from vocd_metrics.
metrics_line() {
	awk -v name="$1" '
		/^vocd_store_commits_total / { commits = $2 }
		/^vocd_store_writes_total / { writes = $2 }
		/^vocd_store_batch_max / { max = $2 }
		/^vocd_bus_backlog / { backlog = $2 }
		END {
			if (commits == "") { print "vocd metrics of " name ": not read"; exit }
			printf "group commit in %s: %d durable transactions for %d writes", name, commits, writes
			printf " (mean batch %.1f, largest %d); bus backlog %d events\n", (commits > 0 ? writes / commits : 0), max, backlog
		}' "$tmp/$1.metrics"
}

# vocd_stored NAME TYPE: after the server has stopped, the size of its data directory ($tmp/NAME.du, KiB)
# and the records of TYPE of tenant "bench" on disk ($tmp/NAME.stored; keys are tenant \0 type \0 id, and
# mdb_dump -p prints each key, then its value).
vocd_stored() {
	du -sk "$tmp/$1/data" | awk '{print $1}' >"$tmp/$1.du"
	if command -v mdb_dump >/dev/null; then
		mdb_dump -p -s rec "$tmp/$1/data" | awk '/^HEADER=END/ { on = 1; next } on && /^ / && ++n % 2 == 1' |
			grep -c "^ bench\\\\00$2\\\\00" >"$tmp/$1.stored" || true
	fi
}

# ---- Report ------------------------------------------------------------------------------------------------
rate() { awk -v n="$(field "$1" "$2")" -v us="$3" 'BEGIN { printf "%.0f", (us > 0 ? n * 1e6 / us : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }

# steady_rate NAME: 201 answers per second in the window of measurement NAME.
steady_rate() { rate "$1" steady_ok "$(field "$1" steady_us)"; }

# bench_machine: the lines saying when, where and what was measured.
bench_machine() {
	local cpu fs
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	fs=$(df -PT "$tmp" | awk 'NR == 2 {print $2 " on " $1}')
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPU(s), $cpu; data on $fs; load average at start $load_at_start"
	echo "source: $source_rev"
	echo "warning: this machine is shared and noisy: compare ratios from one run, not rates across runs"
}

# wrk_table UNIT NAME...: a header, then one line per wrk measurement.
wrk_table() {
	local unit=$1 name ready up
	shift
	printf '%-16s %9s %9s %9s %8s %8s %8s  %s\n' measurement "$unit" "window s" "conns up" "all/s" \
		"p50 ms" "p99 ms" "non-201 and socket errors"
	for name in "$@"; do
		ready=$(field "$name" ready_ms)
		if [ "$ready" -lt 0 ]; then up=never; else up=$(awk -v ms="$ready" 'BEGIN { printf "%.1fs", ms / 1000 }'); fi
		printf '%-16s %9s %9s %9s %8s %8s %8s  %s\n' "${name//_/-}" "$(steady_rate "$name")" \
			"$(awk -v us="$(field "$name" steady_us)" 'BEGIN { printf "%.1f", us / 1e6 }')" "$up" \
			"$(rate "$name" ok "$(field "$name" duration_us)")" \
			"$(ms "$(field "$name" p50_us)")" "$(ms "$(field "$name" p99_us)")" \
			"$(field "$name" non201) (statuses=$(field "$name" statuses) connect=$(field "$name" connect) read=$(field "$name" read) write=$(field "$name" write) timeout=$(field "$name" timeout))"
	done
}

# wrk_table_notes UNIT: what the columns of wrk_table mean.
wrk_table_notes() {
	echo "$1: 201 answers per second in the window, which starts once every connection is up and the"
	echo "${warmup}s warm-up is over, and ends with the run; conns up: when all $connections TLS handshakes were done;"
	echo "all/s: over the whole run, handshakes included; p50/p99: wrk's latencies over the whole run"
}

# wrk_seconds NAME...: 201 answers in each second of each run.
wrk_seconds() {
	local name
	echo "201 answers in each second of the run:"
	for name in "$@"; do
		printf '  %-16s %s\n' "${name//_/-}" "$(field "$name" per_second)"
	done
}

# wrk_warnings NAME...: answers other than 201, handshakes that never finished, short windows, stalls.
wrk_warnings() {
	local name window ready
	for name in "$@"; do
		window=$(field "$name" steady_us)
		ready=$(field "$name" ready_ms)
		if [ "$ready" -lt 0 ]; then
			echo "warning: ${name//_/-}: not all $connections connections were ever up (TLS handshakes)"
		fi
		if [ "$window" -lt $((duration * 500000)) ]; then
			echo "warning: ${name//_/-}: measured over $(awk -v us="$window" 'BEGIN { printf "%.1f", us / 1e6 }')s only:" \
				"the handshakes took longer than the ${warmup}s warm-up (raise --warmup)"
		fi
		if grep -q '^BENCH_SAMPLE ' "$tmp/$name.wrk"; then
			echo "warning: ${name//_/-}: $(field "$name" non201) answer(s) other than 201; the first:" \
				"$(sed -n 's/^BENCH_SAMPLE //p' "$tmp/$name.wrk" | head -1)"
		fi
		# A second of the window far below the window's mean: the machine stalled (or the server did).
		field "$name" per_second | awk -F, -v from="$(awk -v w="$warmup" -v r="$ready" 'BEGIN { s = r / 1000 > w ? r / 1000 : w; printf "%d", s == int(s) ? s : int(s) + 1 }')" \
			-v name="${name//_/-}" '{
			sum = 0; n = 0
			for (i = from + 1; i <= NF; i++) { sum += $i; n++ }
			if (n == 0 || sum == 0) next
			mean = sum / n
			for (i = from + 1; i <= NF; i++)
				if ($i < mean / 4) {
					printf "warning: %s answered %d in second %d of the run, under a quarter of its mean %.0f/s\n",
					       name, $i, i, mean
					break
				}
		}'
	done
}

# stored_line NAME WHAT: stored records against 201 answers (+ 1: the check write before wrk).
stored_line() {
	local name=$1 what=$2 line stored acked
	line="after $name: data directory $(cat "$tmp/$name.du") KiB"
	if [ -s "$tmp/$name.stored" ]; then
		stored=$(cat "$tmp/$name.stored")
		acked=$(($(field "$name" ok) + 1))
		line+=", $stored $what stored, $acked answered 201"
		if [ "$stored" -lt "$acked" ]; then
			line+=" -- FEWER STORED THAN ACKNOWLEDGED: writes were lost"
		else
			line+=" (the rest were in flight when wrk stopped)"
		fi
	else
		line+=" (mdb_dump missing, from lmdb-utils: stored records not counted)"
	fi
	echo "$line"
}

# server_output NAME...: server output other than the start and stop lines (warnings, errors, storage
# growth under load), most frequent first.
server_output() {
	local expected='no tls_certificate configured|vocd: serving |info  vocd .* serving |signal 15: stopping|civetweb_hello: listening'
	local name n
	for name in "$@"; do
		grep -Ev "$expected" "$tmp/$name.log" >"$tmp/$name.odd" || true
		n=$(grep -c . "$tmp/$name.odd" || true)
		if [ "$n" -gt 0 ]; then
			echo "server output of ${name//_/-}: $n line(s) besides start and stop, most frequent:"
			sed -E 's/^[0-9TZ:.+-]+ //' "$tmp/$name.odd" | sort | uniq -c | sort -rn | head -5 | sed 's/^/    /'
		else
			echo "server output of ${name//_/-}: only start and stop"
		fi
	done
}
