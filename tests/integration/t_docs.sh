#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The documents cannot drift from the code: every route in the daemon's
# route tables (gateway/api*.c) is documented in hbmgwd(8) and the README,
# and every metric the code names is documented in both, so a new route or
# metric without its documentation fails make check.
source "$(dirname "$0")/lib.sh"
cd "$HBM_SRCDIR" || exit 1

man=man/hbmgwd.8
readme=README.md

# "METHOD PATH" for each entry of a route table: { "GET", "/v1/...", ...
routes=$(grep -hoE '\{ *"(GET|POST|PUT|DELETE|PATCH)", *"/[^"]*"' gateway/*.c |
	sed -E 's/\{ *"([A-Z]+)", *"([^"]*)"/\1 \2/' | sort -u)
metrics=$(grep -rhoE '"hbmgw_[a-z0-9_]+' lib store gateway handlers modem |
	tr -d '"' | sort -u)

hbm_check "the route tables were read" test "$(wc -l <<<"$routes")" -ge 20
hbm_check "the metric names were read" test "$(wc -l <<<"$metrics")" -ge 20

# Whether FILE documents "METHOD PATH": the path as written, then the end
# of the word (end of line, a space, a query, or groff markup).
documents_route() {
	local file=$1 method=$2 path=$3 re
	re=$(sed 's/[][\.*^$/{}?]/\\&/g' <<<"$path")
	grep -qE "(^|[^A-Za-z])$method +\`?$re(\`|\?|\\\\|[ ,.;)]|\$)" "$file"
}

while read -r method path; do
	[ -n "$method" ] || continue
	hbm_check "hbmgwd(8) documents $method $path" \
		documents_route "$man" "$method" "$path"
	hbm_check "the README documents $method $path" \
		documents_route "$readme" "$method" "$path"
done <<<"$routes"

while read -r m; do
	[ -n "$m" ] || continue
	hbm_check "hbmgwd(8) documents $m" grep -qw -- "$m" "$man"
	hbm_check "the README documents $m" grep -qw -- "$m" "$readme"
done <<<"$metrics"

# The matcher itself: a path is found whole, never as a prefix of another.
hbm_tmp_init
printf '%s\n' '.B GET /v1/cases?status=S&limit=N' \
	'.B POST /v1/cases/{code}/ack' 'hbmgw_redis_up 1' > "$HBM_TMP/doc"
hbm_check "the matcher finds a route with a query" \
	documents_route "$HBM_TMP/doc" GET /v1/cases
hbm_check "the matcher finds a route with a parameter" \
	documents_route "$HBM_TMP/doc" POST '/v1/cases/{code}/ack'
hbm_check "the matcher does not take a prefix for a route" \
	fails documents_route "$HBM_TMP/doc" GET /v1/case
hbm_check "the matcher does not take another method" \
	fails documents_route "$HBM_TMP/doc" POST /v1/cases

hbm_done
