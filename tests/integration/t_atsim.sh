#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The simulated AT modem (tests/tools/atsim) against the real gammu CLI,
# that is libgammu's AT driver: identify shows the configured IMEI;
# sendsms in GSM-7, Arabic, emoji and three parts is recorded decoded
# exactly; injected SMS (one, and a multipart one stored out of order or
# with a part missing) are listed, joined and deleted; USSD answers; a SIM
# PIN is asked for; +CMS ERROR, a hang and an unplugged modem make gammu
# fail the way real ones do, and plugging back in recovers; bad control
# commands are refused; SIGTERM removes the symlink and the socket.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init

ATSIM="$HBM_BUILD/tests/atsim"
if ! command -v gammu > /dev/null; then
	echo "t_atsim: gammu is missing (Debian package gammu)" >&2
	exit 1
fi

# Start simulated modem NAME [atsim options]; gammu config in NAME.rc.
sim_start() {
	local name=$1
	hbm_sim_start "$@"
	printf '[gammu]\ndevice = %s\nconnection = at\nlogformat = textall\nlogfile = %s\n' \
		"$HBM_TMP/$name.tty" "$HBM_TMP/$name.gammu.log" > "$HBM_TMP/$name.rc"
}
# gammu against modem NAME: output and status in OUT and RC.
gam() {
	local name=$1
	shift
	OUT=$(timeout 120 gammu -c "$HBM_TMP/$name.rc" "$@" 2>&1)
	RC=$?
}
# Field F of the last log line of modem NAME that has key KIND.
last() {
	python3 - "$HBM_TMP/$1.log" "$2" "$3" <<'PY'
import json, sys
found = None
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if sys.argv[2] in o:
        found = o
print("" if found is None else found.get(sys.argv[3], ""))
PY
}
# The log lines of modem NAME with key KIND, as "part/parts ref" each.
parts_of() {
	python3 - "$HBM_TMP/$1.log" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if "pdu" in o:
        print("%d/%d %d" % (o["part"], o["parts"], o["ref"]))
PY
}

sim_start m --imei 490154203237518
TO=+256700111001

gam m identify
hbm_eq "identify succeeds" 0 "$RC"
hbm_check "identify shows the configured IMEI" grep -qE '^IMEI +: 490154203237518$' <<< "$OUT"

# Outbound: what gammu sent, decoded from the PDUs.
T1='Hi {all} [gate 3] ~ 5€ \ ^ | @£$ ÄÖÑÜ'
gam m sendsms TEXT "$TO" -text "$T1"
hbm_eq "GSM-7 sendsms succeeds" 0 "$RC"
hbm_eq "GSM-7 text decoded exactly" "$T1" "$(last m message text)"
hbm_eq "GSM-7 encoding" gsm7 "$(last m message encoding)"
hbm_eq "GSM-7 recipient" "$TO" "$(last m message to)"
hbm_eq "GSM-7 one part" 1 "$(last m message parts)"
mr=$(sed -n 's/.*message reference=\([0-9]*\).*/\1/p' <<< "$OUT")
hbm_eq "gammu got the reference the log shows" "$(last m pdu mr)" "$mr"
hbm_eq "no status report asked" 0 "$(last m pdu srr)"

T2='رمزك 4821-3957. اذهب إلى البوابة ٣'
gam m sendsms TEXT "$TO" -unicode -text "$T2"
hbm_eq "Arabic sendsms succeeds" 0 "$RC"
hbm_eq "Arabic text decoded exactly" "$T2" "$(last m message text)"
hbm_eq "Arabic is UCS-2" ucs2 "$(last m message encoding)"

T3='Code 4821-3957 😀👍 ok'
gam m sendsms TEXT "$TO" -unicode -text "$T3"
hbm_eq "emoji sendsms succeeds" 0 "$RC"
hbm_eq "emoji (surrogate pairs) decoded exactly" "$T3" "$(last m message text)"
hbm_eq "emoji is UCS-2" ucs2 "$(last m message encoding)"

T4=$(python3 -c 'print(" ".join("word%03d" % i for i in range(1, 51)))')
before=$(parts_of m | wc -l)
gam m sendsms TEXT "$TO" -len 400 -text "$T4"
hbm_eq "three-part sendsms succeeds" 0 "$RC"
hbm_eq "three-part text joined exactly" "$T4" "$(last m message text)"
hbm_eq "three-part message has 3 parts" 3 "$(last m message parts)"
hbm_eq "three-part message is GSM-7" gsm7 "$(last m message encoding)"
ref=$(last m pdu ref)
hbm_eq "three PDUs, parts 1-3 with one reference" "1/3 $ref 2/3 $ref 3/3 $ref" \
	"$(parts_of m | tail -n +$((before + 1)) | tr '\n' ' ' | sed 's/ $//')"

gam m sendsms TEXT "$TO" -report -text 'report me'
hbm_eq "a status report request is recorded" 1 "$(last m pdu srr)"
mr=$(last m pdu mr)
hbm_eq "report of an unknown MR is refused" "error unknown message reference" "$(hbm_sim m 'report 200')"

# Inbound: one SMS and a UCS-2 message stored as parts 3,1,2.
hbm_sim m 'inject +256772000111 Hello from the SIM [test] €' > /dev/null
T5=$(python3 -c 'print("مرحبا بكم في البوابة رقم ٣ " * 7)')
hbm_eq "inject-parts stores three parts" "ok parts=3" "$(hbm_sim m "inject-parts +256772000222 3,1,2 $T5")"
hbm_match "status counts 4 stored, unread" 'stored=4 unread=4' "$(hbm_sim m status)"
gam m getallsms
hbm_eq "getallsms succeeds" 0 "$RC"
hbm_match "getallsms lists 4 parts" '4 SMS parts in 4 SMS sequences' "$OUT"
hbm_check "getallsms shows the single SMS" grep -qxF 'Hello from the SIM [test] €' <<< "$OUT"
hbm_match "getallsms shows the sender" 'Remote number +: "\+256772000111"' "$OUT"
udh() { # the User Data Header line of SIM location N in OUT
	awk -v loc="Location $1," 'index($0, loc) == 1 { f = 1 }
		f && /^User Data Header/ { print; exit }' <<< "$OUT"
}
hbm_match "part 3 is stored first" 'Concatenated \(linked\) message, ID \(8 bit\) [0-9]+, part 3 of 3$' "$(udh 2)"
hbm_match "then part 1" 'part 1 of 3$' "$(udh 3)"
hbm_match "then part 2" 'part 2 of 3$' "$(udh 4)"
gam m geteachsms
hbm_match "geteachsms links the parts" '4 SMS parts in 2 SMS sequences' "$OUT"
hbm_check "the multipart text is joined exactly" grep -qxF "$T5" <<< "$OUT"
hbm_match "listing marked them read" 'stored=4 unread=0' "$(hbm_sim m status)"
gam m deleteallsms 1
hbm_eq "deleteallsms succeeds" 0 "$RC"
hbm_match "the SIM is empty" 'stored=0 ' "$(hbm_sim m status)"

# A part left out: gammu keeps the two it has apart.
T6=$(python3 -c 'print(" ".join("part%03d" % i for i in range(1, 51)))')
hbm_eq "inject-parts 2,3 stores two parts" "ok parts=2" "$(hbm_sim m "inject-parts +256772000333 2,3 $T6")"
gam m getallsms
hbm_match "two parts of three listed" '2 SMS parts in 2 SMS sequences' "$OUT"
hbm_match "parts 2 and 3 are there" 'part 2 of 3$' "$(udh 1)"
hbm_match "in order" 'part 3 of 3$' "$(udh 2)"
hbm_eq "part 1 is not" 0 "$(grep -c 'part 1 of 3' <<< "$OUT")"
gam m deletesms 1 1
hbm_eq "deletesms 1 1 succeeds" 0 "$RC"
hbm_match "one part left" 'stored=1 ' "$(hbm_sim m status)"
gam m deleteallsms 1

# USSD.
hbm_eq "ussd-balance is set" ok "$(hbm_sim m 'ussd-balance Salio lako ni UGX 1,250.50 — asante')"
gam m getussd '*131#'
hbm_eq "getussd succeeds" 0 "$RC"
hbm_match "the USSD answer is the balance" 'Service reply +: "Salio lako ni UGX 1,250.50 — asante"' "$OUT"
hbm_match "status counts the USSD request" 'ussd=1 ' "$(hbm_sim m status)"

# Unsolicited results while libgammu listens (gammu monitor turns on
# incoming SMS with AT+CNMI): +CMTI for a new SMS, +CDS for a report.
gammu -c "$HBM_TMP/m.rc" monitor > "$HBM_TMP/monitor.out" 2>&1 &
MON=$!
HBM_SIM_PIDS+=("$MON")
hbm_check "monitor enables notifications" hbm_wait 60 grep -q 'info about USSD' "$HBM_TMP/monitor.out"
hbm_sim m 'inject +256772000777 pushed while connected' > /dev/null
hbm_check "+CMTI: gammu reads the new SMS" hbm_wait 30 grep -qxF 'pushed while connected' "$HBM_TMP/monitor.out"
hbm_eq "report MR answers ok" "ok report=$mr" "$(hbm_sim m "report $mr")"
hbm_check "+CDS: gammu shows a status report" hbm_wait 30 grep -qE '^Delivery status +: Delivered' "$HBM_TMP/monitor.out"
hbm_check "for the message reference" grep -qE "^Reference number +: $mr\$" "$HBM_TMP/monitor.out"
kill -INT "$MON"
wait "$MON"
gam m deleteallsms 1

# +CMS ERROR on one AT+CMGS, then normal again.
hbm_eq "fault cms is set" "ok cms=500 count=1" "$(hbm_sim m 'fault cms 500 1')"
gam m sendsms TEXT "$TO" -text 'fail me'
hbm_check "sendsms fails on +CMS ERROR" test "$RC" -ne 0
hbm_match "gammu reports error 500" 'error 500' "$OUT"
hbm_eq "the failed SMS is not recorded" 0 "$(grep -c 'fail me' "$HBM_TMP/m.log")"
gam m sendsms TEXT "$TO" -text 'after the fault'
hbm_eq "the next sendsms succeeds" 0 "$RC"
hbm_eq "and is recorded" 'after the fault' "$(last m message text)"
hbm_match "status counts the failure" 'failed=1 ' "$(hbm_sim m status)"

# A hang: the modem stops answering; gammu times out.
hbm_eq "fault noanswer is set" "ok noanswer=2" "$(hbm_sim m 'fault noanswer 2')"
gam m identify
hbm_check "identify fails on a hang" test "$RC" -ne 0
hbm_match "gammu times out" 'No response in specified timeout' "$OUT"
hbm_match "status counts ignored commands" 'ignored=2 ' "$(hbm_sim m status)"
gam m identify
hbm_eq "identify works after the hang" 0 "$RC"

# Slow: answers held for a minute make gammu time out; 0 turns it off.
hbm_eq "fault slow is set" "ok slow=60000" "$(hbm_sim m 'fault slow 60000')"
gam m identify
hbm_check "identify fails when answers are late" test "$RC" -ne 0
hbm_match "gammu times out waiting" 'No response in specified timeout' "$OUT"
hbm_eq "fault slow 0 turns it off" "ok slow=0" "$(hbm_sim m 'fault slow 0')"
gam m identify
hbm_eq "identify works on time again" 0 "$RC"

# Unplugged: the device is gone; plugged back, all works.
hbm_eq "unplug" "ok unplugged" "$(hbm_sim m unplug)"
hbm_check "the symlink is gone" test ! -e "$HBM_TMP/m.tty"
hbm_match "status says unplugged" 'plugged=0' "$(hbm_sim m status)"
gam m identify
hbm_check "identify fails unplugged" test "$RC" -ne 0
hbm_match "gammu finds no device" "Error opening device" "$OUT"
hbm_match "plug" '^ok device=/dev/pts/[0-9]+$' "$(hbm_sim m plug)"
gam m identify
hbm_eq "identify works plugged again" 0 "$RC"
gam m sendsms TEXT "$TO" -text 'after the plug'
hbm_eq "sendsms works plugged again" 'after the plug' "$(last m message text)"

# A SIM with a PIN, answering after 20 ms.
sim_start p --pin 1234 --latency 20
gam p getsecuritystatus
hbm_match "the SIM waits for its PIN" 'Waiting for PIN' "$OUT"
gam p entersecuritycode PIN 1111
hbm_check "a wrong PIN is refused" test "$RC" -ne 0
gam p entersecuritycode PIN 1234
hbm_eq "the right PIN is taken" 0 "$RC"
gam p getsecuritystatus
hbm_match "nothing more to enter" 'Nothing to enter' "$OUT"

# Bad control commands.
bad() { # expected reply, command
	local out rc
	out=$("$ATSIM" --send "$HBM_TMP/m.ctl" "$2")
	rc=$?
	hbm_eq "refused: $2" "$1 / 1" "$out / $rc"
}
bad "error unknown command frobnicate" 'frobnicate'
bad "error empty command" ''
bad "error usage: inject FROM TEXT" 'inject +256700111222'
bad "error usage: inject-parts FROM ORDER TEXT" 'inject-parts +256700111222 1,2'
bad "error bad part order for this text" 'inject-parts +256700111222 2,1 too short'
bad "error bad part order for this text" 'inject-parts +256700111222 1,1 x'
bad "error cannot encode the sender or text" 'inject +1234567890123456789012 x'
bad "error usage: fault noanswer N | cms CODE N | slow MS" 'fault noanswer x'
bad "error usage: fault noanswer N | cms CODE N | slow MS" 'fault cms 500'
bad "error usage: fault noanswer N | cms CODE N | slow MS" 'fault sideways 1'
bad "error too many arguments" 'fault slow 5 5'
bad "error usage: report MR" 'report 256'
out=$("$ATSIM" --send "$HBM_TMP/nosuch.ctl" status 2>&1)
hbm_eq "no such socket: exit 2" 2 "$?"

# SIGTERM: exit 0, symlink and socket removed.
pid=${HBM_SIM_PIDS[0]}
kill -TERM "$pid"
wait "$pid"
hbm_eq "SIGTERM: exit 0" 0 "$?"
hbm_check "SIGTERM: symlink removed" test ! -e "$HBM_TMP/m.tty"
hbm_check "SIGTERM: socket removed" test ! -e "$HBM_TMP/m.ctl"

hbm_done
