#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make run`: the embedded default. Starts a redis-server on a unix socket
# under run/ (append-only file on, fsynced before every answer, so that what
# the gateway acknowledged survives a power loss), prepares the dummy modem's directory and
# runs hbmgwd -c config/dev.conf in the foreground; once it answers, prints
# what to try (tools/dev-hints.sh); Ctrl-C stops both.
set -eu

build=${1:-build}
top=$(pwd)
run="$top/run"
mkdir -p "$run/redis" "$run/modem0"

if [ ! -s "$run/key" ]; then
	# The privacy key (32 random bytes) that numbers are hashed and
	# encrypted with; keep it with the data.
	umask 077
	head -c 32 /dev/urandom > "$run/key"
	umask 022
fi
# hbmgwd refuses a key that group or others can read or write.
chmod 600 "$run/key"

redis_pid=""
hbm_pid=""
stop() {
	trap - INT TERM EXIT
	[ -n "$hbm_pid" ] && kill -TERM "$hbm_pid" 2>/dev/null &&
		wait "$hbm_pid" 2>/dev/null || true
	if [ -n "$redis_pid" ]; then
		redis-cli -s "$run/redis.sock" shutdown >/dev/null 2>&1 ||
			kill -TERM "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
	echo "run: stopped"
}
trap stop INT TERM EXIT

if redis-cli -s "$run/redis.sock" ping >/dev/null 2>&1; then
	echo "run: using the redis-server already on run/redis.sock"
else
	redis-server --port 0 --unixsocket "$run/redis.sock" \
		--unixsocketperm 700 --dir "$run/redis" \
		--appendonly yes --appendfsync always --daemonize no \
		--hash-max-listpack-value 1024 \
		--logfile "$run/redis/redis.log" &
	redis_pid=$!
	i=0
	until redis-cli -s "$run/redis.sock" ping >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "run: redis-server did not start; see run/redis/redis.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "run: redis-server on run/redis.sock (log: run/redis/redis.log)"
fi

echo "run: starting hbmgwd -c config/dev.conf"
"$build/hbmgwd" -c config/dev.conf &
hbm_pid=$!
# Once it answers HTTP (for at most 30 s, and only while it runs), the
# commands that play each user, with the tokens of config/dev.conf.
url=$(tools/dev-hints.sh --url config/dev.conf)
i=0
while kill -0 "$hbm_pid" 2>/dev/null; do
	if curl -s -o /dev/null -m 1 "$url/healthz"; then
		tools/dev-hints.sh config/dev.conf "$build" || true
		break
	fi
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "run: hbmgwd does not answer on $url yet; see its log above"
		break
	fi
	sleep 0.1
done
wait "$hbm_pid" || true
hbm_pid=""
