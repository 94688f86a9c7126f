/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reply texts and their {placeholders}: the table of template names with the
 * placeholders each receives and its built-in English, French and Arabic
 * texts, filling in placeholders and the checks the config loader runs
 * (config/cfg_template.c chooses between the config's text and these). English and French defaults keep to the GSM-7 alphabet and
 * one segment; Arabic is UCS-2 and kept short. No default names a person, a
 * nationality or a sensitive category: categories appear by their sms_label.
 * Pure functions: no I/O, no mutable globals.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "lib/gsm.h"
#include "lib/template.h"

/* Placeholder names; bit I of a template's mask allows the I-th. */
static const char *const tmpl_vars[] = { "code", "label", "agency", "priority",
	"region", "persons", "status", "keywords", "count", "cases", "reason",
	"note", "phone" };

#define NVARS (sizeof tmpl_vars / sizeof tmpl_vars[0])
#define V_CODE 0x0001u
#define V_LABEL 0x0002u
#define V_AGENCY 0x0004u
#define V_PRIORITY 0x0008u
#define V_REGION 0x0010u
#define V_PERSONS 0x0020u
#define V_STATUS 0x0040u
#define V_KEYWORDS 0x0080u
#define V_COUNT 0x0100u
#define V_CASES 0x0200u
#define V_REASON 0x0400u
#define V_NOTE 0x0800u
#define V_PHONE 0x1000u
#define V_ALL 0x1fffu
#define V_CASE (V_CODE | V_LABEL | V_PRIORITY | V_REGION | V_PERSONS)

/* Long but plausible values, in tmpl_vars order, for worst-case sizes. */
static const char *const tmpl_worst[NVARS] = { "4821-3957", "food-water",
	"Red Cross UG", "P1", "north-gate", "12", "acknowledged",
	"FOOD WATER HEALTH SHELTER CHILD", "12",
	"4821-3957 P1, 5930-1128 P2, 7712-0456 P3", "no capacity this week",
	"family moved on", "+256700000101" };

/* One template: its name, the placeholders it receives, its defaults. */
struct tmpl {
	const char *name;
	unsigned vars; /* V_* mask */
	const char *en, *fr, *ar;
};

static const struct tmpl tmpls[] = {
	{ "received", V_CODE | V_LABEL,
	    "Request {code} received ({label}). We will tell you when an "
	    "agency takes it. Reply STATUS for news.",
	    "Demande {code} enregistrée ({label}). Nous vous dirons quand une "
	    "agence la prendra en charge. Répondez STATUT pour suivre.",
	    "وصل طلبك {code} ({label}). سنبلغك عند قبوله. أرسل حالة للمتابعة" },
	{ "ask_category", V_KEYWORDS,
	    "What do you need? Reply with its number: {keywords}",
	    "De quoi avez-vous besoin ? Répondez par son numéro : {keywords}",
	    "ماذا تحتاج؟ أرسل الرقم: {keywords}" },
	{ "already_open", V_CODE | V_LABEL,
	    "You already have request {code} ({label}) open. Reply STATUS "
	    "for news.",
	    "Vous avez déjà la demande {code} ({label}) en cours. Répondez "
	    "STATUT pour suivre.",
	    "لديك طلب مفتوح {code} ({label}). أرسل حالة للمتابعة" },
	{ "code_info", V_CODE | V_LABEL | V_AGENCY | V_STATUS,
	    "Code {code}: referral for {label} with {agency}, {status}. Show "
	    "this code to {agency} staff.",
	    "Code {code} : orientation {label} vers {agency}, {status}. "
	    "Montrez ce code à l'équipe de {agency}.",
	    "الرمز {code}: {label} لدى {agency} ({status})" },
	{ "status", V_CASES | V_COUNT, "Your requests: {cases}",
	    "Vos demandes : {cases}", "طلباتك: {cases}" },
	{ "status_none", 0,
	    "You have no open request. To ask for help, send HELP and what "
	    "you need.",
	    "Vous n'avez aucune demande en cours. Pour demander de l'aide, "
	    "envoyez AIDE et votre besoin.",
	    "ليس لديك طلب مفتوح. للمساعدة أرسل مساعدة وما تحتاجه." },
	{ "stop_confirm", 0,
	    "You will get no more SMS from us. Send START to receive them "
	    "again.",
	    "Vous ne recevrez plus de SMS de notre part. Envoyez START pour "
	    "les recevoir à nouveau.",
	    "لن تصلك رسائل منا بعد الآن. أرسل ابدأ لاستقبالها مجددا." },
	{ "start_confirm", 0,
	    "You will get our SMS again. To ask for help, send HELP and what "
	    "you need.",
	    "Vous recevrez à nouveau nos SMS. Pour demander de l'aide, envoyez "
	    "AIDE et votre besoin.",
	    "ستصلك رسائلنا مجددا. للمساعدة أرسل مساعدة وما تحتاجه." },
	{ "unknown", V_KEYWORDS,
	    "Not understood. Reply with a number: {keywords}. STATUS for "
	    "news, STOP to end SMS.",
	    "Message non compris. Répondez par un numéro : {keywords}. "
	    "STATUT pour suivre, STOP pour finir.",
	    "لم نفهم. أرسل رقما: {keywords}. حالة للمتابعة" },
	{ "not_found", V_CODE, "No request found with code {code}.",
	    "Aucune demande avec le code {code}.",
	    "لا يوجد طلب بالرمز {code}." },
	{ "check_code", V_CODE,
	    "The code {code} is not valid. Please check the code and send it "
	    "again.",
	    "Le code {code} n'est pas valide. Vérifiez le code et renvoyez-le.",
	    "الرمز {code} غير صحيح. تحقق منه وأرسله مجددا." },
	{ "acked_migrant", V_CODE | V_LABEL | V_AGENCY,
	    "{agency} has taken your request {code} ({label}). Keep this "
	    "code. Reply STATUS for news.",
	    "{agency} a pris en charge votre demande {code} ({label}). Gardez "
	    "ce code. Répondez STATUT pour suivre.",
	    "قبلت {agency} طلبك {code} ({label}). احتفظ بهذا الرمز." },
	{ "person_contact", V_CODE | V_LABEL | V_AGENCY,
	    "{agency}, request {code}: we will call you soon. Keep your "
	    "phone on.",
	    "{agency}, demande {code} : nous vous appellerons. Gardez votre "
	    "téléphone allumé.",
	    "{agency} الطلب {code}: سنتصل بك قريبا." },
	{ "person_visit", V_CODE | V_LABEL | V_AGENCY,
	    "{agency}, request {code}: please come to our desk with this "
	    "code.",
	    "{agency}, demande {code} : venez à notre bureau avec ce code.",
	    "{agency} الطلب {code}: تعال إلى مكتبنا مع الرمز." },
	{ "agency_notify", V_CASE,
	    "New case {code}: {label}, {priority}, region {region}, {persons} "
	    "person(s). Reply ACK {code} to accept or DECLINE {code} and a "
	    "reason.",
	    "Nouveau cas {code} : {label}, {priority}, région {region}, "
	    "{persons} personne(s). Répondez ACK {code} pour accepter ou "
	    "DECLINE {code} et un motif.",
	    "طلب {code}: {label} {priority} {region} أشخاص:{persons}. "
	    "للقبول ACK {code}" },
	{ "agency_renotify", V_CASE,
	    "Reminder: case {code} ({label}, {priority}, region {region}, "
	    "{persons} person(s)) is waiting. Reply ACK {code} or DECLINE "
	    "{code}.",
	    "Rappel : le cas {code} ({label}, {priority}, région {region}, "
	    "{persons} personne(s)) attend. Répondez ACK {code} ou DECLINE "
	    "{code}.",
	    "تذكير {code}: {label} {priority} {region} أشخاص:{persons}. "
	    "ACK {code}" },
	{ "escalated", V_CASE | V_AGENCY | V_REASON,
	    "Case {code} ({label}, {priority}, region {region}, {persons} "
	    "person(s)) is not acknowledged by any agency. Please follow up.",
	    "Le cas {code} ({label}, {priority}, région {region}, {persons} "
	    "personne(s)) n'est accepté par aucune agence. Merci d'assurer le "
	    "suivi.",
	    "الطلب {code} ({label} {priority} {region}) لم تقبله أي جهة. "
	    "تابعوه." },
	{ "declined", V_CODE | V_REASON,
	    "You declined case {code}. It will go to the next agency.",
	    "Vous avez refusé le cas {code}. Il passe à l'agence suivante.",
	    "رفضتم الطلب {code}. سيحال إلى الجهة التالية." },
	{ "declined_last", V_CODE | V_REASON,
	    "You declined case {code}. No other agency takes it: the "
	    "coordinator will follow up.",
	    "Vous avez refusé le cas {code}. Aucune autre agence ne le prend : "
	    "la coordination assure le suivi.",
	    "رفضتم الطلب {code}. لا توجد جهة أخرى له: سيتابعه المنسق." },
	{ "closed", V_CODE | V_NOTE, "Case {code} is closed. Thank you.",
	    "Le cas {code} est clos. Merci.", "أغلق الطلب {code}. شكرا." },
	{ "list", V_CASES | V_COUNT | V_AGENCY,
	    "{agency} open cases ({count}): {cases}",
	    "Cas ouverts de {agency} ({count}) : {cases}",
	    "طلبات مفتوحة ({count}): {cases}" },
	{ "list_more", V_COUNT, "+{count} more", "+{count} autres",
	    "+{count} أخرى" },
	{ "ref_issued", V_CODE | V_LABEL | V_AGENCY | V_PERSONS,
	    "Referral {code} registered: {label}, {persons} person(s), sent to "
	    "{agency}. Keep this code. You will get an SMS when an agency "
	    "accepts it.",
	    "Orientation {code} enregistrée : {label}, {persons} personne(s), "
	    "transmise à {agency}. Gardez ce code. Un SMS suivra quand une "
	    "agence l'acceptera.",
	    "سجلت الإحالة {code} ({label}) لدى {agency}. احتفظ بالرمز." },
	{ "limit", V_COUNT,
	    "You have sent too many requests today. Please try again "
	    "tomorrow.",
	    "Vous avez envoyé trop de demandes aujourd'hui. Réessayez demain.",
	    "أرسلت طلبات كثيرة اليوم. حاول مجددا غدا." },
	{ "ack_confirm", V_CODE | V_LABEL | V_PERSONS | V_PHONE,
	    "Case {code} ({label}, {persons} person(s)) is yours. Contact: "
	    "{phone}. Reply CLOSE {code} when done.",
	    "Le cas {code} ({label}, {persons} personne(s)) est à vous. "
	    "Contact : {phone}. Répondez CLOSE {code} une fois terminé.",
	    "الطلب {code} لكم. الهاتف: {phone}. للإغلاق CLOSE {code}" },
	{ "ack_confirm_nophone", V_CODE | V_LABEL | V_PERSONS,
	    "Case {code} ({label}, {persons} person(s)) is yours. No contact "
	    "number can be shared. Reply CLOSE {code} when done.",
	    "Le cas {code} ({label}, {persons} personne(s)) est à vous. Aucun "
	    "numéro à transmettre. Répondez CLOSE {code} une fois terminé.",
	    "الطلب {code} لكم. لا رقم للمشاركة. للإغلاق CLOSE {code}" },
	{ "ref_acked", V_CODE | V_LABEL | V_AGENCY,
	    "Referral {code} ({label}) was accepted by {agency}.",
	    "L'orientation {code} ({label}) a été acceptée par {agency}.",
	    "قبلت {agency} الإحالة {code} ({label})." },
	{ "ref_declined", V_CODE | V_LABEL | V_AGENCY,
	    "Referral {code} ({label}) was declined by {agency} and passed "
	    "on.",
	    "L'orientation {code} ({label}) a été refusée par {agency} et "
	    "transmise.",
	    "رفضت {agency} الإحالة {code} ({label}) وأحيلت إلى جهة أخرى." },
	{ "ref_closed", V_CODE | V_LABEL | V_AGENCY,
	    "Referral {code} ({label}) was closed by {agency}.",
	    "L'orientation {code} ({label}) a été close par {agency}.",
	    "أغلقت {agency} الإحالة {code} ({label})." },
	{ "code_state", V_CODE | V_STATUS, "Code {code}: {status}.",
	    "Code {code} : {status}.", "الرمز {code}: {status}." },
	{ "code_later", 0,
	    "Too many code checks from this number. Please try again later.",
	    "Trop de vérifications de code depuis ce numéro. Réessayez plus "
	    "tard.",
	    "محاولات كثيرة للتحقق من الرموز. حاول لاحقا." },
	{ "sms_expired", V_COUNT,
	    "hbmgw: {count} SMS could not be delivered in time and were given "
	    "up. See hbmctl messages --status dead.",
	    "hbmgw : {count} SMS non remis à temps ont été abandonnés. Voir "
	    "hbmctl messages --status dead.",
	    "hbmgw: {count} رسالة لم تسلم. hbmctl messages --status dead" },
};

#define NTMPLS (sizeof tmpls / sizeof tmpls[0])
#define NAME_SHOWN 40 /* longest placeholder name quoted in a cause */

/* The template named NAME, or NULL. */
static const struct tmpl *
tmpl_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NTMPLS; i++)
		if (strcmp(tmpls[i].name, name) == 0)
			return &tmpls[i];
	return NULL;
}

/* The index of the placeholder named by the LEN bytes at S, or -1. */
static int
var_index(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NVARS; i++)
		if (strlen(tmpl_vars[i]) == len &&
		    memcmp(tmpl_vars[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* The '}' closing the '{' at P, or NULL when none comes before a '{'. */
static const char *
closing(const char *p)
{
	for (p++; *p != '\0' && *p != '{'; p++)
		if (*p == '}')
			return p;
	return NULL;
}

size_t
template_count(void)
{
	return NTMPLS;
}

const char *
template_name(size_t i)
{
	return i < NTMPLS ? tmpls[i].name : NULL;
}

int
template_known(const char *name)
{
	return tmpl_find(name) != NULL;
}

const char *
template_default(const char *lang, const char *name)
{
	const struct tmpl *t;

	if (lang == NULL || (t = tmpl_find(name)) == NULL)
		return NULL;
	if (strcmp(lang, "en") == 0)
		return t->en;
	if (strcmp(lang, "fr") == 0)
		return t->fr;
	if (strcmp(lang, "ar") == 0)
		return t->ar;
	return NULL;
}

/* The value for the placeholder in the LEN bytes at S, or "". */
static const char *
value(const char *s, size_t len, unsigned allowed,
    const struct template_var *vars, size_t nvars)
{
	int v = var_index(s, len);
	size_t i;

	if (v == -1 || (allowed & (1u << v)) == 0)
		return "";
	for (i = 0; i < nvars; i++)
		if (vars[i].name != NULL &&
		    strcmp(vars[i].name, tmpl_vars[v]) == 0)
			return vars[i].value != NULL ? vars[i].value : "";
	return "";
}

/*
 * Fill TEXT's placeholders into OUT (when not NULL) and return the length.
 * A '{' or '}' that does not form a placeholder is copied as it is.
 */
static size_t
expand(const char *text, unsigned allowed, const struct template_var *vars,
    size_t nvars, char *out)
{
	const char *p, *end, *val;
	size_t n = 0, len;

	for (p = text; *p != '\0'; p++) {
		if (*p != '{' || (end = closing(p)) == NULL) {
			if (out != NULL)
				out[n] = *p;
			n++;
			continue;
		}
		val = value(p + 1, (size_t)(end - p - 1), allowed, vars, nvars);
		len = strlen(val);
		if (out != NULL)
			memcpy(out + n, val, len);
		n += len;
		p = end;
	}
	if (out != NULL)
		out[n] = '\0';
	return n;
}

char *
template_fill(const char *name, const char *text,
    const struct template_var *vars, size_t nvars)
{
	const struct tmpl *t = tmpl_find(name);
	unsigned allowed = t != NULL ? t->vars : 0;
	char *out;

	out = xmalloc(expand(text, allowed, vars, nvars, NULL) + 1);
	expand(text, allowed, vars, nvars, out);
	return out;
}

/*
 * Check TEXT's braces and placeholders; with T, also that T receives each.
 * Returns 0, or -1 with *cause set.
 */
static int
check(const struct tmpl *t, const char *text, char **cause)
{
	const char *p, *end;
	size_t len;
	int v;

	for (p = text; *p != '\0'; p++) {
		if (*p == '}') {
			xasprintf(cause, "unbalanced \"}\"");
			return -1;
		}
		if (*p != '{')
			continue;
		if ((end = closing(p)) == NULL) {
			xasprintf(cause, "unbalanced \"{\"");
			return -1;
		}
		len = (size_t)(end - p - 1);
		if ((v = var_index(p + 1, len)) == -1) {
			xasprintf(cause, "unknown placeholder \"{%.*s%s}\"",
			    (int)(len < NAME_SHOWN ? len : NAME_SHOWN), p + 1,
			    len > NAME_SHOWN ? "..." : "");
			return -1;
		}
		if (t != NULL && (t->vars & (1u << v)) == 0) {
			xasprintf(cause,
			    "placeholder \"{%s}\" is not available in template "
			    "\"%s\"",
			    tmpl_vars[v], t->name);
			return -1;
		}
		p = end;
	}
	return 0;
}

int
template_check(const char *text, char **cause)
{
	return check(NULL, text, cause);
}

int
template_check_for(const char *name, const char *text, char **cause)
{
	const struct tmpl *t;

	if ((t = tmpl_find(name)) == NULL) {
		xasprintf(
		    cause, "unknown template \"%s\"", name != NULL ? name : "");
		return -1;
	}
	return check(t, text, cause);
}

int
template_worst_segments(const char *text)
{
	struct template_var vars[NVARS];
	struct gsm_info info;
	size_t i;
	char *out;

	for (i = 0; i < NVARS; i++) {
		vars[i].name = tmpl_vars[i];
		vars[i].value = tmpl_worst[i];
	}
	out = xmalloc(expand(text, V_ALL, vars, NVARS, NULL) + 1);
	expand(text, V_ALL, vars, NVARS, out);
	gsm_measure(out, &info);
	free(out);
	return info.segments;
}
