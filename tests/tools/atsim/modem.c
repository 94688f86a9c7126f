/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AT command interpreter of the simulated modem (3GPP TS 27.007 and
 * 27.005 in PDU mode), enough of it for libgammu's AT driver: init and
 * identification, SIM PIN, network, SMS storage, AT+CMGS and USSD.
 *
 * Design: one struct modem holds everything a real modem would (command
 * line, echo and mode settings, the SIM's SMS slots, the message reference
 * counter, pending faults) plus an output buffer. modem_input() runs each
 * complete command as it arrives and appends the whole answer; unsolicited
 * lines (+CMTI, +CDS, +CUSD) are appended after it. The caller owns the
 * timing and the file descriptors; nothing here blocks or reads a clock.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "tests/tools/atsim/modem.h"

#define LINE_MAX_LEN 1024 /* longest command line kept */

/* One SMS slot of the SIM. */
struct sim_slot {
	int used;	       /* 1 when it holds a message */
	int stat;	       /* 0 received unread, 1 received read */
	int len;	       /* TPDU length in octets (for +CMGL/+CMGR) */
	char pdu[PDU_HEX_MAX]; /* hex, SMSC field first */
};

struct modem {
	struct modem_cfg cfg;	 /* strings borrowed from the caller */
	modem_submit_cb cb;	 /* told of each submit, or NULL */
	void *arg;		 /* passed to cb */
	char *out;		 /* bytes for the host, owned */
	size_t outlen, outcap;	 /* used and allocated bytes of out */
	char line[LINE_MAX_LEN]; /* the command line being received */
	size_t linelen;		 /* bytes in line */
	int editing;		 /* 1 between the "> " prompt and Ctrl-Z */
	int cmgs_len;		 /* the AT+CMGS length argument */
	char pdu[PDU_HEX_MAX];	 /* hex digits received after the prompt */
	size_t pdulen;		 /* digits in pdu */
	int overflow;		 /* 1 when the PDU did not fit in pdu */
	int echo;		 /* ATE: 1 echoes command lines */
	int pin_ok;		 /* 1 once the SIM is unlocked */
	int creg_n;		 /* AT+CREG=n */
	int cops_fmt;		 /* AT+COPS=3,fmt: 0 long name, 2 numeric */
	int cnmi_mode;		 /* AT+CNMI <mode> */
	int cnmi_mt, cnmi_ds;	 /* AT+CNMI <mt> and <ds> */
	int cusd_n;		 /* AT+CUSD=n: 1 shows USSD results */
	char cscs[16];		 /* AT+CSCS: "GSM", "IRA" or "UCS2" */
	int mr;			 /* the next TP-MR given by +CMGS */
	int ref;		 /* the next concatenation reference */
	int noanswer;		 /* commands still to leave unanswered */
	int cms_code, cms_n;	 /* the +CMS ERROR and how many to give */
	int auto_report;	 /* 1: +CDS follows a submit asking for it */
	char ussd[512];		 /* the text of the next +CUSD */
	struct sim_slot sim[MODEM_SIM_MAX]; /* indices 1..sim_size */
	char sent_to[256][PDU_ADDR_MAX];    /* recipient by TP-MR, "" unused */
	struct modem_stats st;		    /* counters, see modem.h */
};

/* Append N bytes to the output. */
static void
out_add(struct modem *m, const char *s, size_t n)
{
	if (m->outlen + n > m->outcap) {
		m->outcap = (m->outlen + n) * 2;
		m->out = xreallocarray(m->out, m->outcap, 1);
	}
	memcpy(m->out + m->outlen, s, n);
	m->outlen += n;
}

/* Append one answer line framed as V.250 verbose results: CR LF text CR LF. */
static void __attribute__((format(printf, 2, 3)))
reply(struct modem *m, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	out_add(m, "\r\n", 2);
	out_add(m, s, (size_t)n);
	out_add(m, "\r\n", 2);
	free(s);
}

static void
reply_ok(struct modem *m)
{
	reply(m, "OK");
}

static void
reply_error(struct modem *m)
{
	reply(m, "ERROR");
}

/* The string a modem shows in character set CSCS: UCS2 is hex UTF-16. */
static void
cs_encode(const struct modem *m, const char *utf8, char *out, size_t outsz)
{
	if (strcmp(m->cscs, "UCS2") != 0 ||
	    pdu_ucs2_hex(utf8, out, outsz) == -1)
		snprintf(out, outsz, "%s", utf8);
}

/* A header line and a PDU line, as +CMGL, +CMGR and +CDS give them. */
static void
reply_pdu(struct modem *m, const char *head, const char *pdu)
{
	out_add(m, "\r\n", 2);
	out_add(m, head, strlen(head));
	out_add(m, "\r\n", 2);
	out_add(m, pdu, strlen(pdu));
	out_add(m, "\r\n", 2);
}

/* Store the fields of AT+CMD=a,b,c (numbers) in V; the count found. */
static int
args_int(const char *s, int *v, int max)
{
	int n = 0;
	char *end;

	while (n < max && *s != '\0') {
		if (*s == ',') {
			v[n++] = -1;
			s++;
			continue;
		}
		v[n++] = (int)strtol(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return n;
}

/* The first quoted string of S into OUT; -1 when there is none. */
static int
arg_str(const char *s, char *out, size_t outsz)
{
	const char *a, *b;

	if ((a = strchr(s, '"')) == NULL || (b = strchr(a + 1, '"')) == NULL ||
	    (size_t)(b - a) > outsz)
		return -1;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return 0;
}

static int
sim_used(const struct modem *m, int unread)
{
	int i, n = 0;

	for (i = 0; i < m->cfg.sim_size; i++)
		if (m->sim[i].used && (!unread || m->sim[i].stat == 0))
			n++;
	return n;
}

/* Basic commands: ATE0, ATZ, ATI and the like, one or more on a line. */
static void
cmd_basic(struct modem *m, const char *c)
{
	while (*c != '\0') {
		switch (toupper((unsigned char)*c)) {
		case 'E':
			m->echo = c[1] == '1';
			break;
		case 'Z':
			m->echo = 1;
			break;
		case 'I':
			reply(m, "%s %s", m->cfg.manufacturer, m->cfg.model);
			break;
		case '&':
			c++;
			break;
		default:
			if (!isalpha((unsigned char)*c)) {
				reply_error(m);
				return;
			}
		}
		c++;
		while (isdigit((unsigned char)*c))
			c++;
	}
	reply_ok(m);
}

static void
cmd_cpin(struct modem *m, const char *arg)
{
	char pin[16];

	if (strcmp(arg, "?") == 0) {
		reply(m, "+CPIN: %s", m->pin_ok ? "READY" : "SIM PIN");
		reply_ok(m);
	} else if (arg[0] == '=' && arg_str(arg, pin, sizeof(pin)) == 0) {
		if (m->pin_ok)
			reply(m, "+CME ERROR: 3");
		else if (strcmp(pin, m->cfg.pin) == 0) {
			m->pin_ok = 1;
			reply_ok(m);
		} else
			reply(m, "+CME ERROR: 16");
	} else
		reply_error(m);
}

static void
cmd_cops(struct modem *m, const char *arg)
{
	int v[4], n;

	if (strcmp(arg, "?") == 0) {
		if (!m->pin_ok)
			reply(m, "+COPS: 0");
		else
			reply(m, "+COPS: 0,%d,\"%s\"", m->cops_fmt,
			    m->cops_fmt == 2 ? m->cfg.oper_code
					     : m->cfg.oper_name);
		reply_ok(m);
		return;
	}
	if (strcmp(arg, "=?") == 0) {
		reply(m, "+COPS: (2,\"%s\",\"%s\",\"%s\"),,(0-4),(0,2)",
		    m->cfg.oper_name, m->cfg.oper_name, m->cfg.oper_code);
		reply_ok(m);
		return;
	}
	if (arg[0] == '=' && (n = args_int(arg + 1, v, 4)) >= 1) {
		if (v[0] == 3 && n >= 2 && (v[1] == 0 || v[1] == 2))
			m->cops_fmt = v[1];
		reply_ok(m);
		return;
	}
	reply_error(m);
}

static void
cmd_creg(struct modem *m, const char *name, const char *arg)
{
	int v[2];

	if (strcmp(arg, "?") == 0) {
		if (m->creg_n == 2)
			reply(m, "%s: 2,%d,\"00A1\",\"0000B2C3\"", name,
			    m->pin_ok ? 1 : 0);
		else
			reply(
			    m, "%s: %d,%d", name, m->creg_n, m->pin_ok ? 1 : 0);
		reply_ok(m);
	} else if (strcmp(arg, "=?") == 0) {
		reply(m, "%s: (0-2)", name);
		reply_ok(m);
	} else if (arg[0] == '=' && args_int(arg + 1, v, 1) == 1 && v[0] >= 0 &&
	    v[0] <= 2) {
		m->creg_n = v[0];
		reply_ok(m);
	} else
		reply_error(m);
}

static void
cmd_cscs(struct modem *m, const char *arg)
{
	char cs[16];

	if (strcmp(arg, "?") == 0) {
		reply(m, "+CSCS: \"%s\"", m->cscs);
		reply_ok(m);
	} else if (strcmp(arg, "=?") == 0) {
		reply(m, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\")");
		reply_ok(m);
	} else if (arg[0] == '=' && arg_str(arg, cs, sizeof(cs)) == 0 &&
	    (strcmp(cs, "GSM") == 0 || strcmp(cs, "IRA") == 0 ||
		strcmp(cs, "UCS2") == 0)) {
		snprintf(m->cscs, sizeof(m->cscs), "%s", cs);
		reply_ok(m);
	} else
		reply_error(m);
}

static void
cmd_cpms(struct modem *m, const char *arg)
{
	int u = sim_used(m, 0), t = m->cfg.sim_size;
	const char *p;

	if (strcmp(arg, "?") == 0) {
		reply(m, "+CPMS: \"SM\",%d,%d,\"SM\",%d,%d,\"SM\",%d,%d", u, t,
		    u, t, u, t);
		reply_ok(m);
		return;
	}
	if (strcmp(arg, "=?") == 0) {
		reply(m, "+CPMS: (\"SM\"),(\"SM\"),(\"SM\")");
		reply_ok(m);
		return;
	}
	if (arg[0] != '=' || arg[1] == '\0') {
		reply_error(m);
		return;
	}
	/* Every memory named must be the SIM. */
	for (p = arg + 1; *p != '\0'; p++) {
		if (*p == '"' && strncmp(p, "\"SM\"", 4) == 0)
			p += 3;
		else if (*p != ',') {
			reply(m, "+CMS ERROR: 302");
			return;
		}
	}
	reply(m, "+CPMS: %d,%d,%d,%d,%d,%d", u, t, u, t, u, t);
	reply_ok(m);
}

static void
cmd_csca(struct modem *m, const char *arg)
{
	char buf[128];

	if (strcmp(arg, "?") == 0) {
		cs_encode(m, m->cfg.smsc, buf, sizeof(buf));
		reply(m, "+CSCA: \"%s\",%d", buf,
		    m->cfg.smsc[0] == '+' ? 145 : 129);
		reply_ok(m);
	} else if (arg[0] == '=')
		reply_ok(m);
	else
		reply_error(m);
}

static void
cmd_cnmi(struct modem *m, const char *arg)
{
	int v[5], n;

	if (strcmp(arg, "?") == 0) {
		reply(m, "+CNMI: %d,%d,0,%d,0", m->cnmi_mode, m->cnmi_mt,
		    m->cnmi_ds);
		reply_ok(m);
	} else if (strcmp(arg, "=?") == 0) {
		reply(m, "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)");
		reply_ok(m);
	} else if (arg[0] == '=' && (n = args_int(arg + 1, v, 5)) >= 1) {
		if (v[0] >= 0)
			m->cnmi_mode = v[0];
		if (n >= 2 && v[1] >= 0)
			m->cnmi_mt = v[1];
		if (n >= 4 && v[3] >= 0)
			m->cnmi_ds = v[3];
		reply_ok(m);
	} else
		reply_error(m);
}

static void
cmd_cmgl(struct modem *m, const char *arg)
{
	char head[64];
	int v[1], i, want;

	if (strcmp(arg, "=?") == 0) {
		reply(m, "+CMGL: (0-4)");
		reply_ok(m);
		return;
	}
	want = 0;
	if (arg[0] == '=' && args_int(arg + 1, v, 1) == 1)
		want = v[0];
	else if (arg[0] != '\0') {
		reply(m, "+CMS ERROR: 302");
		return;
	}
	for (i = 0; i < m->cfg.sim_size; i++) {
		struct sim_slot *s = &m->sim[i];

		if (!s->used || (want != 4 && s->stat != want))
			continue;
		snprintf(head, sizeof(head), "+CMGL: %d,%d,,%d", i + 1, s->stat,
		    s->len);
		reply_pdu(m, head, s->pdu);
	}
	for (i = 0; i < m->cfg.sim_size; i++)
		if (m->sim[i].used && (want == 4 || m->sim[i].stat == want))
			m->sim[i].stat = 1;
	reply_ok(m);
}

/* The slot for AT+CMGR=n or AT+CMGD=n, or NULL after answering 321. */
static struct sim_slot *
slot_arg(struct modem *m, const char *arg, int *flag)
{
	int v[2], n;

	*flag = 0;
	if (arg[0] != '=' || (n = args_int(arg + 1, v, 2)) < 1 || v[0] < 0 ||
	    v[0] > m->cfg.sim_size || (v[0] == 0 && (n < 2 || v[1] == 0))) {
		reply(m, "+CMS ERROR: 321");
		return NULL;
	}
	if (n == 2)
		*flag = v[1];
	return v[0] == 0 ? &m->sim[0] : &m->sim[v[0] - 1];
}

static void
cmd_cmgr(struct modem *m, const char *arg)
{
	struct sim_slot *s;
	char head[64];
	int flag;

	if ((s = slot_arg(m, arg, &flag)) == NULL)
		return;
	if (!s->used) {
		reply(m, "+CMS ERROR: 321");
		return;
	}
	snprintf(head, sizeof(head), "+CMGR: %d,,%d", s->stat, s->len);
	reply_pdu(m, head, s->pdu);
	s->stat = 1;
	reply_ok(m);
}

static void
cmd_cmgd(struct modem *m, const char *arg)
{
	struct sim_slot *s;
	int flag, i;

	if ((s = slot_arg(m, arg, &flag)) == NULL)
		return;
	if (flag == 0) {
		s->used = 0;
	} else {
		/* 1: read ones, 2-3: read and (never kept) sent, 4: all. */
		for (i = 0; i < m->cfg.sim_size; i++)
			if (flag == 4 || m->sim[i].stat == 1)
				m->sim[i].used = 0;
	}
	reply_ok(m);
}

static void
cmd_cmgs(struct modem *m, const char *arg)
{
	int v[1];

	if (arg[0] != '=' || args_int(arg + 1, v, 1) != 1 || v[0] < 7 ||
	    v[0] > 176) {
		reply(m, "+CMS ERROR: 304");
		return;
	}
	m->editing = 1;
	m->cmgs_len = v[0];
	m->pdulen = 0;
	m->overflow = 0;
	out_add(m, "\r\n> ", 4);
}

/* The status report PDU for MR as an unsolicited +CDS. */
static int
emit_cds(struct modem *m, int mr, long long now)
{
	char hex[PDU_HEX_MAX], head[32];
	int len;

	if (pdu_encode_report(m->cfg.smsc, mr, m->sent_to[mr], now, hex,
		sizeof(hex), &len) == -1)
		return -1;
	snprintf(head, sizeof(head), "+CDS: %d", len);
	reply_pdu(m, head, hex);
	return 0;
}

/* Ctrl-Z after the PDU: decode it, give it a reference, tell the caller. */
static void
submit(struct modem *m, long long now)
{
	struct pdu_submit sms;
	const char *cause;
	int mr;

	m->editing = 0;
	m->pdu[m->pdulen] = '\0';
	if (m->cms_n > 0) {
		m->cms_n--;
		m->st.failed++;
		reply(m, "+CMS ERROR: %d", m->cms_code);
		return;
	}
	if (m->overflow ||
	    pdu_decode_submit(m->pdu, m->cmgs_len, &sms, &cause) == -1) {
		m->st.failed++;
		reply(m, "+CMS ERROR: 304");
		return;
	}
	mr = m->mr;
	m->mr = (m->mr + 1) & 255;
	snprintf(m->sent_to[mr], sizeof(m->sent_to[mr]), "%s", sms.to);
	m->st.sent++;
	if (m->cb != NULL)
		m->cb(m->arg, &sms, mr);
	reply(m, "+CMGS: %d", mr);
	reply_ok(m);
	if (sms.srr && m->auto_report && m->cnmi_ds)
		emit_cds(m, mr, now);
}

static void
cmd_cusd(struct modem *m, const char *arg)
{
	char code[256], text[1024];
	int n;

	if (strcmp(arg, "?") == 0) {
		reply(m, "+CUSD: %d", m->cusd_n);
		reply_ok(m);
		return;
	}
	if (strcmp(arg, "=?") == 0) {
		reply(m, "+CUSD: (0-2)");
		reply_ok(m);
		return;
	}
	if (arg[0] != '=' || arg[1] < '0' || arg[1] > '2' ||
	    (arg[2] != '\0' && arg[2] != ',')) {
		reply_error(m);
		return;
	}
	n = arg[1] - '0';
	if (n != 2)
		m->cusd_n = n;
	if (n == 2 || arg_str(arg, code, sizeof(code)) == -1) {
		reply_ok(m);
		return;
	}
	m->st.ussd++;
	reply_ok(m);
	cs_encode(m, m->ussd, text, sizeof(text));
	reply(m, "+CUSD: 0,\"%s\",%d", text, 15);
}

/* Identification commands and which modem_cfg string each shows. */
static const struct {
	const char *name; /* the command, e.g. "+CGMI" */
	int field; /* 0 manufacturer, 1 model, 2 revision, 3 IMEI, 4 IMSI */
} info_cmds[] = { { "+CGMI", 0 }, { "+GMI", 0 }, { "+CGMM", 1 }, { "+GMM", 1 },
	{ "+CGMR", 2 }, { "+GMR", 2 }, { "+CGSN", 3 }, { "+GSN", 3 },
	{ "+CIMI", 4 } };

/* Answer an identification command; -1 when NAME is none of them. */
static int
cmd_info(struct modem *m, const char *name, const char *arg)
{
	const char *v[] = { m->cfg.manufacturer, m->cfg.model, m->cfg.revision,
		m->cfg.imei, m->cfg.imsi };
	size_t i;

	for (i = 0; i < sizeof(info_cmds) / sizeof(info_cmds[0]); i++) {
		if (strcmp(name, info_cmds[i].name) == 0 && arg[0] == '\0') {
			reply(m, "%s", v[info_cmds[i].field]);
			reply_ok(m);
			return 0;
		}
	}
	return -1;
}

/* Commands that need the SIM unlocked; answered +CME ERROR: 11 before. */
static const char *const sim_cmds[] = { "+CIMI", "+CPMS", "+CMGL", "+CMGR",
	"+CMGD", "+CMGS", "+CUSD", "+CSCA", NULL };

/* An extended command: NAME (upper case) and ARG ("", "?", "=?", "=..."). */
static void
cmd_ext(struct modem *m, const char *name, const char *arg)
{
	const char *const *p;

	for (p = sim_cmds; *p != NULL; p++) {
		if (strcmp(name, *p) == 0 && !m->pin_ok) {
			reply(m, "+CME ERROR: 11");
			return;
		}
	}
	if (cmd_info(m, name, arg) == 0)
		return;
	if (strcmp(name, "+CPIN") == 0)
		cmd_cpin(m, arg);
	else if (strcmp(name, "+CSQ") == 0) {
		reply(m, "+CSQ: %d,99", m->pin_ok ? 20 : 99);
		reply_ok(m);
	} else if (strcmp(name, "+COPS") == 0)
		cmd_cops(m, arg);
	else if (strcmp(name, "+CREG") == 0 || strcmp(name, "+CGREG") == 0)
		cmd_creg(m, name, arg);
	else if (strcmp(name, "+CMGF") == 0) {
		if (strcmp(arg, "?") == 0)
			reply(m, "+CMGF: 0");
		else if (strcmp(arg, "=?") == 0)
			reply(m, "+CMGF: (0)");
		else if (strcmp(arg, "=0") != 0) {
			reply_error(m);
			return;
		}
		reply_ok(m);
	} else if (strcmp(name, "+CSCS") == 0)
		cmd_cscs(m, arg);
	else if (strcmp(name, "+CPMS") == 0)
		cmd_cpms(m, arg);
	else if (strcmp(name, "+CSCA") == 0)
		cmd_csca(m, arg);
	else if (strcmp(name, "+CNMI") == 0)
		cmd_cnmi(m, arg);
	else if (strcmp(name, "+CMGL") == 0)
		cmd_cmgl(m, arg);
	else if (strcmp(name, "+CMGR") == 0)
		cmd_cmgr(m, arg);
	else if (strcmp(name, "+CMGD") == 0)
		cmd_cmgd(m, arg);
	else if (strcmp(name, "+CMGS") == 0)
		cmd_cmgs(m, arg);
	else if (strcmp(name, "+CUSD") == 0)
		cmd_cusd(m, arg);
	else if (strcmp(name, "+CSMS") == 0) {
		reply(m,
		    strcmp(arg, "=?") == 0 ? "+CSMS: (0)"
			: arg[0] == '?'	   ? "+CSMS: 0,1,1,1"
					   : "+CSMS: 1,1,1");
		reply_ok(m);
	} else if (strcmp(name, "+CGATT") == 0 && strcmp(arg, "?") == 0) {
		reply(m, "+CGATT: %d", m->pin_ok);
		reply_ok(m);
	} else if (strcmp(name, "+CBC") == 0 && arg[0] == '\0') {
		reply(m, "+CBC: 0,100");
		reply_ok(m);
	} else if (strcmp(name, "+CMEE") == 0 || strcmp(name, "+CMMS") == 0 ||
	    strcmp(name, "+CRC") == 0 || strcmp(name, "+CSMP") == 0 ||
	    strcmp(name, "+CLIP") == 0 || strcmp(name, "+CFUN") == 0)
		reply_ok(m);
	else
		reply_error(m);
}

/* One command line as typed by the host (without the CR). */
static void
run_line(struct modem *m, const char *line)
{
	char name[32], up[LINE_MAX_LEN];
	const char *c;
	size_t i, n;

	while (*line != '\0' && !isalpha((unsigned char)*line))
		line++;
	if (strncasecmp(line, "AT", 2) != 0)
		return;
	if (m->noanswer > 0) {
		m->noanswer--;
		m->st.ignored++;
		return;
	}
	if (m->echo) {
		out_add(m, line, strlen(line));
		out_add(m, "\r", 1);
	}
	c = line + 2;
	if (*c == '\0') {
		reply_ok(m);
		return;
	}
	if (*c != '+' && *c != '^') {
		cmd_basic(m, c);
		return;
	}
	for (n = 0;
	     c[n] != '\0' && c[n] != '=' && c[n] != '?' && n + 1 < sizeof(name);
	     n++)
		name[n] = (char)toupper((unsigned char)c[n]);
	name[n] = '\0';
	/* The arguments keep their case. */
	for (i = 0; c[n + i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = c[n + i];
	up[i] = '\0';
	cmd_ext(m, name, up);
}

struct modem *
modem_new(const struct modem_cfg *cfg, modem_submit_cb cb, void *arg)
{
	struct modem *m = xcalloc(1, sizeof(*m));

	m->cfg = *cfg;
	if (m->cfg.sim_size < 1 || m->cfg.sim_size > MODEM_SIM_MAX)
		m->cfg.sim_size = 30;
	m->cb = cb;
	m->arg = arg;
	m->mr = 1;
	m->ref = 1;
	m->auto_report = 1;
	snprintf(m->ussd, sizeof(m->ussd), "%s", "Your balance is UGX 1000.");
	modem_reset(m);
	return m;
}

void
modem_free(struct modem *m)
{
	if (m == NULL)
		return;
	free(m->out);
	free(m);
}

void
modem_reset(struct modem *m)
{
	m->outlen = 0;
	m->linelen = 0;
	m->editing = 0;
	m->echo = 1;
	m->pin_ok = m->cfg.pin == NULL || m->cfg.pin[0] == '\0';
	m->creg_n = 0;
	m->cops_fmt = 0;
	m->cnmi_mode = 0;
	m->cnmi_mt = 0;
	m->cnmi_ds = 0;
	m->cusd_n = 0;
	snprintf(m->cscs, sizeof(m->cscs), "%s", "GSM");
}

void
modem_input(struct modem *m, const char *buf, size_t n, long long now)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = buf[i];
		if (m->editing) {
			if (c == 0x1A)
				submit(m, now);
			else if (c == 0x1B)
				m->editing = 0;
			else if (isxdigit((unsigned char)c)) {
				if (m->pdulen + 1 < sizeof(m->pdu))
					m->pdu[m->pdulen++] = c;
				else
					m->overflow = 1;
			}
			continue;
		}
		if (c == '\r') {
			m->line[m->linelen] = '\0';
			m->linelen = 0;
			run_line(m, m->line);
		} else if (c == 0x1B)
			m->linelen = 0;
		else if (c != '\n' && c != 0x1A &&
		    m->linelen + 1 < sizeof(m->line))
			m->line[m->linelen++] = c;
	}
}

const char *
modem_output(const struct modem *m, size_t *len)
{
	*len = m->outlen;
	return m->out;
}

void
modem_drain(struct modem *m, size_t n)
{
	if (n >= m->outlen) {
		m->outlen = 0;
		return;
	}
	memmove(m->out, m->out + n, m->outlen - n);
	m->outlen -= n;
}

/* Parse ORDER ("2,1,3") into PART; the count, or -1 on a bad list. */
static int
parse_order(const char *order, int parts, int *part)
{
	int n = 0, seen[256] = { 0 };
	long v;
	char *end;

	for (;;) {
		v = strtol(order, &end, 10);
		if (end == order || v < 1 || v > parts || seen[v] || n >= 255)
			return -1;
		seen[v] = 1;
		part[n++] = (int)v;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		order = end + 1;
	}
}

int
modem_inject(struct modem *m, const char *from, const char *text,
    const char *order, long long now, const char **cause)
{
	struct pdu_split sp;
	int part[255], n, i, k, slot, free_slots, ref;

	if (pdu_split_text(text, &sp) == -1) {
		*cause = "text is not valid UTF-8 or too long";
		return -1;
	}
	if (order == NULL) {
		for (n = 0; n < sp.parts; n++)
			part[n] = n + 1;
	} else if ((n = parse_order(order, sp.parts, part)) == -1) {
		*cause = "bad part order for this text";
		return -1;
	}
	free_slots = m->cfg.sim_size - sim_used(m, 0);
	if (n > free_slots) {
		*cause = "SIM full";
		return -1;
	}
	ref = m->ref;
	m->ref = m->ref % 255 + 1;
	for (i = 0; i < n; i++) {
		k = part[i] - 1;
		for (slot = 0; m->sim[slot].used; slot++)
			;
		if (pdu_encode_deliver(m->cfg.smsc, from, text + sp.start[k],
			sp.end[k] - sp.start[k], sp.encoding, ref, part[i],
			sp.parts, now, m->sim[slot].pdu,
			sizeof(m->sim[slot].pdu), &m->sim[slot].len) == -1) {
			*cause = "cannot encode the sender or text";
			return -1;
		}
		m->sim[slot].used = 1;
		m->sim[slot].stat = 0;
		if (m->cnmi_mt > 0)
			reply(m, "+CMTI: \"SM\",%d", slot + 1);
	}
	return n;
}

int
modem_report(struct modem *m, int mr, long long now, const char **cause)
{
	if (mr < 0 || mr > 255 || m->sent_to[mr][0] == '\0') {
		*cause = "unknown message reference";
		return -1;
	}
	if (emit_cds(m, mr, now) == -1) {
		*cause = "cannot encode the status report";
		return -1;
	}
	return 0;
}

void
modem_fault_noanswer(struct modem *m, int n)
{
	m->noanswer = n;
}

void
modem_fault_cms(struct modem *m, int code, int n)
{
	m->cms_code = code;
	m->cms_n = n;
}

void
modem_set_ussd(struct modem *m, const char *text)
{
	snprintf(m->ussd, sizeof(m->ussd), "%s", text);
}

void
modem_set_auto_report(struct modem *m, int on)
{
	m->auto_report = on;
}

void
modem_stats(const struct modem *m, struct modem_stats *out)
{
	*out = m->st;
	out->stored = sim_used(m, 0);
	out->unread = sim_used(m, 1);
}
