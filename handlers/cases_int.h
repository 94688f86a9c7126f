/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cases*.c files share: the context of one case operation and the
 * helpers that read records and queue writes, replies and notifications
 * into it. Private to handlers/cases*.c.
 */
#ifndef HBM_HANDLERS_CASES_INT_H
#define HBM_HANDLERS_CASES_INT_H

#include <stddef.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "handlers/code.h"
#include "lib/phone.h"
#include "store/keys.h"
#include "store/num.h"

#define CASES_TRIES 8	     /* decide again this often on conflicts */
#define CASES_ROUNDS 32	     /* loads of missing reads for one decision */
#define CASES_NEED 2	     /* a decision read what its view lacks */
#define CASES_LIST_MAX 6     /* cases named in a LIST or STATUS reply */
#define CASES_STATUS_SHOWN 4 /* the sender's latest cases STATUS names */
#define CASES_LIST_BYTES 200 /* the list in a LIST reply, with its NUL */
#define CASES_ITEM_MAX 96    /* one case in it: "4821-3957 P1 food" */
#define CASES_METRICS_MAX 8
#define CASES_MENU_MAX 9       /* categories in a numbered menu */
#define CASES_MENU_BYTES 300   /* their ids, comma-separated */
#define CASES_MENU_MS 600000LL /* a digit answers the menu this long */

struct apply;
struct cases_ctx;
struct cases_msg;
struct crypto_key;
struct sms_cmd;
struct sms_lexicon;
struct store;
struct store_case;
struct store_reply;
struct template_var;

/* A metric to count once the operation is applied (not on replays). */
struct cases_metric {
	const char *name;
	char labels[128];
	double value; /* added, or observed for a histogram */
	int observe;  /* 1: a histogram observation */
};

/* One read a decision made: a command's words and Redis's reply. */
struct cases_read {
	char *query;		   /* the words, each ended by a NUL; owned */
	size_t len;		   /* bytes in query */
	struct store_reply *reply; /* owned; NULL while still to load */
};

/*
 * What a decision may read (handlers/cases_view.c): the replies loaded so
 * far, and the reads it made that are still to load. Lives across the
 * attempts of one operation; emptied when a conflict shows it is stale.
 */
struct cases_view {
	struct cases_read *reads;
	size_t n, cap;
	size_t need; /* reads with no reply yet */
};

/*
 * In C's view, the reply to the read FIRST... (words up to a NULL, e.g.
 * "HGETALL", key): 0 with *OUT (borrowed from the view), or CASES_NEED,
 * the read noted, when the view has not got it: the decision must then
 * answer CASES_NEED, and is made again once the reads are loaded.
 */
int cases_read(struct cases_ctx *c, const struct store_reply **out,
    const char *first, ...) __attribute__((sentinel));
/*
 * The read CASES_READ_OPEN, sealed: the value opened with the privacy key,
 * as an array of one string, or of none when it does not open. The loader
 * opens it, so that a decision never holds the key's secret part.
 */
#define CASES_READ_OPEN "OPEN"
/*
 * In C's view, case CODE typed into *K (store/case.h; K borrows from the
 * view): 0, K->exists 0 when there is no such case, or CASES_NEED.
 */
int cases_read_case(
    struct cases_ctx *c, const char *code, struct store_case *k);
/* The same for the number record of HASH (store/num.h). */
int cases_read_num(struct cases_ctx *c, const char *hash, struct store_num *n);
/* Give V the reply R (taken) to the read FIRST..., e.g. from a batch. */
void cases_view_put(struct cases_view *v, struct store_reply *r,
    const char *first, ...) __attribute__((sentinel));
/*
 * Load every read V still lacks, opening with KEY; -1 with *cause when
 * Redis failed.
 */
int cases_view_load(struct cases_view *v, struct store *,
    const struct crypto_key *key, char **cause);
void cases_view_clear(struct cases_view *);

/* Everything one operation needs; lives for one attempt. */
struct cases_ctx {
	struct store *st;
	const struct cfg *cfg;
	const struct crypto_key *key;
	const struct sms_lexicon *lex; /* NULL when not from an SMS */
	struct apply *a;
	long long now; /* ms since the epoch */
	const char *opid;
	/* the sender; sealed is NULL when there is none (an API call), ""
	 * when only e164 holds it (then sealed as replies are queued) */
	char e164[PHONE_MAX];
	const char *sealed; /* borrowed from the inbox entry or the caller */
	const char *hash;
	char numkey[KEY_MAX];
	struct store_num num;	 /* numkey's record, borrowed from the view */
	struct cases_view view;	 /* what the decision may read */
	char lang[CFG_LANG_MAX]; /* reply language */
	int staff;		 /* an agency, official or coordinator phone */
	const struct cfg_agency *agency; /* the sender's agency, or NULL */
	const char *login;	/* the console user acting for it, or NULL */
	long long replies;	/* replies in the sender's hour */
	long long replies_from; /* when that hour opened, ms */
	int optout;
	int missing;  /* the agency's command named a case not its own */
	int refused;  /* the case's state does not allow the command */
	int optedout; /* an SMS to the person: the number sent STOP */
	int limited;  /* an SMS to the person: the case's cap reached */
	struct cases_metric metrics[CASES_METRICS_MAX];
	int nmetrics;
	/* the case that cases_reply()'s SMS belong to, or NULL */
	const char *code;
};

/* What a new case is made of; strings borrowed. */
struct cases_new {
	const struct cfg_category *cat;
	const char *kind;   /* "relief" or "referral" */
	const char *region; /* "" for none */
	int persons;
	const char *note;
	const char *phone;		/* the migrant's sealed number, or "" */
	const char *phone_plain;	/* or in clear, sealed when applied */
	const char *num;		/* its keyed hash, or "" */
	const struct store_num *numrec; /* its record, when num is given */
	const char *consent;		/* "1" or "0" */
	const char *official; /* the referring official's hash, or "" */
};

/*
 * Decide one attempt of an operation into C->a: 0; 1 when there is
 * nothing to apply; CASES_NEED when it read what C->view lacks; -1 with
 * *cause.
 */
typedef int (*cases_decide_cb)(struct cases_ctx *c, void *arg, char **cause);

/*
 * Queue TEXT, given in clear, to the number sealed as TO_SEALED with hash
 * TO_HASH, as KIND. The text is sealed and the channel chosen when the
 * operation runs (apply_set_key(), apply_set_router()), not by the
 * decision. With CODE (else NULL), the message's id goes into that case's
 * history with ROLE, the recipient's ("migrant", "agency", "official",
 * "coordinator"): apply_case_sms().
 */
void cases_sms(struct cases_ctx *c, const char *code, const char *role,
    const char *to_sealed, const char *to_hash, const char *text,
    const char *kind);
/* cases.c: records, replies, the attempt loop */
void cases_count(struct cases_ctx *, const char *name, const char *labels,
    double v, int observe);
void cases_event(struct cases_ctx *, const char *category, const char *event);
void cases_flush_metrics(struct cases_ctx *);
long long cases_window_get(struct cases_ctx *, long long ms, long long n,
    long long span, long long *from);
void cases_window_add(struct cases_ctx *, const char *ms_field,
    const char *n_field, long long from, long long n);
int cases_decide_loaded(
    struct cases_ctx *, cases_decide_cb, void *arg, char **cause);
void cases_ll(char *buf, size_t len, long long v);
/* A case's score in its agency's open list: by priority, then age. */
double cases_open_score(int priority, long long created_ms);
void cases_log(struct cases_ctx *, const char *code, const char *who,
    const char *what, const char *note);
/*
 * cases_log() for a NOTE someone wrote (a CLOSE note, a DECLINE reason):
 * given in clear, sealed with the privacy key in the history entry and the
 * audit entry when the operation runs, "" left as it is.
 */
void cases_log_text(struct cases_ctx *, const char *code, const char *who,
    const char *what, const char *note);
/*
 * The agency's own SMS to the person of case CODE (from the case page):
 * its history entry is the agency's, shown to it only.
 */
void cases_sms_own(struct cases_ctx *c, const char *code, const char *to_sealed,
    const char *to_hash, const char *text);
/* cases_sms() to a number given in clear. */
void cases_send_plain(struct cases_ctx *, const char *code, const char *role,
    const char *e164, const char *text, const char *kind);
/* Template NAME to every phone of an agency, about case CODE (or NULL). */
void cases_tell_agency(struct cases_ctx *, const char *code,
    const struct cfg_agency *, const char *name, const struct template_var *,
    size_t n);
/*
 * cases_reply() to an agency's command on case CODE, which exists: the
 * reply is one of the SMS the case caused, in its timeline.
 */
void cases_reply_case(struct cases_ctx *, const char *code, const char *name,
    const struct template_var *, size_t n);
void cases_reply(struct cases_ctx *, const char *name,
    const struct template_var *, size_t n, int force);
void cases_keywords(struct cases_ctx *, char *buf, size_t len);
void cases_menu(struct cases_ctx *, const char (*ids)[CFG_ID_MAX], size_t n,
    char *buf, size_t len);
void cases_unknown(struct cases_ctx *);
int cases_bad_code(struct cases_ctx *, const struct sms_cmd *);
void cases_not_found(struct cases_ctx *, const char *code);
/* Set the TTL of the sender's number record (see cases.c). */
void cases_num_expire(struct cases_ctx *);
/* Add CODE to the cases of number record N at KEY (see cases.c). */
void cases_num_link(struct cases_ctx *, const char *key,
    const struct store_num *n, const char *code);
int cases_load_sender(struct cases_ctx *, const struct sms_cmd *, char **cause);
enum apply_result cases_run(
    struct cases_ctx *, cases_decide_cb, void *arg, char **cause);

/*
 * Decide the inbox message M at NOW from the reads in VIEW alone, with no
 * Redis (a test's view, filled with cases_view_put()): 0 with *OUT, the
 * operation (free with apply_free()); 1 when there is nothing to apply;
 * CASES_NEED when it read what VIEW lacks (noted in VIEW); -1 with *cause.
 */
int cases_decide_view(const struct cfg *, const struct sms_lexicon *,
    const struct crypto_key *, const struct cases_msg *, long long now,
    struct cases_view *view, struct apply **out, char **cause);

/*
 * The SLA step of case CODE at NOW, decided from VIEW alone, with the same
 * return values as cases_decide_view(); *OUT's operation id names the
 * case's agency and version.
 */
int cases_sla_view(const struct cfg *, const struct crypto_key *,
    const char *code, long long now, struct cases_view *view,
    struct apply **out, char **cause);

/* cases_new.c: HELP, REF */
int cases_help(struct cases_ctx *, const struct sms_cmd *, char **cause);
int cases_ref(struct cases_ctx *, const struct sms_cmd *, char **cause);

/* cases_agency.c: ACK, DECLINE, CLOSE, LIST */
int cases_ack(struct cases_ctx *, const struct sms_cmd *, char **cause);
int cases_decline(struct cases_ctx *, const struct sms_cmd *, char **cause);
int cases_close(struct cases_ctx *, const struct sms_cmd *, char **cause);
int cases_list(struct cases_ctx *, char **cause);

#endif
