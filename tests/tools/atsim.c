/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atsim: a simulated GSM modem on a pseudo-terminal, for tests and the
 * benchmark. It answers libgammu's AT driver (connection = "at") the way a
 * USB modem with a SIM does, records every SMS it is asked to send, and
 * takes commands on a unix socket to receive SMS, fail and disappear.
 *
 *   atsim --link PATH --control SOCK [--log FILE] [options]
 *   atsim --send SOCK 'COMMAND'     one control command: prints the reply,
 *                                   exits 0 on "ok ...", 1 on "error ..."
 *
 * Options:
 *   --link PATH       symlink to the pty slave (gammu: device = PATH)
 *   --control SOCK    unix stream socket for control commands
 *   --log FILE        append one JSON line per SMS-SUBMIT PDU, and one per
 *                     complete (joined) message
 *   --imei N          AT+CGSN (default 356938035643809)
 *   --pin NNNN        the SIM asks for this PIN (AT+CPIN?: SIM PIN)
 *   --smsc +N         AT+CSCA and the SMSC of stored SMS (+256700000001)
 *   --sim-size N      SMS slots on the SIM, 1..255 (default 30)
 *   --latency MS      delay every answer by MS milliseconds (default 0)
 *   --manual-reports  no automatic +CDS; only the `report` command
 *
 * The modem: echo on at power-on (ATE0/ATE1), PDU mode only (AT+CMGF=1 is
 * ERROR), character sets GSM, IRA and UCS2, one memory "SM". AT+CMGS=<len>
 * prompts "> ", takes the PDU up to Ctrl-Z (ESC cancels) and answers
 * "+CMGS: <mr>" with a reference counting up from 1 (mod 256). A submit
 * that asks for a status report gets "+CDS: <len>" and an SMS-STATUS-REPORT
 * (delivered) right after, when AT+CNMI <ds> is not 0 (libgammu 1.42 sets
 * it to 2 when incoming SMS are enabled). Stored SMS are SMS-DELIVER PDUs,
 * announced by +CMTI: "SM",<index> when AT+CNMI <mt> is not 0. AT+CUSD=1,
 * "<code>",15 answers OK, then +CUSD: 0,"<text>",15 (the text in the
 * AT+CSCS character set: hex UTF-16 for UCS2). Commands it does not know
 * are ERROR; a SIM PIN not yet entered makes SMS and USSD commands
 * +CME ERROR: 11.
 *
 * Log lines (JSON, UTF-8):
 *   {"pdu":N,"to":"+256...","text":"...","encoding":"gsm7|ucs2|8bit",
 *    "ref":R,"ref16":0|1,"part":P,"parts":T,"mr":MR,"srr":0|1}
 *     (8-bit data: "text" is the bytes as Latin-1, "hex" the bytes)
 *   {"message":K,"to":"+256...","text":"<parts joined>","encoding":"...",
 *    "parts":T}            once every part of a message has arrived
 *
 * Control commands (one per line; one reply line "ok ..." or "error ..."):
 *   inject FROM TEXT...              store one SMS (GSM-7, or UCS-2 when
 *                                    needed; concatenated when long)
 *   inject-parts FROM ORDER TEXT...  store the parts of a concatenated SMS
 *                                    in ORDER, e.g. 2,1,3; 2,3 leaves out 1
 *   fault noanswer N                 ignore the next N AT commands
 *   fault cms CODE N                 answer +CMS ERROR: CODE to the next N
 *                                    AT+CMGS (after the PDU)
 *   fault slow MS                    delay every answer by MS more (0: off)
 *   unplug                           close the pty, remove the symlink
 *   plug                             a new pty behind the symlink; the
 *                                    modem powers up again, the SIM keeps
 *                                    its SMS
 *   status                           ok sent=N failed=N stored=N unread=N
 *                                    ussd=N ignored=N plugged=0|1
 *   report MR                        +CDS (delivered) for reference MR now
 *   ussd-balance TEXT                what the next +CUSD answers say
 *
 * SIGTERM or SIGINT: remove the symlink and the socket, exit 0. The program
 * opens nothing but its pty, its socket and its log.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/xmalloc.h"
#include "tests/tools/atsim/modem.h"

#define MAX_CLIENTS 16 /* control connections at once */
#define CTL_LINE 2048  /* longest control command */
#define MAX_PENDING 64 /* multipart messages being assembled */

/* A control connection and the bytes of its unfinished line. */
struct client {
	int fd;		    /* -1 when the slot is free */
	char buf[CTL_LINE]; /* received, not yet a full line */
	size_t len;	    /* bytes in buf */
};

/* A multipart message whose parts are still arriving. */
struct pending {
	int used;	       /* 1 when the slot holds a message */
	char to[PDU_ADDR_MAX]; /* recipient */
	int ref, ref16, parts; /* concatenation key */
	int encoding;	       /* of the first part seen */
	int have;	       /* parts received */
	char *text[256];       /* UTF-8 of each part, owned, by number */
};

struct sim {
	const char *link;    /* --link, borrowed from argv */
	const char *control; /* --control */
	FILE *log;	     /* --log, or NULL */
	int master, slave;   /* the pty, -1 when unplugged */
	char device[64];     /* the slave's name */
	int lfd;	     /* listening control socket */
	dev_t ldev;	     /* its device and inode, to remove only it */
	ino_t lino;
	struct client cl[MAX_CLIENTS];
	struct modem *modem; /* the AT interpreter, owned */
	int latency, slow;   /* ms before each answer */
	long long due;	     /* ms (monotonic) when output may go */
	size_t seen;	     /* output bytes already given a due time */
	int npdu, nmsg;	     /* log counters */
	struct pending pend[MAX_PENDING];
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
enc_name(int e)
{
	return e == PDU_UCS2 ? "ucs2" : e == PDU_8BIT ? "8bit" : "gsm7";
}

/* Append one JSON object to the log, then free it. */
static void
log_json(struct sim *s, json_t *o)
{
	char *line;

	if (s->log != NULL && (line = json_dumps(o, JSON_COMPACT)) != NULL) {
		fprintf(s->log, "%s\n", line);
		fflush(s->log);
		free(line);
	}
	json_decref(o);
}

/* Log a whole message: TEXT is its parts joined. */
static void
log_message(
    struct sim *s, const char *to, int encoding, int parts, const char *text)
{
	log_json(s,
	    json_pack("{s:i,s:s,s:s,s:s,s:i}", "message", ++s->nmsg, "to", to,
		"text", text, "encoding", enc_name(encoding), "parts", parts));
}

/* The parts of P joined, logged; P's slot freed. */
static void
log_pending(struct sim *s, struct pending *p)
{
	size_t len = 0, off = 0, n;
	char *all;
	int i;

	for (i = 1; i <= p->parts; i++)
		len += strlen(p->text[i]);
	all = xmalloc(len + 1);
	for (i = 1; i <= p->parts; i++) {
		n = strlen(p->text[i]);
		memcpy(all + off, p->text[i], n);
		off += n;
	}
	all[off] = '\0';
	log_message(s, p->to, p->encoding, p->parts, all);
	free(all);
	for (i = 0; i < 256; i++)
		free(p->text[i]);
	memset(p, 0, sizeof(*p));
}

/* The slot assembling SMS's message, a fresh one, or the oldest reused. */
static struct pending *
pending_for(struct sim *s, const struct pdu_submit *sms)
{
	struct pending *p, *free_slot = NULL;
	int i;

	for (i = 0; i < MAX_PENDING; i++) {
		p = &s->pend[i];
		if (!p->used) {
			if (free_slot == NULL)
				free_slot = p;
			continue;
		}
		if (p->ref == sms->ref && p->ref16 == sms->ref16 &&
		    p->parts == sms->parts && strcmp(p->to, sms->to) == 0)
			return p;
	}
	if ((p = free_slot) == NULL) {
		p = &s->pend[0];
		for (i = 0; i < 256; i++)
			free(p->text[i]);
	}
	memset(p, 0, sizeof(*p));
	p->used = 1;
	snprintf(p->to, sizeof(p->to), "%s", sms->to);
	p->ref = sms->ref;
	p->ref16 = sms->ref16;
	p->parts = sms->parts;
	p->encoding = sms->encoding;
	return p;
}

/* modem_submit_cb: log the PDU, and the message once it is complete. */
static void
on_submit(void *arg, const struct pdu_submit *sms, int mr)
{
	struct sim *s = arg;
	struct pending *p;
	json_t *o;

	o = json_pack("{s:i,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "pdu",
	    ++s->npdu, "to", sms->to, "text", sms->text, "encoding",
	    enc_name(sms->encoding), "ref", sms->ref, "ref16", sms->ref16,
	    "part", sms->part, "parts", sms->parts, "mr", mr, "srr", sms->srr);
	if (o != NULL && sms->encoding == PDU_8BIT)
		json_object_set_new(o, "hex", json_string(sms->hex));
	log_json(s, o);
	if (sms->parts == 1) {
		log_message(s, sms->to, sms->encoding, 1, sms->text);
		return;
	}
	p = pending_for(s, sms);
	if (p->text[sms->part] != NULL)
		return; /* a resent part: keep the first */
	p->text[sms->part] = xstrdup(sms->text);
	if (++p->have == p->parts)
		log_pending(s, p);
}

/* Open a pty in raw mode and point the symlink at its slave. */
static int
plug(struct sim *s, char **cause)
{
	struct termios t;
	struct stat st;
	const char *name;

	if ((s->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK)) == -1 ||
	    grantpt(s->master) == -1 || unlockpt(s->master) == -1 ||
	    (name = ptsname(s->master)) == NULL)
		goto fail;
	snprintf(s->device, sizeof(s->device), "%s", name);
	/* Holding the slave open keeps the master from hanging up. */
	if ((s->slave = open(s->device, O_RDWR | O_NOCTTY)) == -1 ||
	    tcgetattr(s->slave, &t) == -1)
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(s->slave, TCSANOW, &t) == -1)
		goto fail;
	if (lstat(s->link, &st) == 0 && S_ISLNK(st.st_mode))
		unlink(s->link);
	if (symlink(s->device, s->link) == -1)
		goto fail;
	modem_reset(s->modem);
	s->seen = 0;
	return 0;
fail:
	xasprintf(cause, "pty for %s: %s", s->link, strerror(errno));
	if (s->master != -1)
		close(s->master);
	if (s->slave != -1)
		close(s->slave);
	s->master = s->slave = -1;
	return -1;
}

static void
unplug(struct sim *s)
{
	char target[sizeof(s->device)];
	ssize_t n;

	if (s->master == -1)
		return;
	close(s->master);
	close(s->slave);
	s->master = s->slave = -1;
	/* Remove the symlink only while it is still ours. */
	n = readlink(s->link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (strcmp(target, s->device) == 0)
			unlink(s->link);
	}
	modem_drain(s->modem, (size_t)-1);
	s->seen = 0;
}

/* The next space-separated word of *P (advanced past it), or NULL. */
static char *
word(char **p)
{
	char *w;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return NULL;
	w = *p;
	while (**p != '\0' && **p != ' ')
		(*p)++;
	if (**p == ' ')
		*(*p)++ = '\0';
	return w;
}

/* A whole decimal number in [LO, HI] from W, or -1. */
static int
number(const char *w, int lo, int hi)
{
	char *end;
	long v;

	if (w == NULL)
		return -1;
	v = strtol(w, &end, 10);
	if (end == w || *end != '\0' || v < lo || v > hi)
		return -1;
	return (int)v;
}

static void
ctl_inject(struct sim *s, char *args, int ordered, char *out, size_t outsz)
{
	const char *from, *order = NULL, *cause;
	int n;

	from = word(&args);
	if (ordered)
		order = word(&args);
	while (*args == ' ')
		args++;
	if (from == NULL || (ordered && order == NULL) || *args == '\0') {
		snprintf(out, outsz, "error usage: %s FROM %sTEXT",
		    ordered ? "inject-parts" : "inject",
		    ordered ? "ORDER " : "");
		return;
	}
	if ((n = modem_inject(
		 s->modem, from, args, order, time(NULL), &cause)) == -1)
		snprintf(out, outsz, "error %s", cause);
	else
		snprintf(out, outsz, "ok parts=%d", n);
}

static void
ctl_fault(struct sim *s, char *args, char *out, size_t outsz)
{
	const char *kind = word(&args);
	int a = -1, b = 0;

	if (kind == NULL)
		kind = "";
	if (strcmp(kind, "noanswer") == 0 || strcmp(kind, "slow") == 0)
		a = number(word(&args), 0, 600000);
	else if (strcmp(kind, "cms") == 0 &&
	    (a = number(word(&args), 0, 65535)) != -1)
		b = number(word(&args), 0, 600000);
	if (a == -1 || b == -1) {
		snprintf(out, outsz, "%s",
		    "error usage: fault noanswer N | cms CODE N | slow MS");
		return;
	}
	if (word(&args) != NULL) {
		snprintf(out, outsz, "%s", "error too many arguments");
		return;
	}
	if (strcmp(kind, "noanswer") == 0) {
		modem_fault_noanswer(s->modem, a);
		snprintf(out, outsz, "ok noanswer=%d", a);
	} else if (strcmp(kind, "cms") == 0) {
		modem_fault_cms(s->modem, a, b);
		snprintf(out, outsz, "ok cms=%d count=%d", a, b);
	} else {
		/* Held answers go out on the new schedule. */
		s->slow = a;
		s->due = 0;
		s->seen = 0;
		snprintf(out, outsz, "ok slow=%d", a);
	}
}

/* Run one control command LINE (modified) and write the reply to OUT. */
static void
ctl_run(struct sim *s, char *line, char *out, size_t outsz)
{
	struct modem_stats st;
	const char *cmd, *cause;
	char *why;
	int mr;

	if ((cmd = word(&line)) == NULL)
		snprintf(out, outsz, "%s", "error empty command");
	else if (strcmp(cmd, "inject") == 0)
		ctl_inject(s, line, 0, out, outsz);
	else if (strcmp(cmd, "inject-parts") == 0)
		ctl_inject(s, line, 1, out, outsz);
	else if (strcmp(cmd, "fault") == 0)
		ctl_fault(s, line, out, outsz);
	else if (strcmp(cmd, "unplug") == 0) {
		unplug(s);
		snprintf(out, outsz, "%s", "ok unplugged");
	} else if (strcmp(cmd, "plug") == 0) {
		if (s->master != -1)
			snprintf(out, outsz, "ok device=%s", s->device);
		else if (plug(s, &why) == -1) {
			snprintf(out, outsz, "error %s", why);
			free(why);
		} else
			snprintf(out, outsz, "ok device=%s", s->device);
	} else if (strcmp(cmd, "status") == 0) {
		modem_stats(s->modem, &st);
		snprintf(out, outsz,
		    "ok sent=%d failed=%d stored=%d unread=%d ussd=%d "
		    "ignored=%d plugged=%d",
		    st.sent, st.failed, st.stored, st.unread, st.ussd,
		    st.ignored, s->master != -1);
	} else if (strcmp(cmd, "report") == 0) {
		if ((mr = number(word(&line), 0, 255)) == -1)
			snprintf(out, outsz, "%s", "error usage: report MR");
		else if (s->master == -1)
			snprintf(out, outsz, "%s", "error unplugged");
		else if (modem_report(s->modem, mr, time(NULL), &cause) == -1)
			snprintf(out, outsz, "error %s", cause);
		else
			snprintf(out, outsz, "ok report=%d", mr);
	} else if (strcmp(cmd, "ussd-balance") == 0) {
		while (*line == ' ')
			line++;
		modem_set_ussd(s->modem, line);
		snprintf(out, outsz, "%s", "ok");
	} else
		snprintf(out, outsz, "error unknown command %s", cmd);
}

/* Read from a control client; run each complete line. 0, or -1 to close. */
static int
ctl_read(struct sim *s, struct client *c)
{
	char reply[CTL_LINE + 64], *nl;
	size_t n;
	ssize_t r;

	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (r <= 0)
		return r == -1 && errno == EAGAIN ? 0 : -1;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		*nl = '\0';
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		ctl_run(s, c->buf, reply, sizeof(reply) - 1);
		n = strlen(reply);
		reply[n++] = '\n';
		/* Replies are short; a client that stops reading is dropped. */
		if (write(c->fd, reply, n) != (ssize_t)n)
			return -1;
		n = (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len - n + 1);
		c->len -= n;
	}
	if (c->len == sizeof(c->buf) - 1)
		return -1;
	return 0;
}

static int
ctl_listen(struct sim *s, const char *path, char **cause)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "%s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 8) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (stat(path, &st) == 0) {
		s->ldev = st.st_dev;
		s->lino = st.st_ino;
	}
	return fd;
}

/* Remove the control socket unless another process has replaced it. */
static void
ctl_unlink(const struct sim *s)
{
	struct stat st;

	if (lstat(s->control, &st) == 0 && st.st_dev == s->ldev &&
	    st.st_ino == s->lino)
		unlink(s->control);
}

/* Client mode: send one command, print the reply; 0 on "ok". */
static int
send_command(const char *path, const char *cmd)
{
	struct sockaddr_un sun;
	char buf[CTL_LINE + 64];
	size_t len = 0;
	ssize_t r;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path) || strchr(cmd, '\n') ||
	    strlen(cmd) >= CTL_LINE - 1) {
		fprintf(stderr, "atsim: bad socket path or command\n");
		return 2;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "atsim: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (write(fd, cmd, strlen(cmd)) == -1 || write(fd, "\n", 1) == -1) {
		fprintf(stderr, "atsim: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (len < sizeof(buf) - 1 &&
	    (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)r;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	fputs(buf, stdout);
	return strncmp(buf, "ok", 2) == 0 ? 0 : 1;
}

/* Give new modem output its due time and write what is due. */
static void
pty_flush(struct sim *s)
{
	const char *buf;
	size_t len;
	ssize_t w;
	long long now = now_ms();

	buf = modem_output(s->modem, &len);
	if (len > s->seen) {
		if (s->due < now + s->latency + s->slow)
			s->due = now + s->latency + s->slow;
		s->seen = len;
	}
	if (len == 0 || now < s->due || s->master == -1)
		return;
	if ((w = write(s->master, buf, len)) > 0) {
		modem_drain(s->modem, (size_t)w);
		s->seen = len - (size_t)w;
	}
}

static void
pty_read(struct sim *s)
{
	char buf[4096];
	ssize_t r;

	if ((r = read(s->master, buf, sizeof(buf))) > 0)
		modem_input(s->modem, buf, (size_t)r, time(NULL));
}

static void
ctl_accept(struct sim *s)
{
	int fd, i;

	if ((fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (s->cl[i].fd == -1) {
			s->cl[i].fd = fd;
			s->cl[i].len = 0;
			return;
		}
	}
	close(fd);
}

/* Poll the pty and the sockets until a signal asks to stop. */
static void
loop(struct sim *s)
{
	struct pollfd pfd[2 + MAX_CLIENTS];
	int map[2 + MAX_CLIENTS], n, i, timeout;
	size_t len;

	while (!quit) {
		pty_flush(s);
		n = 0;
		pfd[n].fd = s->lfd;
		pfd[n++].events = POLLIN;
		if (s->master != -1) {
			modem_output(s->modem, &len);
			pfd[n].fd = s->master;
			pfd[n++].events = POLLIN |
			    (len > 0 && now_ms() >= s->due ? POLLOUT : 0);
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			if (s->cl[i].fd == -1)
				continue;
			map[n] = i;
			pfd[n].fd = s->cl[i].fd;
			pfd[n++].events = POLLIN;
		}
		modem_output(s->modem, &len);
		/* A second at most: a signal may land just before poll(). */
		timeout = 1000;
		if (len > 0 && s->master != -1) {
			long long d = s->due - now_ms();

			timeout = d < 0 ? 0 : d > 1000 ? 1000 : (int)d;
		}
		if (poll(pfd, (nfds_t)n, timeout) == -1)
			continue;
		if (pfd[0].revents & POLLIN)
			ctl_accept(s);
		for (i = 1; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == s->master) {
				if (pfd[i].revents & POLLIN)
					pty_read(s);
				continue;
			}
			if (ctl_read(s, &s->cl[map[i]]) == -1) {
				close(s->cl[map[i]].fd);
				s->cl[map[i]].fd = -1;
			}
		}
	}
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: atsim --link PATH --control SOCK [--log FILE] "
	    "[--imei N] [--pin NNNN]\n"
	    "             [--smsc +N] [--sim-size N] [--latency MS] "
	    "[--manual-reports]\n"
	    "       atsim --send SOCK COMMAND\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'L' },
		{ "imei", required_argument, NULL, 'i' },
		{ "pin", required_argument, NULL, 'p' },
		{ "smsc", required_argument, NULL, 's' },
		{ "sim-size", required_argument, NULL, 'S' },
		{ "latency", required_argument, NULL, 't' },
		{ "manual-reports", no_argument, NULL, 'm' },
		{ "send", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct modem_cfg cfg = { "HBMGW", "ATSIM-1", "atsim 1.0",
		"356938035643809", "641010000000001", NULL, "+256700000001",
		"SIMTEL", "64101", 30 };
	static struct sim s;
	struct sigaction sa;
	const char *logpath = NULL, *sendpath = NULL;
	char *cause;
	int ch, i, manual = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			s.link = optarg;
			break;
		case 'c':
			s.control = optarg;
			break;
		case 'L':
			logpath = optarg;
			break;
		case 'i':
			cfg.imei = optarg;
			break;
		case 'p':
			cfg.pin = optarg;
			break;
		case 's':
			cfg.smsc = optarg;
			break;
		case 'S':
			if ((cfg.sim_size = number(optarg, 1, MODEM_SIM_MAX)) <
			    0)
				usage();
			break;
		case 't':
			if ((s.latency = number(optarg, 0, 600000)) < 0)
				usage();
			break;
		case 'm':
			manual = 1;
			break;
		case 'x':
			sendpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (sendpath != NULL) {
		if (optind != argc - 1)
			usage();
		return send_command(sendpath, argv[optind]);
	}
	if (s.link == NULL || s.control == NULL || optind != argc)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (logpath != NULL && (s.log = fopen(logpath, "a")) == NULL) {
		fprintf(stderr, "atsim: %s: %s\n", logpath, strerror(errno));
		return 1;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		s.cl[i].fd = -1;
	s.master = s.slave = -1;
	s.modem = modem_new(&cfg, on_submit, &s);
	modem_set_auto_report(s.modem, !manual);
	if ((s.lfd = ctl_listen(&s, s.control, &cause)) == -1 ||
	    plug(&s, &cause) == -1) {
		fprintf(stderr, "atsim: %s\n", cause);
		free(cause);
		if (s.lfd != -1)
			ctl_unlink(&s);
		return 1;
	}
	fprintf(stderr, "atsim: %s -> %s, control %s\n", s.link, s.device,
	    s.control);

	loop(&s);

	unplug(&s);
	close(s.lfd);
	ctl_unlink(&s);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (s.cl[i].fd != -1)
			close(s.cl[i].fd);
	for (i = 0; i < MAX_PENDING; i++)
		for (ch = 0; ch < 256; ch++)
			free(s.pend[i].text[ch]);
	modem_free(s.modem);
	if (s.log != NULL)
		fclose(s.log);
	return 0;
}
