/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/sink: a stand-in SMS aggregator for the benchmarks, fast enough not
 * to be what is measured. It answers 200 to every HTTP/1.1 request on
 * 127.0.0.1 (keep-alive, pipelining) and counts them; GET /count answers
 * the count so far and is not counted. One thread, one epoll loop.
 *
 *   sink [-f PORTFILE] [-p PORT] [-t SECONDS]
 *
 * Port 0 (the default) picks a free port, written to PORTFILE. The sink
 * exits on SIGTERM or SIGINT, or after SECONDS (default 900) whatever
 * happens, so a benchmark that dies cannot leave it behind for long.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define SINK_CONNS 4096	   /* highest file descriptor served */
#define SINK_IN 65536	   /* bytes of one request, headers and body */
#define SINK_OUT 16384	   /* bytes of answers waiting to be written */
#define SINK_EVENTS 256	   /* epoll events per wait */
#define SINK_HEAD_MAX 8192 /* bytes of a request's headers */

/* One client connection; lives from accept to close. */
struct sink_conn {
	char in[SINK_IN];   /* bytes read, not yet answered */
	size_t inlen;	    /* bytes in in */
	char out[SINK_OUT]; /* answers not yet written */
	size_t outlen;	    /* bytes in out */
	int continued;	    /* boolean: 100 Continue sent for this request */
	int want_out;	    /* boolean: EPOLLOUT is on */
};

static struct sink_conn *sink_conns[SINK_CONNS];
static unsigned long long sink_count; /* requests answered, not /count */
static volatile sig_atomic_t sink_stop;

static void
sink_stop_cb(int sig)
{
	(void)sig;
	sink_stop = 1;
}

static void
sink_close(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(sink_conns[fd]);
	sink_conns[fd] = NULL;
}

/* The value of header NAME in the headers HEAD (LEN bytes), or -1. */
static long long
sink_header_number(const char *head, size_t len, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i + n + 1 < len; i++) {
		if (head[i] != '\n' || strncasecmp(head + i + 1, name, n) != 0)
			continue;
		return strtoll(head + i + 1 + n, NULL, 10);
	}
	return -1;
}

/* Whether the headers HEAD (LEN bytes) ask for 100 Continue. */
static int
sink_expects(const char *head, size_t len)
{
	static const char want[] = "\nexpect: 100-continue";
	size_t n = sizeof(want) - 1, i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(head + i, want, n) == 0)
			return 1;
	return 0;
}

/* Queue TEXT (LEN bytes) for the client; -1 when the buffer is full. */
static int
sink_put(struct sink_conn *c, const char *text, size_t len)
{
	if (c->outlen + len > sizeof(c->out))
		return -1;
	memcpy(c->out + c->outlen, text, len);
	c->outlen += len;
	return 0;
}

/* Answer every complete request in C's buffer; -1 to close. */
static int
sink_parse(struct sink_conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: "
				 "text/plain\r\nContent-Length: 3\r\n\r\nOK\n";
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	char *end, body[32], head[128];
	size_t hlen, total, off = 0;
	long long clen;
	int n;

	for (;;) {
		end = memmem(c->in + off, c->inlen - off, "\r\n\r\n", 4);
		if (end == NULL) {
			if (c->inlen - off > SINK_HEAD_MAX)
				return -1;
			break;
		}
		hlen = (size_t)(end - (c->in + off)) + 4;
		clen = sink_header_number(c->in + off, hlen, "content-length:");
		if (clen < 0)
			clen = 0;
		if (hlen + (size_t)clen > sizeof(c->in))
			return -1;
		total = hlen + (size_t)clen;
		if (c->inlen - off < total) {
			if (!c->continued && sink_expects(c->in + off, hlen)) {
				c->continued = 1;
				if (sink_put(c, cont, sizeof(cont) - 1) == -1)
					return -1;
			}
			break;
		}
		c->continued = 0;
		if (strncmp(c->in + off, "GET /count", 10) == 0) {
			snprintf(body, sizeof(body), "%llu\n", sink_count);
			n = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    strlen(body));
			if (sink_put(c, head, (size_t)n) == -1 ||
			    sink_put(c, body, strlen(body)) == -1)
				return -1;
		} else {
			if (sink_put(c, ok, sizeof(ok) - 1) == -1)
				return -1;
			sink_count++;
		}
		off += total;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return 0;
}

/* Write what is queued; -1 to close. While blocked, waits for EPOLLOUT only. */
static int
sink_flush(int ep, int fd, struct sink_conn *c)
{
	struct epoll_event ev = { 0 };
	ssize_t n;

	while (c->outlen > 0) {
		n = write(fd, c->out, c->outlen);
		if (n > 0) {
			memmove(c->out, c->out + n, c->outlen - (size_t)n);
			c->outlen -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return -1;
	}
	if ((c->outlen > 0) != c->want_out) {
		c->want_out = c->outlen > 0;
		ev.events = c->want_out ? EPOLLOUT : EPOLLIN;
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
	}
	return 0;
}

/* Read what the client sent and answer it; -1 to close. */
static int
sink_read(int ep, int fd, struct sink_conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->outlen > sizeof(c->out) / 2)
			break; /* the client is not reading: wait for it */
		n = read(fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n == 0)
			return -1;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1)
			return -1;
		c->inlen += (size_t)n;
		if (sink_parse(c) == -1)
			return -1;
	}
	return sink_flush(ep, fd, c);
}

static void
sink_accept(int ep, int lfd)
{
	struct epoll_event ev = { 0 };
	int fd, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) != -1) {
		if (fd >= SINK_CONNS) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((sink_conns[fd] = calloc(1, sizeof(struct sink_conn))) ==
		    NULL) {
			close(fd);
			continue;
		}
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			sink_close(ep, fd);
	}
}

/* A listening socket on 127.0.0.1:PORT; writes the port to PORTFILE. */
static int
sink_listen(int port, const char *portfile)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd, one = 1;
	FILE *fp;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		close(fd);
		return -1;
	}
	if (portfile != NULL) {
		if ((fp = fopen(portfile, "w")) == NULL) {
			close(fd);
			return -1;
		}
		fprintf(fp, "%d\n", ntohs(sa.sin_port));
		fclose(fp);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct epoll_event ev = { 0 }, evs[SINK_EVENTS];
	const char *portfile = NULL;
	int ch, port = 0, seconds = 900, lfd, ep, n, i, fd;

	while ((ch = getopt(argc, argv, "f:p:t:")) != -1) {
		switch (ch) {
		case 'f':
			portfile = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr,
			    "usage: sink [-f PORTFILE] [-p PORT] [-t SECONDS]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, sink_stop_cb);
	signal(SIGINT, sink_stop_cb);
	signal(SIGALRM, sink_stop_cb);
	alarm(seconds > 0 ? (unsigned)seconds : 900);
	if ((lfd = sink_listen(port, portfile)) == -1) {
		perror("sink: listen");
		return 1;
	}
	if ((ep = epoll_create1(0)) == -1) {
		perror("sink: epoll_create1");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!sink_stop) {
		if ((n = epoll_wait(ep, evs, SINK_EVENTS, 1000)) == -1) {
			if (errno == EINTR)
				continue;
			perror("sink: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				sink_accept(ep, lfd);
				continue;
			}
			if (sink_conns[fd] == NULL)
				continue;
			if ((evs[i].events & EPOLLOUT) &&
			    sink_flush(ep, fd, sink_conns[fd]) == -1) {
				sink_close(ep, fd);
				continue;
			}
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    sink_read(ep, fd, sink_conns[fd]) == -1)
				sink_close(ep, fd);
		}
	}
	fprintf(stderr, "sink: %llu requests\n", sink_count);
	return 0;
}
