/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics: counters and gauges by name and label set, rendered as
 * text for GET /metrics. Every metric name is declared in metrics.c with its
 * type and help text.
 */
#ifndef HBM_GATEWAY_METRICS_H
#define HBM_GATEWAY_METRICS_H

#include <stdio.h>

/* Add N to counter NAME{LABELS}; LABELS is "" or `a="x",b="y"`. */
void metrics_add(const char *name, const char *labels, double n);
/* Set gauge NAME{LABELS} to V. */
void metrics_set(const char *name, const char *labels, double v);
/* The current value of NAME{LABELS}, or 0. */
double metrics_get(const char *name, const char *labels);

/* Observe V in histogram NAME (buckets fixed in metrics.c). */
void metrics_observe(const char *name, double v);
/* Histogram NAME's series at 0, so that it is served before any value. */
void metrics_histogram_init(const char *name);

/* Count one HTTP request by route pattern, method and status. */
void metrics_http(const char *route, const char *method, int status);

/* Write every metric in Prometheus text format to F. */
void metrics_render(FILE *f);

/* Forget every value (tests). */
void metrics_reset(void);

#endif
