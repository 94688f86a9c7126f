/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reply texts: built-in defaults in English, French and Arabic, overridden
 * per language by the config's templates, with {placeholders} filled from
 * the caller's values. Pure functions: no I/O, no mutable globals.
 *
 * Templates and the placeholders each one receives (others render as ""):
 *
 *   to a migrant (or whoever sent the command)
 *   received            code label          after HELP with a category
 *   ask_category        keywords            a numbered menu of categories
 *   already_open        code label          a request of an open category
 *   code_info           code label agency status   a referral code sent in
 *                                           by its own number, agency or
 *                                           referring official
 *   code_state          code status         a code sent in by anyone else:
 *                                           open, being handled or closed
 *   code_later          -                   too many code look-ups
 *   status              cases count         STATUS with open cases
 *   status_none         -                   STATUS without any
 *   stop_confirm        -                   STOP
 *   start_confirm       -                   START
 *   unknown             keywords            anything else (one short help
 *                                           with the numbered menu)
 *   not_found           code                no such code (or not yours)
 *   check_code          code                wrong check digit
 *   acked_migrant       code label agency   an agency accepted the case
 *   limit               count               too many requests today
 *   person_contact      code label agency   sent by the agency from the
 *                                           case page: we will call you
 *   person_visit        code label agency   ... come to our desk
 *   to an official and the migrant
 *   ref_issued          code label agency persons   after a referral
 *   to the official who made a referral
 *   ref_acked           code label agency   an agency accepted it
 *   ref_declined        code label agency   an agency declined it
 *   ref_closed          code label agency   an agency closed it
 *   to an agency phone
 *   agency_notify       code label priority region persons   new case
 *   agency_renotify     code label priority region persons   reminder
 *   ack_confirm         code label persons phone   ACK, with consent
 *   ack_confirm_nophone code label persons  ACK, no number to share
 *   declined            code reason         DECLINE confirmation
 *   closed              code note           CLOSE confirmation
 *   list                cases count agency  LIST
 *   list_more           count               the end of {cases} in a LIST
 *                                           cut short: how many more
 *   to the coordinator
 *   escalated           code label priority region persons agency reason
 *
 * Values: code as shown ("4821-3957"), label the category's sms_label,
 * agency its display name, priority "P1".."P3", region an id or "-", status
 * a word in the reply language, keywords a numbered menu ("1 food, 2
 * water") and cases a short list, both built by the caller to fit. Only
 * ack_confirm receives {phone}: no other SMS carries a migrant's number, whatever the caller passes. The default texts name the
 * command words HELP STATUS STOP START (en), AIDE STATUT STOP START (fr),
 * مساعدة حالة توقف ابدأ (ar), and ACK DECLINE CLOSE in every language.
 */
#ifndef HBM_HANDLERS_TEMPLATE_H
#define HBM_HANDLERS_TEMPLATE_H

#include <stddef.h>

/* One placeholder value: {NAME} is replaced by VALUE (NULL renders ""). */
struct template_var {
	const char *name;  /* without braces: "code" */
	const char *value; /* borrowed UTF-8 */
};

/* The number of template names, and the I-th (NULL when out of range). */
size_t template_count(void);
const char *template_name(size_t i);

/* 1 when NAME is a template name, else 0. */
int template_known(const char *name);

/* The built-in text of NAME in LANG, or NULL when there is none. */
const char *template_default(const char *lang, const char *name);

/*
 * TEXT, the text of template NAME, with VARS filled in, newly allocated. An
 * unknown placeholder, one NAME does not receive (any, when NAME is not a
 * template name), or one without a value in VARS renders as "".
 * (config/cfg_template.c's template_render() picks the text.)
 */
char *template_fill(const char *name, const char *text,
    const struct template_var *vars, size_t nvars);

/*
 * Check a configured template text: braces balanced and not nested, every
 * placeholder a known one. Returns 0, or -1 with *cause set to an allocated
 * reason (e.g. "unknown placeholder \"{cod}\"") the caller frees.
 */
int template_check(const char *text, char **cause);

/*
 * As template_check(), and also reject a placeholder that template NAME does
 * not receive (e.g. "{phone}" anywhere but ack_confirm).
 */
int template_check_for(const char *name, const char *text, char **cause);

/*
 * The SMS segments TEXT takes once filled with long representative values:
 * code "4821-3957", label and region 10 characters, agency and status 12,
 * keywords 31, cases 40, reason 21, note 15, phone 13, counts 2 digits.
 * --check-config warns when this is more than 1.
 */
int template_worst_segments(const char *text);

#endif
