#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A migrant's own words, through the webhook to the real daemon: a French
# and an Arabic sender who are not understood get the numbered menu in
# their language; a digit sent back opens the case it picks, and the code
# reply names the category in the sender's language; a sentence with the
# keyword anywhere opens a case; a thanks gets no reply; asking again is
# told the open case's code; STATUS says where the case stands in words,
# before and after the agency's ACK.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config_agencies | sed 's/^gateway: { \(.*\) };$/gateway: { \1 languages = ["en", "fr", "ar"]; };/')
categories = (
  { id = "food"; agencies = ["wfp"];
    sms_label = { en = "food"; fr = "nourriture"; ar = "طعام"; };
    keywords = { en = ["FOOD", "HUNGRY"]; fr = ["NOURRITURE", "FAIM"];
                 ar = ["طعام"]; }; },
  { id = "water"; agencies = ["wfp"];
    sms_label = { en = "water"; fr = "eau"; ar = "ماء"; };
    keywords = { en = ["WATER"]; fr = ["EAU"]; ar = ["ماء"]; }; }
);
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

sms() { hbm_inbound "$1" "$2" "w-$(date +%s%N)-$RANDOM"; }
last() { hbm_texts_to "$1" | tail -n 1; }

FR=+256700000011 AR=+256700000012 EN=+256700000013 TH=+256700000014

# French, not understood: the menu in French.
hbm_eq "a French message is accepted" 202 "$(sms $FR "Bonjour, je suis à la frontière avec ma famille")"
hbm_check "the French sender is answered" hbm_wait 10 hbm_sent_to $FR 1
hbm_match "in French, with the numbered menu" \
	'^Message non compris.*1 nourriture, 2 eau' "$(last $FR)"
sms $FR "2" >/dev/null
hbm_check "a digit opens a case" hbm_wait 10 hbm_sent_to $FR 2
hbm_match "the code reply is in French and names eau" \
	'^Demande [1-9][0-9]{3}-[0-9]{4} enregistrée \(eau\)' "$(last $FR)"
hbm_check "WFP is notified" hbm_wait 10 hbm_sent_to +256700000101 1
sms $FR "nous avons toujours besoin d'eau" >/dev/null
hbm_check "asking again is answered" hbm_wait 10 hbm_sent_to $FR 3
hbm_match "with the open case's code, in French" \
	'^Vous avez déjà la demande [1-9][0-9]{3}-[0-9]{4} \(eau\)' "$(last $FR)"
sms $FR "STATUT" >/dev/null
hbm_check "STATUT is answered" hbm_wait 10 hbm_sent_to $FR 4
hbm_match "in plain French words" "en attente d'une agence" "$(last $FR)"
cfr=$(hbm_texts_to $FR | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
sms +256700000101 "ACK $cfr" >/dev/null
hbm_check "WFP's ACK is told to the French sender" hbm_wait 10 hbm_sent_to $FR 5
hbm_match "in French, naming eau" "^WFP a pris en charge votre demande $cfr \\(eau\\)" "$(last $FR)"
sms $FR "STATUT $cfr" >/dev/null
hbm_check "STATUT with the code is answered" hbm_wait 10 hbm_sent_to $FR 6
hbm_match "taken by WFP, in French" "eau.*prise en charge par WFP" "$(last $FR)"

# Arabic, not understood: the menu in Arabic; a digit picks food.
sms $AR "السلام عليكم نحن عند الحدود" >/dev/null
hbm_check "the Arabic sender is answered" hbm_wait 10 hbm_sent_to $AR 1
hbm_match "in Arabic, with the numbered menu" 'لم نفهم.*1 طعام، 2 ماء|لم نفهم.*1 طعام, 2 ماء' "$(last $AR)"
sms $AR "١" >/dev/null
hbm_check "an Arabic digit opens a case" hbm_wait 10 hbm_sent_to $AR 2
hbm_match "the code reply is in Arabic and names طعام" \
	'^وصل طلبك [1-9][0-9]{3}-[0-9]{4} \(طعام\)' "$(last $AR)"

# A digit once the menu is answered opens nothing (and the short help
# went out less than an hour ago: no reply either).
sms $AR "2" >/dev/null
hbm_check "the digit is handled" hbm_inbox_settled
hbm_eq "a second digit gets no reply" 2 "$(hbm_queued_count $AR)"
hbm_eq "and opens no case" 2 "$(hbm_case_count)"

# English, the keyword anywhere.
sms $EN "I need food please" >/dev/null
hbm_check "a sentence is answered" hbm_wait 10 hbm_sent_to $EN 1
hbm_match "it opens a food case" '^Request [1-9][0-9]{3}-[0-9]{4} received \(food\)' "$(last $EN)"
# Two categories: the menu of those two.
sms $TH "we need food and water" >/dev/null
hbm_check "two needs are answered" hbm_wait 10 hbm_sent_to $TH 1
hbm_match "with the menu of both" '^What do you need\? Reply with its number: 1 food, 2 water' "$(last $TH)"
sms $TH "thanks" >/dev/null
sms $TH "we got the water, thank you" >/dev/null
hbm_check "the thanks are handled" hbm_inbox_settled
hbm_match "and counted as thanks" 'hbmgw_inbox_ignored_total\{reason="thanks"\} [2-9]' "$(hbm_metrics)"
hbm_eq "a thanks gets no reply" 1 "$(hbm_queued_count $TH)"
hbm_eq "and opens no case" 3 "$(hbm_case_count)"

hbm_done
