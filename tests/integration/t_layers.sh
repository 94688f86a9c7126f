#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The source folders are layers and include downwards only, as the README
# draws them: lib/ includes nothing of the project; config/ and store/
# build on lib/; handlers/ (the case decisions) on config/, store/ and
# lib/; modem/ (libgammu and PDUs) on config/ and lib/; gateway/ (the
# daemon) on all of them; ctl/ (hbmctl) on nothing. An include that points
# up, or a new folder, fails make check.
source "$(dirname "$0")/lib.sh"
cd "$HBM_SRCDIR" || exit 1

# The folders FOLDER may include from, besides itself.
allowed() {
	case $1 in
	lib | ctl) echo "" ;;
	config) echo "lib" ;;
	store) echo "lib lua" ;;
	handlers) echo "lib config store" ;;
	modem) echo "lib config" ;;
	gateway) echo "lib config store handlers modem lua console" ;;
	*) echo "?" ;;
	esac
}

# The includes of the C files under ROOT that break the layers, one per
# line as FILE:LINE: #include "..."; nothing when all point down.
upward() {
	local root=$1 f dir inc top
	for f in "$root"/{lib,config,store,handlers,modem,gateway,ctl}/*.[ch]; do
		[ -e "$f" ] || continue
		dir=$(basename "$(dirname "$f")")
		while IFS= read -r inc; do
			top=${inc#*\"}
			top=${top%%/*}
			[ "$top" = "$dir" ] && continue
			grep -qw -- "$top" <<<"$(allowed "$dir")" || echo "${f#"$root"/}: $inc"
		done < <(grep -E '^#include "[a-z_]+/' "$f")
	done
}

hbm_check "the folders were read" test "$(ls lib/*.c store/*.c handlers/*.c | wc -l)" -ge 20
bad=$(upward .)
hbm_eq "no include points up a layer" "" "$bad"
hbm_eq "every top folder with C files is a known layer" "" \
	"$(for d in */; do d=${d%/}; ls "$d"/*.[ch] > /dev/null 2>&1 || continue
		[ "$(allowed "$d")" = "?" ] && [ "$d" != bench ] && echo "$d"; done)"

# The check itself: a planted upward include is found.
hbm_tmp_init
mkdir -p "$HBM_TMP/src/lib" "$HBM_TMP/src/handlers"
printf '#include "gateway/gw.h"\n' > "$HBM_TMP/src/lib/x.c"
printf '#include "lib/log.h"\n#include "store/apply.h"\n' > "$HBM_TMP/src/handlers/y.c"
hbm_eq "the check finds lib/ including gateway/" \
	'lib/x.c: #include "gateway/gw.h"' "$(upward "$HBM_TMP/src")"

hbm_done
