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

/* Mask every "+digits" run of 8 or more digits in S, in place. */
void log_mask_numbers(char *s);

#endif
