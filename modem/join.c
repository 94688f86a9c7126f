/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joining multipart SMS read from a SIM. Every poll reads all parts still
 * on the SIM, so the only state kept between polls is when each incomplete
 * message was first seen (struct join_book); parts leave the SIM only once
 * their whole message is in the inbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "modem/join.h"

#define JOIN_MAX_PARTS 255 /* a concatenation header counts in one byte */

struct join_entry {
	char *key;	    /* sender, reference and total */
	long long first_ms; /* first seen, monotonic ms */
	int seen;	    /* boolean: in this run's parts */
};

struct join_book {
	struct join_entry *v;
	size_t n;
};

struct join_book *
join_book_new(void)
{
	return xcalloc(1, sizeof(struct join_book));
}

void
join_book_free(struct join_book *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		free(b->v[i].key);
	free(b->v);
	free(b);
}

/* 1 when part P belongs to a multipart message. */
static int
join_multi(const struct join_part *p)
{
	return p->ref >= 0 && p->total > 1 && p->total <= JOIN_MAX_PARTS &&
	    p->seq >= 1 && p->seq <= p->total;
}

/* The book's entry for KEY, added (first seen at NOW_MS) when missing. */
static struct join_entry *
join_entry(struct join_book *b, const char *key, long long now_ms)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->v[i].key, key) == 0)
			return &b->v[i];
	b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
	b->v[b->n].key = xstrdup(key);
	b->v[b->n].first_ms = now_ms;
	b->v[b->n].seen = 0;
	return &b->v[b->n++];
}

/* Drop the book's entries not seen in this run. */
static void
join_forget(struct join_book *b)
{
	size_t i = 0;

	while (i < b->n) {
		if (!b->v[i].seen) {
			free(b->v[i].key);
			b->v[i] = b->v[--b->n];
		} else
			i++;
	}
}

/* The message made of the parts in IDX (N of them, one group). */
static void
join_make(const struct join_part *parts, const size_t *idx, size_t n,
    struct join_msg *m)
{
	const struct join_part *first = &parts[idx[0]];
	size_t i, len = 0;
	int seq, have = 0, total = join_multi(first) ? first->total : 1;

	memset(m, 0, sizeof(*m));
	m->parts = xcalloc(n, sizeof(*m->parts));
	for (i = 0; i < n; i++)
		len += strlen(parts[idx[i]].text);
	m->text = xcalloc(1, len + 1);
	for (seq = 1; seq <= total; seq++) {
		for (i = 0; i < n; i++) {
			const struct join_part *p = &parts[idx[i]];

			if (total > 1 && p->seq != seq)
				continue;
			if (m->smsc_time == NULL)
				m->smsc_time = p->smsc_time;
			strcat(m->text, p->text);
			have++;
			break;
		}
	}
	for (i = 0; i < n; i++)
		m->parts[m->nparts++] = idx[i];
	m->from = first->from;
	m->ref = total > 1 ? first->ref : -1;
	m->total = total;
	m->have = have;
}

/* Release what M holds. */
static void
join_msg_clear(struct join_msg *m)
{
	free(m->text);
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

/* The group key of multipart part P into KEY. */
static void
join_key(const struct join_part *p, char *key, size_t size)
{
	snprintf(key, size, "%s\n%d\n%d", p->from, p->ref, p->total);
}

void
join_run(struct join_book *b, const struct join_part *parts, size_t n,
    long long now_ms, long long wait_ms, struct join_msg **out, size_t *nout)
{
	char key[160], other[160];
	struct join_entry *e;
	size_t i, j, k, *idx;
	int *done;

	*out = NULL;
	*nout = 0;
	if (n == 0) {
		join_forget(b);
		return;
	}
	idx = xcalloc(n, sizeof(*idx));
	done = xcalloc(n, sizeof(*done));
	for (i = 0; i < b->n; i++)
		b->v[i].seen = 0;
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		k = 0;
		idx[k++] = i;
		done[i] = 1;
		if (join_multi(&parts[i])) {
			join_key(&parts[i], key, sizeof(key));
			for (j = i + 1; j < n; j++) {
				if (done[j] || !join_multi(&parts[j]))
					continue;
				join_key(&parts[j], other, sizeof(other));
				if (strcmp(key, other) == 0) {
					idx[k++] = j;
					done[j] = 1;
				}
			}
		}
		*out = xreallocarray(*out, *nout + 1, sizeof(**out));
		join_make(parts, idx, k, &(*out)[*nout]);
		if ((*out)[*nout].have < (*out)[*nout].total) {
			e = join_entry(b, key, now_ms);
			e->seen = 1;
			if (now_ms - e->first_ms < wait_ms) {
				join_msg_clear(&(*out)[*nout]);
				continue;
			}
			e->seen = 0; /* ready: forgotten below */
		}
		(*nout)++;
	}
	join_forget(b);
	if (*nout == 0) {
		free(*out);
		*out = NULL;
	}
	free(idx);
	free(done);
}

void
join_msgs_free(struct join_msg *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		join_msg_clear(&v[i]);
	free(v);
}

void
join_id(
    const char *modem, const struct join_msg *m, char out[CRYPTO_SHA256_HEX])
{
	char *buf;
	int len;

	len = xasprintf(&buf, "%s\n%s\n%s\n%d\n%s", modem, m->from,
	    m->smsc_time != NULL ? m->smsc_time : "", m->ref, m->text);
	crypto_sha256_hex(buf, (size_t)len, out);
	free(buf);
}
