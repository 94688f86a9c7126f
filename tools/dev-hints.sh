#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The commands that play each user of the gateway `make run` started, one
# block that tools/run-dev.sh prints once it answers:
#   tools/dev-hints.sh [CONF [BUILD]]   (default: config/dev.conf build)
#   tools/dev-hints.sh --url [CONF]     only the URL it listens on
# The tokens come from CONF's "#   token NAME" comment lines, each printed
# only when its SHA-256 is in CONF (tokens.admin, tokens.channels, or an
# agency's token_sha256, whose agency is named), the URL from http.listen,
# the official's number and PIN from the first official and its "# PIN N"
# comment, the console's accounts from "#   password LOGIN PASSWORD"
# lines. So what is printed is what that configuration accepts; each
# command works as printed, from the directory `make run` runs in
# (tests/integration/t_dev_hints.sh runs them all).
set -eu

only_url=0
if [ "${1:-}" = --url ]; then
	only_url=1
	shift
fi
conf=${1:-config/dev.conf}
build=${2:-build}
default_url=http://127.0.0.1:8080
default_metrics_url=http://127.0.0.1:9464

die() {
	echo "dev-hints: $conf: $*" >&2
	exit 1
}
[ -r "$conf" ] || die "cannot read it"

# The first quoted value of KEY = "..." in the file.
value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" \
		"$conf" | head -n 1
}

# The URL a client on this machine reaches listen address $1 at.
url_of() {
	case $1 in
	0.0.0.0:*) echo "http://127.0.0.1:${1#*:}" ;;
	\[::\]:*) echo "http://[::1]:${1##*:}" ;;
	*) echo "http://$1" ;;
	esac
}

listen=$(value listen)
[ -n "$listen" ] || die "no http.listen"
url=$(url_of "$listen")
# metrics.listen, from the metrics group; its default when there is none.
mlisten=$(sed -n '/^metrics[[:space:]]*[:=]/,/}/s/^.*listen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
	"$conf" | head -n 1)
metrics_url=$(url_of "${mlisten:-127.0.0.1:9464}")
if [ $only_url = 1 ]; then
	echo "$url"
	exit 0
fi

# Sort the listed tokens by the setting whose line holds their hash.
admin="" channel="" agency_token="" agency_id="" agency_name=""
tokens=$(sed -n 's/^#[[:space:]]*token[[:space:]]\{1,\}\([^[:space:]]\{1,\}\)[[:space:]]*$/\1/p' "$conf")
while read -r tok; do
	[ -n "$tok" ] || continue
	hash=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
	line=$(grep -n "\"$hash\"" "$conf" | head -n 1)
	[ -n "$line" ] || die "token $tok: its SHA-256 is not in the file"
	n=${line%%:*}
	case ${line#*:} in
	*admin*) [ -n "$admin" ] || admin=$tok ;;
	*channels*) [ -n "$channel" ] || channel=$tok ;;
	*token_sha256*)
		if [ -z "$agency_token" ]; then
			agency_token=$tok
			# The agency's id and name: the last ones above the hash.
			agency_id=$(head -n "$n" "$conf" | sed -n 's/^[[:space:]]*id[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' | tail -n 1)
			agency_name=$(head -n "$n" "$conf" | sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' | tail -n 1)
		fi
		;;
	esac
done <<TOKENS
$tokens
TOKENS
[ -n "$admin" ] || die "no \"#   token\" line for an admin token"
[ -n "$channel" ] || die "no \"#   token\" line for a channel token"
[ -n "$agency_token" ] || die "no \"#   token\" line for an agency's token"

# Numbers in E.164: a national 0... takes the country code.
cc=$(value country_code)
e164() {
	case $1 in
	+*) printf '%s' "$1" | tr -d ' ' ;;
	0*) printf '+%s%s' "$cc" "$(printf '%s' "${1#0}" | tr -d ' ')" ;;
	*) printf '+%s' "$(printf '%s' "$1" | tr -d ' ')" ;;
	esac
}
migrant=$(e164 0700000001)
official=$(sed -n '/^officials/,/^)/s/^[[:space:]]*phone[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$conf" | head -n 1)
pin=$(sed -n 's/^#[[:space:]]*PIN[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$conf" | head -n 1)

cat <<HINTS
run: the gateway is up on $url. In another terminal, in this directory:

  export HBMGW_TOKEN=$admin
HINTS
[ "$url" = "$default_url" ] || echo "  export HBMGW_URL=$url"
[ "$metrics_url" = "$default_metrics_url" ] ||
	echo "  export HBMGW_METRICS_URL=$metrics_url"
cat <<HINTS

  # a migrant texts HELP FOOD; what the gateway sent back to that number
  $build/hbmctl inject $migrant 'HELP FOOD'
  $build/hbmctl messages --to $migrant

  # the agency $agency_name ($agency_id): its cases over the API, then ACK the newest
  curl -s -H 'Authorization: Bearer $agency_token' $url/v1/cases
  code=\$(HBMGW_TOKEN=$agency_token $build/hbmctl cases --status notified --limit 1 | awk 'NR == 2 { print \$1 }')
  curl -s -X POST -H 'Authorization: Bearer $agency_token' $url/v1/cases/\$code/ack
HINTS
if [ -n "$official" ] && [ -n "$pin" ]; then
	cat <<HINTS

  # an official ($(e164 "$official"), PIN $pin) dials the USSD menu, then enters the PIN
  curl -s '$url/v1/ussd/africastalking?token=$channel' -d sessionId=dev-\$\$ --data-urlencode phoneNumber=$(e164 "$official") -d text=
  curl -s '$url/v1/ussd/africastalking?token=$channel' -d sessionId=dev-\$\$ --data-urlencode phoneNumber=$(e164 "$official") -d text=$pin
HINTS
fi
# The console's accounts: "#   password LOGIN PASSWORD" lines whose login
# is a user of the file, with its role.
first_login="" first_pw=""
accounts=""
while read -r login pw; do
	[ -n "$login" ] || continue
	grep -q "login[[:space:]]*=[[:space:]]*\"$login\"" "$conf" ||
		die "password $login: no such user in the file"
	role=$(grep "login[[:space:]]*=[[:space:]]*\"$login\"" -A2 "$conf" |
	    sed -n 's/.*role[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' |
	    head -n 1)
	accounts="$accounts${accounts:+, }$login / $pw ($role)"
	[ -n "$first_login" ] || { first_login=$login; first_pw=$pw; }
done <<PASSWORDS
$(sed -n 's/^#[[:space:]]*password[[:space:]]\{1,\}\([^[:space:]]\{1,\}\)[[:space:]]\{1,\}\([^[:space:]]\{1,\}\)[[:space:]]*$/\1 \2/p' "$conf")
PASSWORDS
if [ -n "$first_login" ]; then
	cat <<HINTS

  # the console: open $url/console/ in a browser and sign in as
  # $accounts
  curl -s -H 'Content-Type: application/json' -d '{"login":"$first_login","password":"$first_pw"}' $url/v1/session
HINTS
fi
cat <<HINTS

  $build/hbmctl status            # channels, queues, counters
  curl -s $metrics_url/metrics | grep '^hbmgw_inbound_total'    # Prometheus, its own listener
run: Ctrl-C stops the gateway and redis-server
HINTS
