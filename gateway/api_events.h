/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/events: Server-Sent Events telling the console that cases
 * changed, whichever instance changed them (gateway/api_events.c).
 */
#ifndef HBM_GATEWAY_API_EVENTS_H
#define HBM_GATEWAY_API_EVENTS_H

#define EVENTS_TICK_MS 1000	  /* Redis is asked this often */
#define EVENTS_HEARTBEAT_MS 15000 /* a comment at least this often */
#define EVENTS_LIFETIME_MS 600000 /* a stream ends after 10 min... */
#define EVENTS_RETRY_MS 3000	  /* ...and the client is back in 3 s */
#define EVENTS_RETRY_AFTER "30"	  /* seconds, with 503 at the limit */

/* Start the thread that watches Redis; -1 with *cause when it cannot. */
int events_start(char **cause);
/*
 * End every stream and refuse new ones, then stop the thread; call before
 * http_stop(), which cannot stop a server with a suspended stream.
 */
void events_stop(void);

#endif
