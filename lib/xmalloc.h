/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that cannot fail: running out of memory is fatal. */
#ifndef HBM_GATEWAY_XMALLOC_H
#define HBM_GATEWAY_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));

#endif
