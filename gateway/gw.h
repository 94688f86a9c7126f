/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running daemon's shared state: the current configuration (swapped on
 * reload, kept alive while any thread still uses an older one), each
 * thread's own Redis connection, and the start time.
 */
#ifndef HBM_GATEWAY_GW_H
#define HBM_GATEWAY_GW_H

#include <time.h>

struct cfg;
struct crypto_key;
struct store;

/*
 * Take ownership of the first configuration and load its privacy key;
 * -1 with *cause when the key cannot be loaded.
 */
int gw_init(struct cfg *, char **cause);
/*
 * What gw_init() checks of the privacy key, without keeping it: set,
 * readable, 32 bytes or 64 hex digits, owned by us and private (mode 0600
 * or 0400). -1 with a one-line *cause naming the file.
 */
int gw_key_check(const struct cfg *, char **cause);
/* Release everything; threads other than the caller must have ended. */
void gw_shutdown(void);

/* The current configuration, held until gw_cfg_put(). */
const struct cfg *gw_cfg_get(void);
void gw_cfg_put(const struct cfg *);
/* Make NEW current (takes ownership); the old one goes when unused. */
void gw_cfg_swap(struct cfg *new_cfg);

/* This thread's Redis connection, opened on first use. */
struct store *gw_store(void);
/* A connection to CFG's Redis for a thread that owns it (store_free()). */
struct store *gw_store_open(const struct cfg *);

/* The privacy key numbers are hashed and sealed with (fixed at start). */
const struct crypto_key *gw_key(void);

/* When the daemon started (seconds since the epoch). */
time_t gw_started(void);

#endif
