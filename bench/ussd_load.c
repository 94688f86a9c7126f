/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/ussd_load: USSD latency under concurrent sessions. SESSIONS
 * sessions at a time step through the officials' menu to a confirmed
 * referral over POST /v1/ussd/africastalking, each request sent when the
 * answer to the one before came back (as a phone does) and, with -w, after
 * a think time of THINK ms on average (uniform from half to one and a half
 * of it; sessions start spread over one think time); with -w 0 the load is
 * as fast as the gateway answers. A session that
 * ends is followed by a new one, until SECONDS have passed. Then it waits
 * (at most 30 s) for the sessions under way and prints the latency of every
 * request and of each step:
 *
 *   ussd-result sessions=N requests=N errors=N duration_s=S p50_ms=X ...
 *
 *   ussd_load -u URL -t TOKEN [-c SESSIONS] [-d SECONDS] [-o OFFICIALS]
 *       [-w THINK]
 *
 * Session k is the official +256700<k mod OFFICIALS, 6 digits>, PIN 1234;
 * the migrant's phone is 0772<6 digits>. An answer that is not the page
 * expected counts as an error and ends that session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define LOAD_STEPS 8	    /* requests of one session */
#define LOAD_ANSWER_MAX 512 /* bytes of an answer kept */
#define LOAD_TEXT_MAX 128   /* bytes of a session's text */
#define LOAD_GRACE_S 30	    /* seconds to finish sessions under way */

static const char *const load_step_names[LOAD_STEPS] = { "dial", "pin",
	"new-referral", "category", "phone", "persons", "consent", "confirm" };

/* One session under way; owns its easy handle for its whole life. */
struct load_session {
	CURL *h;
	int step;		      /* the request in flight, 0-7 */
	long long seq;		      /* which session this is */
	char text[LOAD_TEXT_MAX];     /* every input so far, "*"-joined */
	char answer[LOAD_ANSWER_MAX]; /* the answer read so far */
	size_t len;		      /* bytes in answer */
	double started;		      /* when the request was sent, s */
	double due;		      /* when to send the next one, or 0 */
};

/* Latencies in ms, grown as needed. */
struct load_lat {
	double *v;
	size_t n, cap;
};

static const char *load_url, *load_token;
static int load_officials = 200;
static double load_think; /* mean seconds between answer and next request */
static long long load_next_seq;
static char load_nonce[32];
static struct load_lat load_all, load_steps[LOAD_STEPS];
static long long load_errors, load_done;

static double
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
load_add(struct load_lat *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		if ((l->v = realloc(l->v, l->cap * sizeof(*l->v))) == NULL) {
			perror("ussd_load");
			exit(1);
		}
	}
	l->v[l->n++] = ms;
}

static int
load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The P-th percentile of L (sorted here), or 0. */
static double
load_pct(struct load_lat *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), load_cmp);
	i = (size_t)(p / 100 * (double)(l->n - 1) + 0.5);
	return l->v[i];
}

static size_t
load_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct load_session *s = arg;
	size_t len = size * n, room = sizeof(s->answer) - 1 - s->len;

	memcpy(s->answer + s->len, p, len < room ? len : room);
	s->len += len < room ? len : room;
	s->answer[s->len] = '\0';
	return len;
}

/* The input of step STEP of session SEQ; "" for the first request. */
static void
load_input(int step, long long seq, char *buf, size_t len)
{
	static const char *const inputs[LOAD_STEPS] = { "", "1234", "1", "1",
		NULL, "2", "1", "1" };

	if (step == 4)
		snprintf(buf, len, "0772%06lld", seq % 1000000);
	else
		snprintf(buf, len, "%s", inputs[step]);
}

/* Send the request of the session's current step. */
static void
load_send(CURLM *m, struct load_session *s)
{
	char in[32], body[512];
	size_t n = strlen(s->text);

	load_input(s->step, s->seq, in, sizeof(in));
	if (s->step == 0)
		s->text[0] = '\0';
	else if (s->step == 1)
		snprintf(s->text, sizeof(s->text), "%s", in);
	else
		snprintf(s->text + n, sizeof(s->text) - n, "*%s", in);
	snprintf(body, sizeof(body),
	    "sessionId=bench-%s-%lld&serviceCode=%%2A384%%2A1%%23"
	    "&phoneNumber=%%2B256700%06d&networkCode=63902&text=%s",
	    load_nonce, s->seq, (int)(s->seq % load_officials), s->text);
	curl_easy_setopt(s->h, CURLOPT_COPYPOSTFIELDS, body);
	s->len = 0;
	s->answer[0] = '\0';
	s->started = load_now();
	curl_multi_add_handle(m, s->h);
}

/* A think time: uniform in [0.5, 1.5] of the mean. */
static double
load_think_time(void)
{
	return load_think * (0.5 + (double)rand() / RAND_MAX);
}

/* The next request of S now, or after a think time. */
static void
load_next(CURLM *m, struct load_session *s)
{
	if (load_think > 0)
		s->due = load_now() + load_think_time();
	else
		load_send(m, s);
}

/* Start a new session in S. */
static void
load_start(CURLM *m, struct load_session *s)
{
	s->seq = load_next_seq++;
	s->step = 0;
	load_next(m, s);
}

/* The answer to S's request came; 1 when the session goes on. */
static int
load_answered(struct load_session *s, CURLcode rc)
{
	double ms = (load_now() - s->started) * 1000;
	long status = 0;
	int last = s->step == LOAD_STEPS - 1;

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200 ||
	    strncmp(s->answer, last ? "END Referral " : "CON ",
		last ? 13 : 4) != 0 ||
	    strstr(s->answer, "Invalid") != NULL) {
		if (load_errors++ < 5)
			fprintf(stderr, "ussd_load: step %s: %s %ld [%s]\n",
			    load_step_names[s->step],
			    rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP",
			    status, s->answer);
		return 0;
	}
	load_add(&load_all, ms);
	load_add(&load_steps[s->step], ms);
	if (last) {
		load_done++;
		return 0;
	}
	s->step++;
	return 1;
}

static void
load_usage(void)
{
	fprintf(stderr,
	    "usage: ussd_load -u URL -t TOKEN [-c SESSIONS] "
	    "[-d SECONDS] [-o OFFICIALS] [-w THINK]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct load_session *ss;
	struct curl_slist *hdr = NULL;
	int c, sessions = 200, seconds = 20, active = 0, i, left, still;
	double t0, end, hard;
	char url[512];
	CURLMsg *msg;
	CURLM *m;

	while ((c = getopt(argc, argv, "u:t:c:d:o:w:")) != -1) {
		switch (c) {
		case 'u':
			load_url = optarg;
			break;
		case 't':
			load_token = optarg;
			break;
		case 'c':
			sessions = atoi(optarg);
			break;
		case 'd':
			seconds = atoi(optarg);
			break;
		case 'o':
			load_officials = atoi(optarg);
			break;
		case 'w':
			load_think = atoi(optarg) / 1000.0;
			break;
		default:
			load_usage();
		}
	}
	if (load_url == NULL || load_token == NULL || sessions < 1 ||
	    sessions > 10000 || seconds < 1 || load_officials < 1 ||
	    load_think < 0)
		load_usage();
	snprintf(load_nonce, sizeof(load_nonce), "%ld-%d", (long)time(NULL),
	    (int)getpid());
	snprintf(url, sizeof(url), "%s/v1/ussd/africastalking?token=%s",
	    load_url, load_token);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)sessions + 16);
	hdr = curl_slist_append(hdr, "Expect:");
	ss = calloc((size_t)sessions, sizeof(*ss));
	if (ss == NULL)
		return 1;
	for (i = 0; i < sessions; i++) {
		ss[i].h = curl_easy_init();
		curl_easy_setopt(ss[i].h, CURLOPT_URL, url);
		curl_easy_setopt(ss[i].h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(ss[i].h, CURLOPT_WRITEFUNCTION, load_write_cb);
		curl_easy_setopt(ss[i].h, CURLOPT_WRITEDATA, &ss[i]);
		curl_easy_setopt(ss[i].h, CURLOPT_PRIVATE, &ss[i]);
		curl_easy_setopt(ss[i].h, CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(ss[i].h, CURLOPT_NOSIGNAL, 1L);
	}

	t0 = load_now();
	end = t0 + seconds;
	hard = end + LOAD_GRACE_S;
	for (i = 0; i < sessions; i++) {
		load_start(m, &ss[i]);
		if (load_think > 0)
			ss[i].due = t0 + load_think * rand() / RAND_MAX;
		active++;
	}
	while (active > 0 && load_now() < hard) {
		for (i = 0; i < sessions; i++)
			if (ss[i].due > 0 && ss[i].due <= load_now()) {
				ss[i].due = 0;
				load_send(m, &ss[i]);
			}
		curl_multi_perform(m, &still);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct load_session *s;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(
			    msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_multi_remove_handle(m, s->h);
			if (load_answered(s, msg->data.result))
				load_next(m, s);
			else if (load_now() < end)
				load_start(m, s);
			else
				active--;
		}
		curl_multi_poll(m, NULL, 0, load_think > 0 ? 2 : 50, NULL);
	}
	printf("ussd-result sessions=%lld requests=%zu errors=%lld "
	       "unfinished=%d duration_s=%.3f p50_ms=%.2f p90_ms=%.2f "
	       "p99_ms=%.2f max_ms=%.2f\n",
	    load_done, load_all.n, load_errors, active, load_now() - t0,
	    load_pct(&load_all, 50), load_pct(&load_all, 90),
	    load_pct(&load_all, 99), load_pct(&load_all, 100));
	for (i = 0; i < LOAD_STEPS; i++)
		printf("ussd-step %-12s n=%zu p50_ms=%.2f p99_ms=%.2f "
		       "max_ms=%.2f\n",
		    load_step_names[i], load_steps[i].n,
		    load_pct(&load_steps[i], 50), load_pct(&load_steps[i], 99),
		    load_pct(&load_steps[i], 100));
	for (i = 0; i < sessions; i++) {
		curl_multi_remove_handle(m, ss[i].h);
		curl_easy_cleanup(ss[i].h);
	}
	free(ss);
	curl_slist_free_all(hdr);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	return load_errors > 0 || active > 0;
}
