/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The senders of http channels: threads that take batches from each
 * channel's outbox stream (gateway/outbox_queue.h) and send each batch over
 * parallel requests (gateway/channel_http.h).
 */
#ifndef HBM_GATEWAY_SENDER_HTTP_H
#define HBM_GATEWAY_SENDER_HTTP_H

/*
 * Start a sender for every http channel of the current configuration
 * (channel settings change on restart only). -1 with *cause when a thread
 * could not be started; none is left running then.
 */
int sender_http_start(char **cause);

/*
 * Ask the senders to stop after the batch in hand and wait for them;
 * returns within about 5 s, abandoning requests that take longer (those
 * messages stay queued and are sent again later).
 */
void sender_http_stop(void);

#endif
