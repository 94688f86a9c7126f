/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inbox stream and its dispatcher threads.
 *
 * inbox_add() runs on whatever thread received the SMS (an HTTP worker, a
 * modem thread) with that thread's Redis connection: one Lua script
 * appends the entry and sets the deduplication key where none is, deleting
 * the entry again for a repeat, so a message is either in the stream once
 * or not at all. The dispatcher threads, started by
 * inbox_start(), each own a Redis connection and a lexicon built from the
 * configuration snapshot they hold; they read their own pending entries
 * first (work a crash left unacknowledged), then new ones, and every few
 * seconds claim entries another consumer has held too long (XAUTOCLAIM).
 * They consume only while the instance lease is held, and every
 * TAKEOVER_EVERY_MS take over the pending entries of dead instances.
 * A batch read at once is decided entry by entry (the senders' records
 * read beforehand with one script) and applied with one script, which also
 * acknowledges each entry once its case operation was applied, or found to
 * have been applied before.
 *
 * The scripts are store/lua/inbox_add.lua and store/lua/inbox_records.lua.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/durable.h"
#include "gateway/gw.h"
#include "gateway/inbox.h"
#include "gateway/schema_gate.h"
#include "gateway/lease.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "gateway/takeover.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "lib/phone.h"
#include "handlers/sms.h"
#include "lua/inbox_add.h"
#include "lua/inbox_records.h"
#include "store/keys.h"

#define INBOX_GROUP "dispatch"
#define INBOX_THREADS 8 /* dispatchers: applies in flight at once */
#define INBOX_DEDUP_SECONDS "86400"
/* The fallback for a live but stuck consumer; dead ones: takeover.c. */
#define INBOX_CLAIM_IDLE_MS "30000"
#define INBOX_CLAIM_EVERY_MS 5000
#define INBOX_BATCH "32"
#define INBOX_BATCH_N 32
#define INBOX_BLOCK_MS 500 /* a read's longest wait, and a stop's */
#define INBOX_TRIES 8	   /* decided again this often on conflicts */
#define INBOX_GATE_MS 200  /* waiting for the lease or the schema */
/*
 * A thread that read fewer than INBOX_LINGER_BELOW new entries waits
 * INBOX_LINGER_MS before it reads again. Under load the other threads
 * read meanwhile and more entries wait for each read, so batches grow and
 * their fixed cost (the scripts, the type checks, the index writes) is
 * shared by more messages; when the inbox is quiet the other threads,
 * blocked in their reads, take a new entry at once.
 */
#define INBOX_LINGER_BELOW 16
#define INBOX_LINGER_MS 10

/* Append an SMS to the inbox once: store/lua/inbox_add.lua. */
static struct store_script inbox_add_script = {
	.name = "inbox_add",
	.body = LUA_INBOX_ADD,
};

/* The senders' records of a batch: store/lua/inbox_records.lua. */
static struct store_script inbox_records_script = {
	.name = "inbox_records",
	.body = LUA_INBOX_RECORDS,
};

struct inbox_worker {
	pthread_t thread;
	int n; /* worker number, part of the consumer name */
};

static struct inbox_worker inbox_workers[INBOX_THREADS];
static atomic_int inbox_stopping;
static int inbox_running;

int
inbox_sender_parse(const char *raw, const char *country_code,
    enum inbox_sender *kind, char out[17], const char **why)
{
	size_t len = strlen(raw), i, letters = 0;

	/* "12345" is a short code, not a national number to answer. */
	if (len >= 3 && len <= 6 && strspn(raw, "0123456789") == len) {
		*kind = INBOX_SHORT;
		memcpy(out, raw, len + 1);
		return 0;
	}
	if (phone_normalise(raw, country_code, out, why) == 0) {
		*kind = INBOX_PHONE;
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)raw[i]))
			letters++;
		else if (!isdigit((unsigned char)raw[i]) && raw[i] != ' ' &&
		    raw[i] != '-' && raw[i] != '.')
			return -1;
	}
	/* GSM alphanumeric originators are at most 11 characters. */
	if (letters > 0 && len <= 11) {
		*kind = INBOX_ALNUM;
		memcpy(out, raw, len + 1);
		return 0;
	}
	*why = "not a phone number, short code or sender name";
	return -1;
}

static const char *
inbox_sender_name(enum inbox_sender s)
{
	return s == INBOX_PHONE ? "phone"
	    : s == INBOX_SHORT	? "short"
				: "alnum";
}

int
inbox_add(struct store *st, const struct crypto_key *key,
    const struct inbox_msg *m, char id[INBOX_ID_MAX], int *duplicate,
    char **cause)
{
	char dedup[KEY_MAX], hex[CRYPTO_SHA256_HEX], hash[CRYPTO_SHA256_HEX];
	char when[32], *idsrc, *sealed, *text;
	const char *argv[20];
	struct store_reply *r;
	int argc = 0, rc = -1;

	xasprintf(&idsrc, "%s\n%s", m->source, m->ext_id);
	crypto_sha256_hex(idsrc, strlen(idsrc), hex);
	free(idsrc);
	hex[40] = '\0'; /* 160 bits are enough to tell ids apart */
	key_dedup(dedup, hex);
	snprintf(when, sizeof(when), "%lld", clock_wall_ms());
	sealed = crypto_seal(key, m->from, strlen(m->from));
	text = crypto_seal_str(key, m->text);
	crypto_phone_hash(key, m->from, hash);

	argv[argc++] = dedup;
	argv[argc++] = KEY_INBOX;
	argv[argc++] = INBOX_DEDUP_SECONDS;
	argv[argc++] = "from";
	argv[argc++] = sealed;
	argv[argc++] = "from_hash";
	argv[argc++] = hash;
	argv[argc++] = "sender";
	argv[argc++] = inbox_sender_name(m->sender);
	argv[argc++] = "to";
	argv[argc++] = m->to;
	argv[argc++] = "text";
	argv[argc++] = text;
	argv[argc++] = "ext";
	argv[argc++] = m->ext_id;
	argv[argc++] = "source";
	argv[argc++] = m->source;
	argv[argc++] = "received_ms";
	argv[argc++] = when;

	r = store_eval(st, &inbox_add_script, 2, argc, argv, NULL, cause);
	free(sealed);
	free(text);
	if (r == NULL)
		return -1;
	if (r->type == STORE_ARRAY && r->elements == 2 &&
	    r->element[0]->type == STORE_STRING &&
	    r->element[0]->len < INBOX_ID_MAX) {
		memcpy(id, r->element[0]->str, r->element[0]->len + 1);
		*duplicate = r->element[1]->integer == 1;
		rc = 0;
	} else
		xasprintf(cause, "inbox: add: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	store_reply_free(r);
	/* A repeat waits too: its first copy may not have reached them. */
	if (rc == 0 && durable_wait(st, cause) == -1)
		rc = -1;
	return rc;
}

/*
 * The message of entry E, [id, [field, value, ...]], borrowed from it but
 * for its text and a phone sender's number, opened into OWNED[0] and
 * OWNED[1] (the caller frees both): 0, or -1 when there is none (a deleted
 * entry, or one missing fields or with a sender that does not open: it is
 * acknowledged and dropped).
 */
static int
inbox_msg(const struct store_reply *e, struct cases_msg *m, char *owned[2])
{
	const struct store_reply *fv;
	char *cause = NULL;
	size_t len;

	if (e->type != STORE_ARRAY || e->elements != 2 ||
	    e->element[1]->type != STORE_ARRAY)
		return -1; /* a deleted entry: nothing to do */
	fv = e->element[1];
	memset(m, 0, sizeof(*m));
	m->entry_id = e->element[0]->str;
	m->from_sealed = store_fieldstr(fv, "from", NULL);
	m->from_hash = store_fieldstr(fv, "from_hash", NULL);
	m->sender = store_fieldstr(fv, "sender", NULL);
	m->text = store_fieldstr(fv, "text", NULL);
	m->received_ms = store_fieldstr(fv, "received_ms", NULL);
	if (m->from_sealed == NULL || m->from_hash == NULL ||
	    m->sender == NULL || m->text == NULL || m->received_ms == NULL) {
		log_warnx(
		    "inbox: entry %s: missing fields, dropped", m->entry_id);
		return -1;
	}
	/* Only a number is answered, so only a number is opened. */
	m->from = "";
	if (strcmp(m->sender, "phone") == 0) {
		if (crypto_open(gw_key(), m->from_sealed, &owned[1], &len,
			&cause) == -1 ||
		    strlen(owned[1]) != len) {
			log_warnx("inbox: entry %s: sender unreadable, dropped",
			    m->entry_id);
			free(cause);
			return -1;
		}
		m->from = owned[1];
	}
	m->text = owned[0] = crypto_open_str(gw_key(), m->text);
	return 0;
}

/* The decided entries of a batch, applied by one script. */
struct inbox_run {
	struct cases_pending **pend; /* owned */
	struct apply **ops;	     /* borrowed from pend */
	const char **ids;	     /* per op, its entry */
	size_t *msg;		     /* per op, its index in msgs */
	const char **extra;	     /* entries with nothing to apply */
	enum apply_result *res;
	char **causes;
	size_t n, nextra;
};

/* Room in RUN for N entries. */
static void
inbox_run_init(struct inbox_run *run, size_t n)
{
	memset(run, 0, sizeof(*run));
	run->pend = xcalloc(n + 1, sizeof(*run->pend));
	run->ops = xcalloc(n + 1, sizeof(*run->ops));
	run->ids = xcalloc(n + 1, sizeof(*run->ids));
	run->msg = xcalloc(n + 1, sizeof(*run->msg));
	run->extra = xcalloc(n + 1, sizeof(*run->extra));
	run->res = xcalloc(n + 1, sizeof(*run->res));
	run->causes = xcalloc(n + 1, sizeof(*run->causes));
}

static void
inbox_run_free(struct inbox_run *run)
{
	free(run->pend);
	free(run->ops);
	free(run->ids);
	free(run->msg);
	free(run->extra);
	free(run->res);
	free(run->causes);
}

/*
 * Decide message I of MSGS into RUN, with its sender's record NUM (taken;
 * NULL: read it now). 0, or -1 when it must stay pending.
 */
static int
inbox_prepare(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const struct cases_msg *msgs, size_t i,
    struct store_reply *num, struct inbox_run *run)
{
	struct cases_pending *p;
	char *cause = NULL;

	switch (
	    cases_prepare(st, cfg, lex, gw_key(), &msgs[i], num, &p, &cause)) {
	case 1:
		run->pend[run->n] = p;
		run->ops[run->n] = cases_pending_apply(p);
		run->ids[run->n] = msgs[i].entry_id;
		run->msg[run->n++] = i;
		return 0;
	case 0:
		run->extra[run->nextra++] = msgs[i].entry_id;
		return 0;
	default:
		log_warnx("inbox: entry %s: %s", msgs[i].entry_id, cause);
		free(cause);
		return -1;
	}
}

/*
 * Apply what RUN holds with one script that also acknowledges the entries
 * applied (now or before) and those with nothing to apply. An operation
 * that conflicts (its sender's state changed since it was read, e.g. two
 * messages from one number in one batch) is decided again from what is
 * read then and applied the same way, with the others that conflicted:
 * one message of each sender a round, in the order they came, so that
 * each round moves every sender on. A message that still conflicts after
 * INBOX_TRIES rounds of its own stays pending. MSGS has N messages. Frees
 * what RUN holds. Returns 0, or -1 when some entry must stay pending.
 */
static int
inbox_apply(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const struct cases_msg *msgs, size_t n,
    struct inbox_run *run)
{
	struct inbox_run next;
	size_t *todo, ntodo = 0, j, k, keep;
	char *cause = NULL;
	int *tries, rc = 0;

	todo = xcalloc(n + 1, sizeof(*todo));
	tries = xcalloc(n + 1, sizeof(*tries));
	while (run->n > 0 || run->nextra > 0) {
		struct apply_ack ack = { KEY_INBOX, INBOX_GROUP, run->ids,
			run->extra, run->nextra };

		if (apply_run_batch(st, run->ops, run->n, cfg_message_ttl(cfg),
			&ack, run->res, run->causes, &cause) == -1) {
			log_warnx("inbox: %s", cause);
			free(cause);
			for (j = 0; j < run->n; j++)
				cases_pending_done(run->pend[j], APPLY_ERROR);
			rc = -1;
			break;
		}
		for (j = 0; j < run->n; j++) {
			cases_pending_done(run->pend[j], run->res[j]);
			if (run->res[j] == APPLY_CONFLICT &&
			    ++tries[run->msg[j]] < INBOX_TRIES) {
				metrics_add(
				    "hbmgw_inbox_conflicts_total", "", 1);
				todo[ntodo++] = run->msg[j];
			} else if (run->res[j] == APPLY_CONFLICT) {
				log_warnx("inbox: entry %s: still conflicting "
					  "after %d tries",
				    run->ids[j], INBOX_TRIES);
				rc = -1;
			} else if (run->res[j] == APPLY_ERROR) {
				log_warnx("inbox: entry %s: %s", run->ids[j],
				    run->causes[j]);
				rc = -1;
			}
			free(run->causes[j]);
		}
		inbox_run_free(run);
		/* the oldest of each sender's messages still to do, in order */
		for (j = 1; j < ntodo; j++)
			for (k = j; k > 0 && todo[k - 1] > todo[k]; k--) {
				keep = todo[k];
				todo[k] = todo[k - 1];
				todo[k - 1] = keep;
			}
		inbox_run_init(&next, ntodo);
		for (j = 0, keep = 0; j < ntodo; j++) {
			for (k = 0; k < next.n; k++)
				if (strcmp(msgs[todo[j]].from_hash,
					msgs[next.msg[k]].from_hash) == 0)
					break;
			if (k < next.n) {
				todo[keep++] = todo[j]; /* its turn comes */
				continue;
			}
			if (inbox_prepare(
				st, cfg, lex, msgs, todo[j], NULL, &next) == -1)
				rc = -1;
		}
		ntodo = keep;
		*run = next;
	}
	inbox_run_free(run);
	free(todo);
	free(tries);
	return rc;
}

/*
 * The records of the senders of the N messages MSGS (those from phones),
 * read with one script: NUM[i] is message i's, or NULL (not a phone, or
 * the script failed: each is then read when its message is decided).
 */
static void
inbox_records(struct store *st, const struct cases_msg *msgs, size_t n,
    struct store_reply **num)
{
	struct store_reply *r;
	char(*keys)[KEY_MAX], *cause = NULL;
	const char **argv;
	size_t i, k = 0, *which;

	keys = xcalloc(n + 1, sizeof(*keys));
	argv = xcalloc(n + 1, sizeof(*argv));
	which = xcalloc(n + 1, sizeof(*which));
	for (i = 0; i < n; i++) {
		num[i] = NULL;
		if (msgs[i].sender == NULL ||
		    strcmp(msgs[i].sender, "phone") != 0)
			continue;
		key_num(keys[k], msgs[i].from_hash);
		argv[k] = keys[k];
		which[k++] = i;
	}
	if (k > 0) {
		r = store_eval(st, &inbox_records_script, (int)k, (int)k, argv,
		    NULL, &cause);
		if (r == NULL) {
			log_debug("inbox: records: %s", cause);
			free(cause);
		} else if (r->type == STORE_ARRAY && r->elements == k) {
			for (i = 0; i < k; i++) {
				num[which[i]] = r->element[i];
				r->element[i] = NULL;
			}
		}
		store_reply_free(r);
	}
	free(keys);
	free(argv);
	free(which);
}

/*
 * Decide every entry of a batch, then apply them together and
 * acknowledge them. Returns how many entries there were, or -1 when some
 * must stay pending (Redis trouble): they are read again later.
 */
static int
inbox_batch(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const struct store_reply *entries)
{
	size_t i, n = entries->elements;
	struct inbox_run run;
	struct store_reply **num;
	struct cases_msg *msgs;
	char **texts; /* per message, its text and number opened */
	char *valid;
	int rc = 0;

	msgs = xcalloc(n + 1, sizeof(*msgs));
	texts = xcalloc(2 * n + 1, sizeof(*texts));
	inbox_run_init(&run, n);
	valid = xcalloc(n + 1, sizeof(*valid));
	num = xcalloc(n + 1, sizeof(*num));
	for (i = 0; i < n; i++) {
		const struct store_reply *e = entries->element[i];

		if (inbox_msg(e, &msgs[i], &texts[2 * i]) == 0)
			valid[i] = 1;
		else if (e->type == STORE_ARRAY && e->elements > 0)
			run.extra[run.nextra++] = e->element[0]->str;
	}
	inbox_records(st, msgs, n, num);
	if (n > 0)
		metrics_add("hbmgw_inbox_batches_total", "", 1);
	for (i = 0; i < n && rc == 0; i++) {
		if (!valid[i])
			continue;
		metrics_add("hbmgw_inbox_processed_total", "", 1);
		/* On failure this one and the rest stay pending. */
		rc = inbox_prepare(st, cfg, lex, msgs, i, num[i], &run);
		num[i] = NULL; /* taken */
	}
	for (i = 0; i < n; i++)
		store_reply_free(num[i]);
	if (inbox_apply(st, cfg, lex, msgs, n, &run) == -1)
		rc = -1;
	for (i = 0; i < 2 * n; i++)
		free(texts[i]);
	free(texts);
	free(msgs);
	free(valid);
	free(num);
	return rc == -1 ? -1 : (int)n;
}

static void
inbox_create_group(struct store *st)
{
	struct store_reply *r;
	char *cause = NULL;

	/* From "0": entries added before the group existed are read too. */
	r = store_commandl(st, &cause, "XGROUP", "CREATE", KEY_INBOX,
	    INBOX_GROUP, "0", "MKSTREAM", NULL);
	if (r == NULL)
		free(cause);
	store_reply_free(r);
}

/*
 * Read a batch: own pending entries when START is "0", else new ones. The
 * read blocks for half the store's command timeout, at most
 * INBOX_BLOCK_MS: a read that ran into the timeout would fail and make
 * the connection again (timeout_ms 500 did, twice a second a thread).
 */
static struct store_reply *
inbox_read(
    struct store *st, const char *consumer, const char *start, char **cause)
{
	char block[16];
	int ms = store_timeout_ms(st) / 2;

	snprintf(block, sizeof(block), "%d",
	    ms < INBOX_BLOCK_MS ? ms : INBOX_BLOCK_MS);
	return store_commandl(st, cause, "XREADGROUP", "GROUP", INBOX_GROUP,
	    consumer, "COUNT", INBOX_BATCH, "BLOCK", block, "STREAMS",
	    KEY_INBOX, start, NULL);
}

/* Publish the inbox's length and pending count as gauges. */
static void
inbox_gauges(struct store *st)
{
	struct store_reply *r;
	char *cause = NULL;

	if ((r = store_commandl(st, &cause, "XLEN", KEY_INBOX, NULL)) == NULL) {
		free(cause);
		return;
	}
	if (r->type == STORE_INTEGER)
		metrics_set("hbmgw_inbox_depth", "", (double)r->integer);
	store_reply_free(r);
	r = store_commandl(
	    st, &cause, "XPENDING", KEY_INBOX, INBOX_GROUP, NULL);
	if (r == NULL) {
		free(cause);
		return;
	}
	if (r->type == STORE_ARRAY && r->elements > 0 &&
	    r->element[0]->type == STORE_INTEGER)
		metrics_set(
		    "hbmgw_inbox_pending", "", (double)r->element[0]->integer);
	store_reply_free(r);
}

/* Claim and handle entries other consumers held for too long. */
static void
inbox_claim(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const char *consumer)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(st, &cause, "XAUTOCLAIM", KEY_INBOX, INBOX_GROUP,
	    consumer, INBOX_CLAIM_IDLE_MS, "0-0", "COUNT", INBOX_BATCH, NULL);
	if (r == NULL) {
		free(cause);
		return;
	}
	if (r->type == STORE_ARRAY && r->elements >= 2 &&
	    r->element[1]->type == STORE_ARRAY && r->element[1]->elements > 0) {
		log_info("inbox: claimed %zu stalled entries",
		    r->element[1]->elements);
		inbox_batch(st, cfg, lex, r->element[1]);
	}
	store_reply_free(r);
}

/*
 * Take over and handle the pending entries of dead instances; -1 when a
 * batch of them must be read again as our own pending entries.
 */
static int
inbox_takeover(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const char *consumer)
{
	struct store_reply *entries;
	char *cause = NULL;
	int n, rc = 0;

	do {
		n = takeover_claim(st, KEY_INBOX, INBOX_GROUP, lease_instance(),
		    consumer, INBOX_BATCH_N, &entries, &cause);
		if (n == -1) {
			log_debug("inbox: takeover: %s", cause);
			free(cause);
			return 0;
		}
		if (n > 0 && inbox_batch(st, cfg, lex, entries) == -1)
			rc = -1;
		store_reply_free(entries);
	} while (n > 0 && rc == 0);
	return rc;
}

static void *
inbox_thread(void *arg)
{
	struct inbox_worker *w = arg;
	const struct cfg *cfg = NULL, *cur;
	struct sms_lexicon *lex = NULL;
	struct store *st = gw_store();
	struct store_reply *r;
	char consumer[160], *cause = NULL;
	const char *start = "0";
	long long last_claim = 0, last_takeover = 0;
	int n, pause_ms = 0, linger = 0;

	while (!atomic_load(&inbox_stopping)) {
		if (pause_ms > 0)
			usleep((useconds_t)pause_ms * 1000);
		else if (linger)
			usleep(INBOX_LINGER_MS * 1000);
		linger = 0;
		cur = gw_cfg_get();
		if (cur != cfg) {
			sms_lexicon_free(lex);
			lex = sms_lexicon_new(cur);
			if (cfg != NULL)
				gw_cfg_put(cfg);
			cfg = cur;
			/* The name the lease was taken for, not a reload's. */
			snprintf(consumer, sizeof(consumer), "%s/%d",
			    lease_instance(), w->n);
			inbox_create_group(st);
		} else
			gw_cfg_put(cur);
		if (!lease_held() || !schema_gate_open(st)) {
			pause_ms = INBOX_GATE_MS;
			start = "0";
			continue;
		}
		if ((r = inbox_read(st, consumer, start, &cause)) == NULL) {
			log_debug("inbox: read: %s", cause);
			free(cause);
			cause = NULL;
			pause_ms = pause_ms == 0 ? 100 : pause_ms * 2;
			if (pause_ms > 2000)
				pause_ms = 2000;
			start = "0";
			continue;
		}
		pause_ms = 0;
		if (r->type == STORE_ERROR) {
			/* NOGROUP after a FLUSHALL or a lost stream. */
			log_warnx("inbox: read: %s", r->str);
			inbox_create_group(st);
			pause_ms = 500;
		} else if (r->type == STORE_ARRAY && r->elements == 1) {
			n = inbox_batch(
			    st, cfg, lex, r->element[0]->element[1]);
			if (n == -1) {
				start = "0";
				pause_ms = 500;
			} else if (n == 0 && strcmp(start, "0") == 0)
				start = ">";
			else if (n > 0 && n < INBOX_LINGER_BELOW &&
			    strcmp(start, ">") == 0)
				linger = 1;
		} else if (strcmp(start, "0") == 0)
			start = ">";
		store_reply_free(r);
		if (clock_mono_ms() - last_takeover >= TAKEOVER_EVERY_MS) {
			if (inbox_takeover(st, cfg, lex, consumer) == -1)
				start = "0";
			last_takeover = clock_mono_ms();
		}
		if (clock_mono_ms() - last_claim > INBOX_CLAIM_EVERY_MS) {
			inbox_claim(st, cfg, lex, consumer);
			if (w->n == 0)
				inbox_gauges(st);
			last_claim = clock_mono_ms();
		}
	}
	sms_lexicon_free(lex);
	if (cfg != NULL)
		gw_cfg_put(cfg);
	return NULL;
}

int
inbox_start(char **cause)
{
	int i;

	atomic_store(&inbox_stopping, 0);
	for (i = 0; i < INBOX_THREADS; i++) {
		inbox_workers[i].n = i;
		if (pthread_create(&inbox_workers[i].thread, NULL, inbox_thread,
			&inbox_workers[i]) != 0) {
			xasprintf(cause, "inbox: cannot start a thread");
			atomic_store(&inbox_stopping, 1);
			while (--i >= 0)
				pthread_join(inbox_workers[i].thread, NULL);
			return -1;
		}
	}
	inbox_running = 1;
	return 0;
}

void
inbox_stop(void)
{
	int i;

	if (!inbox_running)
		return;
	atomic_store(&inbox_stopping, 1);
	for (i = 0; i < INBOX_THREADS; i++)
		pthread_join(inbox_workers[i].thread, NULL);
	inbox_running = 0;
}
