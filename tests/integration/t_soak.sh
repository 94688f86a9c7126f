#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fault suite of make soak (tests/soak/soak.sh) in its small mode:
# about two minutes of kills, Redis restarts, power losses and aggregator
# faults under load.
# Fails when a row that ran breaks its bound; rows whose feature this build
# lacks are printed as "not run" and do not count.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec bash "$top/tests/soak/soak.sh" small "${HBM_BUILD:-$top/build}"
