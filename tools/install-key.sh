#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install`: make the privacy key hbmgwd requires, when there is none.
#
#   tools/install-key.sh HBMGWD KEY_FILE USER
#
# KEY_FILE's directory is made (owned by USER, mode 0700) if missing, and
# the key is written by HBMGWD --gen-key running as USER, so that it is
# owned by USER with mode 0600, as hbmgwd --check-config demands. An
# existing key is never touched. Without root, or without USER, it only
# says what to do.
set -eu

hbmgwd=$1
key=$2
user=$3

if [ -e "$key" ]; then
	echo "install-key: $key exists, kept"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! id "$user" >/dev/null 2>&1; then
	echo "install-key: no $key; create it as user $user with:"
	echo "    $hbmgwd --gen-key $key"
	exit 0
fi
dir=$(dirname "$key")
if [ ! -d "$dir" ]; then
	group=$(id -gn "$user")
	install -d -o "$user" -g "$group" -m 700 "$dir"
fi
setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
	"$hbmgwd" --gen-key "$key"
