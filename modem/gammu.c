/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only file that includes <gammu.h>: one GSM_StateMachine per modem
 * thread, configured in memory (no gammurc) from the channel's gammu
 * group.
 *
 * libgammu is used with care for threads: its helpers that return a static
 * buffer (DecodeUnicodeString and friends) are never called, text is
 * converted by modem/decode.c into our own buffers, and the callbacks only
 * record what happened (a flag, a status, a copy of the USSD text) for the
 * thread to act on after the libgammu call returns. The send-status
 * callback is installed right after GSM_InitConnection(), before any send
 * (the dummy driver calls it unconditionally). Every GSM_Error is mapped
 * to GAMMU_OK, GAMMU_FAILED or GAMMU_LOST here; ERR_NONE is 1, not 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gammu.h>

#include "config/cfg.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "lib/gsm.h"
#include "modem/decode.h"
#include "modem/gammu.h"

#define GAMMU_SEND_PENDING (-1) /* no status from the network yet */
#define GAMMU_REPORTS_MAX 32	/* reports announced directly (+CDS), kept */
#define GAMMU_SKIPPED_MAX 64	/* stored SMS left alone, each logged once */

struct gammu {
	GSM_StateMachine *sm; /* owned; connected while open */
	char name[CFG_ID_MAX];
	int incoming;	 /* boolean: the modem announced an SMS */
	int send_status; /* GAMMU_SEND_PENDING, 0 sent, else error */
	int send_ref;	 /* message reference from the last send */
	int ussd_done;	 /* boolean: a USSD answer arrived */
	char ussd[GSM_MAX_USSD_LENGTH * 4 + 1]; /* its text, UTF-8 */
	GSM_MultiSMSMessage multi; /* read buffer (large: kept here) */
	GSM_MultiSMSMessage out;   /* send buffer */
	GSM_SMSC smsc;		   /* the SIM's SMSC, read once */
	GSM_SMSMessage reports[GAMMU_REPORTS_MAX]; /* copied by gammu_sms_cb */
	int nreports;				   /* until gammu_read() */
	int have_smsc;				   /* boolean: smsc is set */
	/* Locations (folder << 16 | place) of stored SMS that are not
	 * received ones (sent, drafts), already logged. */
	unsigned skipped[GAMMU_SKIPPED_MAX];
	int nskipped;
};

/* A GSM_Error as our result: which errors mean the modem is gone. */
static enum gammu_rc
gammu_rc_of(GSM_Error e)
{
	switch (e) {
	case ERR_NONE:
		return GAMMU_OK;
	case ERR_TIMEOUT:
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICELOCKED:
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEBUSY:
	case ERR_DEVICENOPERMISSION:
	case ERR_DEVICENODRIVER:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICEDTRRTSERROR:
	case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEPARITYERROR:
	case ERR_NOTCONNECTED:
	case ERR_ABORTED:
		return GAMMU_LOST;
	default:
		return GAMMU_FAILED;
	}
}

/* Set *cause to "WHAT: libgammu's message" and return E's result. */
static enum gammu_rc
gammu_fail(GSM_Error e, const char *what, char **cause)
{
	xasprintf(cause, "%s: %s", what, GSM_ErrorString(e));
	return gammu_rc_of(e);
}

/* The send-status callback: only records the outcome. */
static void
gammu_send_cb(GSM_StateMachine *sm, int status, int ref, void *arg)
{
	struct gammu *g = arg;

	(void)sm;
	g->send_status = status;
	g->send_ref = ref;
}

/*
 * The incoming-SMS callback: sets a flag (the SMS is on the SIM and read
 * later), and keeps a copy of a delivery report, which a modem may hand
 * over directly (+CDS) without storing it.
 */
static void
gammu_sms_cb(GSM_StateMachine *sm, GSM_SMSMessage *sms, void *arg)
{
	struct gammu *g = arg;

	(void)sm;
	g->incoming = 1;
	if (sms != NULL && sms->PDU == SMS_Status_Report &&
	    g->nreports < GAMMU_REPORTS_MAX)
		memcpy(&g->reports[g->nreports++], sms, sizeof(*sms));
}

/* The incoming-USSD callback: copies the text with our own decoder. */
static void
gammu_ussd_cb(GSM_StateMachine *sm, GSM_USSDMessage *ussd, void *arg)
{
	struct gammu *g = arg;
	size_t n = 0;

	(void)sm;
	while (n < GSM_MAX_USSD_LENGTH &&
	    (ussd->Text[2 * n] != 0 || ussd->Text[2 * n + 1] != 0))
		n++;
	if (decode_utf16be(ussd->Text, n, g->ussd, sizeof(g->ussd)) == -1)
		g->ussd[sizeof(g->ussd) - 1] = '\0';
	g->ussd_done = 1;
}

/* Fill libgammu's first config section from G (as a gammurc would). */
static void
gammu_configure(GSM_StateMachine *sm, const struct cfg_gammu *g)
{
	GSM_Config *c = GSM_GetConfig(sm, 0);
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->Model, sizeof(c->Model), "%s", g->model);
	c->Device = xstrdup(g->device);
	c->Connection = xstrdup(g->connection);
	c->SyncTime = FALSE;
	c->LockDevice = FALSE;
	c->DebugFile = NULL;
	c->StartInfo = FALSE;
	c->UseGlobalDebugFile = FALSE;
	snprintf(c->TextReminder, sizeof(c->TextReminder), "Reminder");
	snprintf(c->TextMeeting, sizeof(c->TextMeeting), "Meeting");
	snprintf(c->TextCall, sizeof(c->TextCall), "Call");
	snprintf(c->TextBirthday, sizeof(c->TextBirthday), "Birthday");
	snprintf(c->TextMemo, sizeof(c->TextMemo), "Memo");
	for (i = 0; i < sizeof(c->CNMIParams) / sizeof(c->CNMIParams[0]); i++)
		c->CNMIParams[i] = -1;
	GSM_SetConfigNum(sm, 1);
}

/* Enter the PIN when the SIM asks for one. */
static enum gammu_rc
gammu_unlock(struct gammu *g, const struct cfg_gammu *cg, char **cause)
{
	GSM_SecurityCodeType st;
	GSM_SecurityCode code;
	GSM_Error e;

	e = GSM_GetSecurityStatus(g->sm, &st);
	if (e == ERR_NOTSUPPORTED || e == ERR_NOTIMPLEMENTED ||
	    (e == ERR_NONE && st == SEC_None))
		return GAMMU_OK;
	if (e != ERR_NONE)
		return gammu_fail(e, "security status", cause);
	if (st != SEC_Pin) {
		xasprintf(cause, "the SIM asks for a code other than its PIN");
		return GAMMU_FAILED;
	}
	if (cg->pin == NULL) {
		xasprintf(cause, "the SIM asks for a PIN and none is set");
		return GAMMU_FAILED;
	}
	memset(&code, 0, sizeof(code));
	code.Type = SEC_Pin;
	snprintf(code.Code, sizeof(code.Code), "%s", cg->pin);
	if ((e = GSM_EnterSecurityCode(g->sm, &code)) != ERR_NONE)
		return gammu_fail(e, "PIN", cause);
	return GAMMU_OK;
}

struct gammu *
gammu_open(const char *name, const struct cfg_gammu *cg, char **cause)
{
	struct gammu *g;
	GSM_Error e;

	g = xcalloc(1, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	if ((g->sm = GSM_AllocStateMachine()) == NULL) {
		free(g);
		xasprintf(cause, "cannot allocate a libgammu state machine");
		return NULL;
	}
	gammu_configure(g->sm, cg);
	if ((e = GSM_InitConnection(g->sm, 1)) != ERR_NONE) {
		gammu_fail(e, "connect", cause);
		GSM_FreeStateMachine(g->sm);
		free(g);
		return NULL;
	}
	GSM_SetSendSMSStatusCallback(g->sm, gammu_send_cb, g);
	GSM_SetIncomingSMSCallback(g->sm, gammu_sms_cb, g);
	GSM_SetIncomingUSSDCallback(g->sm, gammu_ussd_cb, g);
	if (gammu_unlock(g, cg, cause) != GAMMU_OK) {
		gammu_close(g);
		return NULL;
	}
	/* Not every modem can announce SMS; polling covers those. */
	(void)GSM_SetIncomingSMS(g->sm, TRUE);
	return g;
}

void
gammu_close(struct gammu *g)
{
	if (g == NULL)
		return;
	if (GSM_IsConnected(g->sm))
		(void)GSM_TerminateConnection(g->sm);
	GSM_FreeStateMachine(g->sm);
	free(g);
}

void
gammu_abort(struct gammu *g)
{
	(void)GSM_AbortOperation(g->sm);
}

int
gammu_incoming(struct gammu *g)
{
	int was = g->incoming;

	g->incoming = 0;
	return was;
}

/* Concatenation data from a raw user data header, when it has some. */
static void
gammu_udh(const GSM_UDHHeader *u, struct gammu_sms *out)
{
	int w = 1, len = u->Length;

	out->ref = -1;
	out->total = out->seq = 1;
	if (u->Type == UDH_NoUDH || len < 2 || len > GSM_MAX_UDH_LENGTH)
		return;
	while (w + 1 < len) {
		int iei = u->Text[w], iel = u->Text[w + 1];

		if (w + 2 + iel > len)
			break;
		if (iei == 0x00 && iel == 3) {
			out->ref = u->Text[w + 2];
			out->total = u->Text[w + 3];
			out->seq = u->Text[w + 4];
		} else if (iei == 0x08 && iel == 4) {
			out->ref = u->Text[w + 2] << 8 | u->Text[w + 3];
			out->total = u->Text[w + 4];
			out->seq = u->Text[w + 5];
		}
		w += 2 + iel;
	}
}

/* Units in libgammu's UCS-2 string S, at most MAX. */
static size_t
gammu_ulen(const unsigned char *s, size_t max)
{
	size_t n = 0;

	while (n < max && (s[2 * n] != 0 || s[2 * n + 1] != 0))
		n++;
	return n;
}

/* One SMS as ours; 0, or -1 to skip it (not received: sent or a draft). */
static int
gammu_convert(const GSM_SMSMessage *m, struct gammu_sms *out)
{
	char buf[(GSM_MAX_SMS_LENGTH + 1) * 4];
	const GSM_DateTime *t;
	size_t n;

	if (m->PDU != SMS_Deliver && m->PDU != SMS_Status_Report)
		return -1;
	memset(out, 0, sizeof(*out));
	out->location = m->Location;
	out->memory = (int)m->Memory;
	n = gammu_ulen(m->Number, GSM_MAX_NUMBER_LENGTH);
	(void)decode_utf16be(m->Number, n, out->from, sizeof(out->from));
	t = m->PDU == SMS_Status_Report ? &m->SMSCTime : &m->DateTime;
	snprintf(out->time, sizeof(out->time),
	    "%04d-%02d-%02dT%02d:%02d:%02d%+05d", t->Year, t->Month, t->Day,
	    t->Hour, t->Minute, t->Second,
	    (t->Timezone / 3600) * 100 + (abs(t->Timezone) % 3600) / 60);
	gammu_udh(&m->UDH, out);
	if (m->PDU == SMS_Status_Report) {
		out->report = 1;
		out->report_ref = m->MessageReference;
		out->report_state = m->DeliveryStatus < 0x20 ? 1
		    : m->DeliveryStatus < 0x40		     ? 0
							     : -1;
		out->text = xstrdup("");
		return 0;
	}
	buf[0] = '\0';
	switch (m->Coding) {
	case SMS_Coding_8bit:
		n = m->Length < 0 ? 0 : (size_t)m->Length;
		if (n > GSM_MAX_SMS_LENGTH)
			n = GSM_MAX_SMS_LENGTH;
		(void)decode_8bit(m->Text, n, buf, sizeof(buf));
		break;
	case SMS_Coding_Default_No_Compression:
	case SMS_Coding_Unicode_No_Compression:
		n = gammu_ulen(m->Text, GSM_MAX_SMS_LENGTH);
		(void)decode_utf16be(m->Text, n, buf, sizeof(buf));
		break;
	default: /* compressed text: no phone sends it */
		break;
	}
	out->text = xstrdup(buf);
	return 0;
}

/*
 * Say once per location that a stored SMS which is not a received one
 * (a sent message or a draft: PDU Submit) is left where it is. A file
 * written by "gammu savesms" into the dummy driver's inbox is one.
 */
static void
gammu_skipped(struct gammu *g, const GSM_SMSMessage *m)
{
	unsigned at = ((unsigned)m->Folder & 0xffff) << 16 |
	    ((unsigned)m->Location & 0xffff);
	int i;

	for (i = 0; i < g->nskipped; i++)
		if (g->skipped[i] == at)
			return;
	if (g->nskipped == GAMMU_SKIPPED_MAX)
		return; /* enough said */
	g->skipped[g->nskipped++] = at;
	log_warnx("modem %s: SMS in folder %d at location %d is not a "
		  "received SMS (PDU %s): left alone; tools/dummy-sms "
		  "writes a received one for the dummy driver",
	    g->name, m->Folder, m->Location,
	    m->PDU == SMS_Submit ? "Submit" : "unknown");
}

enum gammu_rc
gammu_read(struct gammu *g, struct gammu_sms **v, size_t *n, char **cause)
{
	GSM_Error e;
	gboolean start = TRUE;
	struct gammu_sms one;
	int i, guard = 0;

	*v = NULL;
	*n = 0;
	memset(&g->multi, 0, sizeof(g->multi));
	for (;;) {
		e = GSM_GetNextSMS(g->sm, &g->multi, start);
		start = FALSE;
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			gammu_sms_free(*v, *n);
			*v = NULL;
			*n = 0;
			return gammu_fail(e, "read SMS", cause);
		}
		for (i = 0; i < g->multi.Number && i < GSM_MAX_MULTI_SMS; i++) {
			if (gammu_convert(&g->multi.SMS[i], &one) == -1) {
				gammu_skipped(g, &g->multi.SMS[i]);
				continue;
			}
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			(*v)[(*n)++] = one;
		}
		if (++guard > 100000)
			break; /* a driver that never says "empty" */
	}
	for (i = 0; i < g->nreports; i++) {
		if (gammu_convert(&g->reports[i], &one) == -1)
			continue;
		one.location = -1; /* not stored: nothing to delete */
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = one;
	}
	g->nreports = 0;
	return GAMMU_OK;
}

void
gammu_sms_free(struct gammu_sms *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

enum gammu_rc
gammu_delete(struct gammu *g, const struct gammu_sms *sms, char **cause)
{
	GSM_SMSMessage m;
	GSM_Error e;

	if (sms->location < 0)
		return GAMMU_OK;
	memset(&m, 0, sizeof(m));
	m.Folder = 0; /* Location is absolute, as the read returned it */
	m.Location = sms->location;
	m.Memory = (GSM_MemoryType)sms->memory;
	e = GSM_DeleteSMS(g->sm, &m);
	if (e == ERR_NONE || e == ERR_EMPTY)
		return GAMMU_OK;
	return gammu_fail(e, "delete SMS", cause);
}

/* Read from the modem until the send status arrives or DEADLINE passes. */
static enum gammu_rc
gammu_wait_status(struct gammu *g, long long deadline, char **cause)
{
	while (g->send_status == GAMMU_SEND_PENDING) {
		if (clock_mono_ms() >= deadline) {
			xasprintf(cause, "send: no answer from the network");
			return GAMMU_LOST;
		}
		if (!GSM_IsConnected(g->sm)) {
			xasprintf(cause, "send: modem disconnected");
			return GAMMU_LOST;
		}
		(void)GSM_ReadDevice(g->sm, TRUE);
	}
	if (g->send_status != 0) {
		xasprintf(cause, "send: refused by the network (error %d)",
		    g->send_status);
		return GAMMU_FAILED;
	}
	return GAMMU_OK;
}

/* TEXT as libgammu's parts for TO into g->out. */
static enum gammu_rc
gammu_encode(struct gammu *g, const char *to, const char *text, int report,
    int ucs2, char **cause)
{
	GSM_MultiPartSMSInfo info;
	unsigned char *ubuf;
	GSM_Error e;
	size_t size = (strlen(text) + 1) * 4 + 2;
	int i;

	ubuf = xmalloc(size);
	if (decode_to_utf16be(text, ubuf, size) == -1) {
		free(ubuf);
		xasprintf(cause, "send: text is not UTF-8");
		return GAMMU_FAILED;
	}
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.UnicodeCoding = ucs2 ? TRUE : FALSE;
	info.EntriesNum = 1;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = ubuf;
	memset(&g->out, 0, sizeof(g->out));
	e = GSM_EncodeMultiPartSMS(GSM_GetDebug(g->sm), &info, &g->out);
	free(ubuf);
	if (e != ERR_NONE)
		return gammu_fail(e, "encode", cause);
	if (!g->have_smsc) {
		memset(&g->smsc, 0, sizeof(g->smsc));
		g->smsc.Location = 1;
		if ((e = GSM_GetSMSC(g->sm, &g->smsc)) != ERR_NONE)
			return gammu_fail(e, "SMSC number", cause);
		g->have_smsc = 1;
	}
	for (i = 0; i < g->out.Number; i++) {
		g->out.SMS[i].SMSC = g->smsc;
		g->out.SMS[i].SMSC.Location = 0;
		EncodeUnicode(g->out.SMS[i].Number, to, strlen(to));
		g->out.SMS[i].PDU = report ? SMS_Status_Report : SMS_Submit;
	}
	return GAMMU_OK;
}

enum gammu_rc
gammu_send(struct gammu *g, const char *to, const char *text, int report,
    int timeout_ms, int *ref, char **cause)
{
	enum gammu_rc rc;
	GSM_Error e;
	int i;

	*ref = -1;
	rc = gammu_encode(g, to, text, report, !gsm_is_gsm7(text), cause);
	if (rc != GAMMU_OK)
		return rc;
	for (i = 0; i < g->out.Number; i++) {
		g->send_status = GAMMU_SEND_PENDING;
		if ((e = GSM_SendSMS(g->sm, &g->out.SMS[i])) != ERR_NONE)
			return gammu_fail(e, "send", cause);
		rc = gammu_wait_status(g, clock_mono_ms() + timeout_ms, cause);
		if (rc != GAMMU_OK)
			return rc;
		*ref = g->send_ref;
	}
	return GAMMU_OK;
}

enum gammu_rc
gammu_info(struct gammu *g, struct gammu_info *info, char **cause)
{
	GSM_SignalQuality sq;
	GSM_NetworkInfo ni;
	char imei[GSM_MAX_IMEI_LENGTH + 1];
	GSM_Error e;
	size_t n;

	info->signal = -1;
	memset(&sq, 0, sizeof(sq));
	if ((e = GSM_GetSignalQuality(g->sm, &sq)) == ERR_NONE)
		info->signal = sq.SignalPercent;
	else if (gammu_rc_of(e) == GAMMU_LOST)
		return gammu_fail(e, "signal quality", cause);
	memset(&ni, 0, sizeof(ni));
	if ((e = GSM_GetNetworkInfo(g->sm, &ni)) == ERR_NONE) {
		n = gammu_ulen(ni.NetworkName, sizeof(ni.NetworkName) / 2);
		if (n > 0)
			(void)decode_utf16be(ni.NetworkName, n, info->operator,
			    sizeof(info->operator));
		else
			snprintf(info->operator, sizeof(info->operator), "%.*s",
			    (int)sizeof(ni.NetworkCode), ni.NetworkCode);
	} else if (gammu_rc_of(e) == GAMMU_LOST)
		return gammu_fail(e, "network", cause);
	memset(imei, 0, sizeof(imei));
	if ((e = GSM_GetIMEI(g->sm, imei)) == ERR_NONE)
		snprintf(info->imei, sizeof(info->imei), "%s", imei);
	else if (gammu_rc_of(e) == GAMMU_LOST)
		return gammu_fail(e, "IMEI", cause);
	return GAMMU_OK;
}

enum gammu_rc
gammu_ussd(struct gammu *g, const char *code, int timeout_ms, char *reply,
    size_t size, char **cause)
{
	long long deadline = clock_mono_ms() + timeout_ms;
	char number[64];
	GSM_Error e;

	snprintf(number, sizeof(number), "%s", code);
	g->ussd_done = 0;
	if ((e = GSM_SetIncomingUSSD(g->sm, TRUE)) != ERR_NONE &&
	    gammu_rc_of(e) == GAMMU_LOST)
		return gammu_fail(e, "USSD", cause);
	if ((e = GSM_DialService(g->sm, number)) != ERR_NONE)
		return gammu_fail(e, "USSD", cause);
	while (!g->ussd_done) {
		if (clock_mono_ms() >= deadline) {
			xasprintf(cause, "USSD: no answer");
			return GAMMU_FAILED;
		}
		if (!GSM_IsConnected(g->sm)) {
			xasprintf(cause, "USSD: modem disconnected");
			return GAMMU_LOST;
		}
		(void)GSM_ReadDevice(g->sm, TRUE);
	}
	snprintf(reply, size, "%s", g->ussd);
	return GAMMU_OK;
}
