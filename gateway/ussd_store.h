/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USSD sessions and the PIN lockout in Redis. A session lives in one hash
 * that expires USSD_SESSION_TTL_MS after its last step; what in it may hold a
 * number (the migrant's, the inputs, the last answer) is sealed. PIN tries
 * are counted per number hash, atomically and before the PIN is hashed;
 * USSD_PIN_TRIES of them within the lock time lock the number for
 * USSD_LOCK_MINUTES from the last one, so at most USSD_PIN_TRIES PINs are
 * evaluated per number and window however many sessions run at once.
 */
#ifndef HBM_GATEWAY_USSD_STORE_H
#define HBM_GATEWAY_USSD_STORE_H

#include "lib/crypto.h"
#include "handlers/ussd.h"
#include "store/keys.h"

#define USSD_SESSION_TTL_MS 180000 /* a session's life after a step */
#define USSD_PATH_MAX 1024	   /* bytes of an Africa's Talking text */

struct store;

/* A session as stored between requests. */
struct ussd_sess {
	struct ussd_state st; /* the migrant's number opened */
	char *path;   /* owned: the Africa's Talking text handled last */
	char *answer; /* owned: the last answer, "CON ..." or "END ..." */
	int ended;    /* boolean: that answer ended the session */
};

/*
 * The key of session SESSION (as the aggregator names it) of the official
 * with number hash PHONE_HASH on ROUTE ("at", "generic"): the SHA-256 of
 * the three, so that no two routes or numbers share a session.
 */
void ussd_store_key(const char *route, const char *session,
    const char *phone_hash, char out[KEY_MAX]);

/*
 * Read session KEY into S: 1, 0 when there is none (or it cannot be read
 * back: expired as far as the caller is concerned), -1 with *cause.
 */
int ussd_store_load(struct store *, const struct crypto_key *, const char *key,
    struct ussd_sess *s, char **cause);
/* Write S under KEY and restart its time to live; 0, or -1 with *cause. */
int ussd_store_save(struct store *, const struct crypto_key *, const char *key,
    const struct ussd_sess *s, char **cause);
/* Release what S owns and wipe it. */
void ussd_sess_clear(struct ussd_sess *s);

/* 1 when the number with hash PHONE_HASH is locked, 0, or -1 with *cause. */
int ussd_pin_locked(struct store *, const char *phone_hash, char **cause);
/*
 * Count a try for the number PHONE_HASH, then check PIN against the
 * crypt(3) hash PIN_HASH: USSD_OK (the count is reset), USSD_WRONG with
 * *tries_left, USSD_LOCKED (now, or already: the PIN is then not hashed),
 * or USSD_ERROR with *cause. KNOWN 0 is a number that is no official's:
 * its PIN is hashed against PIN_HASH (a stand-in, for the same time) and
 * always wrong. Counts hbmgw_ussd_pin_checks_total{result}.
 */
enum ussd_status ussd_pin_try(struct store *, const char *phone_hash,
    const char *pin_hash, const char *pin, int known, int *tries_left,
    char **cause);

#endif
