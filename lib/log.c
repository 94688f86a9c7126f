/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log lines for journald: "<N>module: object: problem" on stderr, one write
 * per line so lines from several threads never interleave.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"

#define LOG_LINE_MAX 1024

/* syslog(3) priorities, without pulling in <syslog.h> names we do not use. */
enum {
	PRI_CRIT = 2,
	PRI_ERR = 3,
	PRI_WARNING = 4,
	PRI_INFO = 6,
	PRI_DEBUG = 7
};

static int log_debug_on;

void
log_init(const char *prog, int debug)
{
	(void)prog;
	log_debug_on = debug;
}

/* A character that makes a digit run part of a word. */
static int
log_word(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* 1 when P starts a case code, "NNNN-NNNN" with no digit after it. */
static int
log_case_code(const char *p)
{
	int i;

	for (i = 0; i < 9; i++)
		if (i == 4 ? p[i] != '-' : !isdigit((unsigned char)p[i]))
			return 0;
	return !isdigit((unsigned char)p[9]) &&
	    !(p[9] == '-' && isdigit((unsigned char)p[10]));
}

void
log_mask_numbers(char *s)
{
	char *p = s, *q, *r;
	size_t n, first, k;
	char sep;

	while (*p != '\0') {
		/* Digits inside a word are not a number; "+" and digits are,
		 * whatever comes before them. */
		if (!(isdigit((unsigned char)*p) ||
			(*p == '+' && isdigit((unsigned char)p[1]))) ||
		    (*p != '+' && p > s && log_word(p[-1]))) {
			p++;
			continue;
		}
		if (log_case_code(p)) {
			p += 9;
			continue;
		}
		q = p + (*p == '+');
		n = first = 0;
		sep = '\0';
		for (;;) {
			while (isdigit((unsigned char)*q)) {
				q++;
				n++;
			}
			/* A group that would make it longer than a number
			 * (15 digits) starts the next one. */
			if ((*q != ' ' && *q != '-') ||
			    !isdigit((unsigned char)q[1]) ||
			    log_case_code(q + 1) ||
			    n + strspn(q + 1, "0123456789") > 15)
				break;
			if (sep == '\0') {
				first = n;
				sep = *q;
			}
			q++;
		}
		/* "+" and digits is a number even with a letter after it;
		 * 13 digits, "-" and more is a stream id unless a "+" leads */
		if (n >= 7 && (*p == '+' || !log_word(*q)) &&
		    !(first == 13 && sep == '-' && *p != '+'))
			for (r = p, k = 0; r < q; r++)
				if (isdigit((unsigned char)*r) &&
				    k++ >= n - 7 && k <= n - 3)
					*r = '*';
		p = q;
	}
}

static void log_vwrite(int, const char *, va_list, const char *)
    __attribute__((format(printf, 2, 0)));

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char line[LOG_LINE_MAX];
	int len, n;

	len = snprintf(line, sizeof(line), "<%d>", pri);
	n = vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	if (n < 0)
		n = 0;
	len += n;
	if ((size_t)len >= sizeof(line) - 1)
		len = sizeof(line) - 2;
	if (suffix != NULL) {
		n = snprintf(
		    line + len, sizeof(line) - (size_t)len, ": %s", suffix);
		len += n;
		if ((size_t)len >= sizeof(line) - 1)
			len = sizeof(line) - 2;
	}
	line[len++] = '\n';
	line[len] = '\0';
	log_mask_numbers(line);
	if (write(STDERR_FILENO, line, (size_t)len) < 0) {
		/* Nowhere left to report it. */
	}
}

#define LOG_FUNC(name, pri)                     \
	void name(const char *fmt, ...)         \
	{                                       \
		va_list ap;                     \
                                                \
		va_start(ap, fmt);              \
		log_vwrite(pri, fmt, ap, NULL); \
		va_end(ap);                     \
	}

LOG_FUNC(log_info, PRI_INFO)
LOG_FUNC(log_warnx, PRI_WARNING)
LOG_FUNC(log_errx, PRI_ERR)

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_vwrite(PRI_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

static pthread_mutex_t log_limit_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * 1 when a line may be written through L now, with *HELD the lines held
 * back before it; else 0 (and it is counted as held back).
 */
static int
log_limit_pass(struct log_limit *l, unsigned *held)
{
	long long now = clock_mono_ms();
	int pass;

	pthread_mutex_lock(&log_limit_lock);
	pass = now >= l->next_ms;
	if (pass) {
		*held = l->held;
		l->held = 0;
		l->next_ms = now + LOG_LIMIT_MS;
	} else
		l->held++;
	pthread_mutex_unlock(&log_limit_lock);
	return pass;
}

#define LOG_LIMIT_FUNC(name, pri)                                          \
	void name(struct log_limit *l, const char *fmt, ...)               \
	{                                                                  \
		char more[64];                                             \
		unsigned held;                                             \
		va_list ap;                                                \
                                                                           \
		if (!log_limit_pass(l, &held))                             \
			return;                                            \
		snprintf(more, sizeof(more), "and %u more like it", held); \
		va_start(ap, fmt);                                         \
		log_vwrite(pri, fmt, ap, held > 0 ? more : NULL);          \
		va_end(ap);                                                \
	}

LOG_LIMIT_FUNC(log_warnx_limit, PRI_WARNING)
LOG_LIMIT_FUNC(log_errx_limit, PRI_ERR)

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(PRI_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(PRI_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(PRI_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
