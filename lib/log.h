/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr with syslog priority prefixes ("<4>"), which journald
 * reads as the level. Every line passes through a filter that masks E.164
 * numbers, so a number logged by mistake still leaks no more than its ends.
 */
#ifndef HBM_GATEWAY_LOG_H
#define HBM_GATEWAY_LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Set the program name and whether debug lines are written. */
void log_init(const char *prog, int debug);

void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A warning with ": strerror(errno)" appended. */
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* An error the daemon survives. */
void log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit 1: only at startup or for a broken invariant. */
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * A warning that repeats under an outage (a failed send, a refused
 * request) is written once per LOG_LIMIT_MS for each limiter; the next
 * line written says how many were held back in between. A limiter is
 * usually a static at the call site, set to LOG_LIMIT_INIT.
 */
#define LOG_LIMIT_MS 10000
struct log_limit {
	long long next_ms; /* monotonic ms the next line may be written */
	unsigned held;	   /* lines held back since the last one */
};
#define LOG_LIMIT_INIT \
	{              \
		0, 0   \
	}

void log_warnx_limit(struct log_limit *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void log_errx_limit(struct log_limit *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Mask every phone number in S, in place: a run of 7 or more digits, with
 * an optional leading '+' and single spaces or dashes between its groups
 * ("+256772123456", "0772123456", "0772 123 456", "0772-123-456"), that is
 * not part of a word ("m1764979200000123", hex); one written with its '+'
 * is a number even with a letter right after it ("+256772123456pls"). Four digits are starred,
 * the fourth to the seventh from the end ("+25677****456", "077****456").
 * Left alone: case codes ("4821-3955": four digits, a dash, four digits,
 * no digit after), which a number never starts or swallows, and stream
 * entry ids (13 digits, a dash and a sequence number).
 */
void log_mask_numbers(char *s);

#endif
