/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading the config file: the only file that includes <libconfig.h>. It
 * parses with libconfig and wraps the tree as nodes and typed getters that
 * report every problem as "FILE:LINE: setting: problem"; cfg_check.c reads
 * the sections through them. libconfig's memory is released before
 * cfg_load() returns.
 *
 * A missing setting is reported at the line of the nearest group that is
 * there (line 1 at the top). A setting that cannot be used (wrong type) is
 * reported once and hides its children, so one mistake is one message.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config/cfg.h"
#include "config/cfg_int.h"
#include "lib/xmalloc.h"

/* One problem found while loading. */
struct cfg_err {
	char *file; /* owned: the path as given, or an included file */
	int line;
	size_t rank; /* file order: the main file first, then as first met */
	size_t seq;  /* order of discovery, breaks ties */
	char *text;  /* owned: "setting: problem" */
};

/* Every problem found while loading. */
struct cfg_errs {
	struct cfg_err *v;
	size_t n;
};

/* The file a setting came from, as the user would name it (allocated). */
static char *
source_file(const struct cfg_rd *rd, const char *f)
{
	char *file;

	/* libconfig 1.5 names included files as written in @include. */
	if (f == NULL || strcmp(f, rd->path) == 0 || f[0] == '/')
		return xstrdup(f != NULL ? f : rd->path);
	xasprintf(&file, "%s%s", rd->dir, f);
	return file;
}

/*
 * Line LINE of FILE, trimmed and cut to fit OUT, for quoting in an error;
 * 0 when it cannot be read or is blank.
 */
static int
source_line(const char *file, int line, char *out, size_t len)
{
	char buf[1024], *p, *end;
	FILE *f;
	int n = 0, found = 0;

	if (line < 1 || (f = fopen(file, "r")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strchr(buf, '\n') != NULL && ++n == line) {
			found = 1;
			break;
		}
	fclose(f);
	if (!found)
		return 0;
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strcspn(p, "\r\n");
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == p)
		return 0;
	if ((size_t)(end - p) >= len) {
		snprintf(out, len, "%.*s...", (int)(len - 4), p);
		return 1;
	}
	snprintf(out, len, "%.*s", (int)(end - p), p);
	return 1;
}

/*
 * SRC with control characters shown as \n, \t or \xHH, into DST of SIZE:
 * a value quoted in a problem may hold a newline, and a problem is one line.
 */
static void
cfg_escape(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	unsigned char c;

	for (; (c = (unsigned char)*src) != '\0' && o + 5 < size; src++) {
		if (c == '\n')
			o += (size_t)snprintf(dst + o, size - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(dst + o, size - o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* Report a problem with N as "FILE:LINE: PATH: problem". */
void
cfg_bad(struct cfg_rd *rd, const struct cfg_node *n, const char *fmt, ...)
{
	struct cfg_errs *errs = rd->errs;
	struct cfg_err *e;
	const char *f = NULL;
	char problem[512], shown[2048];
	va_list ap;
	int line = 1;

	if (n->skip)
		return;
	if (n->at != NULL && !config_setting_is_root(n->at)) {
		line = config_setting_source_line(n->at);
		f = config_setting_source_file(n->at);
	}
	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
	cfg_escape(shown, sizeof shown, problem);

	errs->v = xreallocarray(errs->v, errs->n + 1, sizeof *errs->v);
	e = &errs->v[errs->n];
	e->file = source_file(rd, f);
	e->line = line > 0 ? line : 1;
	e->rank = 0;
	e->seq = errs->n++;
	xasprintf(&e->text, "%s: %s", n->path, shown);
}

/* Order: by file rank, then line, then discovery. */
static int
err_cmp(const void *a, const void *b)
{
	const struct cfg_err *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every problem as "FILE:LINE: text" lines, sorted; empties the list. */
static char *
errs_join(struct cfg_errs *errs, const char *main_file)
{
	char *out, *p;
	size_t i, j, len = 1;

	for (i = 0; i < errs->n; i++) {
		if (strcmp(errs->v[i].file, main_file) != 0) {
			for (j = 0; j < i; j++)
				if (strcmp(errs->v[j].file, errs->v[i].file) ==
				    0)
					break;
			errs->v[i].rank = j + 1;
		}
		len += strlen(errs->v[i].file) + strlen(errs->v[i].text) + 16;
	}
	qsort(errs->v, errs->n, sizeof *errs->v, err_cmp);

	p = out = xmalloc(len);
	*p = '\0';
	for (i = 0; i < errs->n; i++) {
		p += sprintf(p, "%s%s:%d: %s", i == 0 ? "" : "\n",
		    errs->v[i].file, errs->v[i].line, errs->v[i].text);
		free(errs->v[i].file);
		free(errs->v[i].text);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
	return out;
}

/* Write a node path; paths longer than CFG_NODE_PATH are cut. */
static void __attribute__((format(printf, 2, 3)))
set_path(char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, CFG_NODE_PATH, fmt, ap);
	va_end(ap);
}

/* The member NAME of group G, present or not. */
void
cfg_node_child(const struct cfg_node *g, const char *name, struct cfg_node *c)
{
	set_path(
	    c->path, "%s%s%s", g->path, g->path[0] != '\0' ? "." : "", name);
	c->skip = g->skip;
	c->s = g->s != NULL ? config_setting_get_member(g->s, name) : NULL;
	if (c->s != NULL)
		c->at = c->s;
	else if (g->s != NULL && !config_setting_is_root(g->s))
		c->at = g->s;
	else
		c->at = g->at;
}

/* Element I of list L. */
void
cfg_node_elem(const struct cfg_node *l, int i, struct cfg_node *e)
{
	set_path(e->path, "%s[%d]", l->path, i);
	e->skip = l->skip;
	e->s = config_setting_get_elem(l->s, (unsigned int)i);
	e->at = e->s;
}

/* How many members group G has (0 when absent). */
int
cfg_node_count(const struct cfg_node *g)
{
	return g->s != NULL ? config_setting_length(g->s) : 0;
}

/* The I-th member of group G, in file order; returns its name. */
const char *
cfg_node_member(const struct cfg_node *g, int i, struct cfg_node *c)
{
	const char *name;

	name =
	    config_setting_name(config_setting_get_elem(g->s, (unsigned int)i));
	cfg_node_child(g, name, c);
	return name;
}

/* The line of N, or 0 when it is absent. */
int
cfg_node_line(const struct cfg_node *n)
{
	return n->s != NULL ? config_setting_source_line(n->s) : 0;
}

/* Whether N is present and a group. */
int
cfg_node_is_group(const struct cfg_node *n)
{
	return n->s != NULL && config_setting_is_group(n->s);
}

/* Report N as unusable and hide it, so its children stay quiet. */
static void
unusable(struct cfg_rd *rd, struct cfg_node *n, const char *problem)
{
	cfg_bad(rd, n, "%s", problem);
	n->s = NULL;
	n->skip = 1;
}

/* Whether N is present; reports it missing when REQ. */
int
cfg_present(struct cfg_rd *rd, const struct cfg_node *n, int req)
{
	if (n->s == NULL && req == CFG_REQ)
		cfg_bad(rd, n, "missing required setting");
	return n->s != NULL;
}

/* Report the members of group G whose names are not in KNOWN. */
void
cfg_check_keys(
    struct cfg_rd *rd, const struct cfg_node *g, const char *const *known)
{
	struct cfg_node n;
	const char *name;
	size_t i;
	int k;

	for (k = 0; k < cfg_node_count(g); k++) {
		name = cfg_node_member(g, k, &n);
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(name, known[i]) == 0)
				break;
		if (known[i] == NULL)
			cfg_bad(rd, &n, "unknown setting");
	}
}

/* The member NAME of G as a group; 0, or -1 when absent or unusable. */
int
cfg_get_group(struct cfg_rd *rd, const struct cfg_node *g, const char *name,
    struct cfg_node *c)
{
	cfg_node_child(g, name, c);
	if (c->s == NULL)
		return -1;
	if (!config_setting_is_group(c->s)) {
		unusable(rd, c, "expected a group");
		return -1;
	}
	return 0;
}

/* The string at N (borrowed), or NULL when absent or not a string. */
const char *
cfg_get_str(struct cfg_rd *rd, const struct cfg_node *n, int req)
{
	if (!cfg_present(rd, n, req))
		return NULL;
	if (config_setting_type(n->s) != CONFIG_TYPE_STRING) {
		cfg_bad(rd, n, "expected a string");
		return NULL;
	}
	return config_setting_get_string(n->s);
}

/* As cfg_get_str(), but an empty string is a problem too. */
const char *
cfg_get_text(struct cfg_rd *rd, const struct cfg_node *n, int req)
{
	const char *s;

	if ((s = cfg_get_str(rd, n, req)) != NULL && *s == '\0') {
		cfg_bad(rd, n, "must not be empty");
		return NULL;
	}
	return s;
}

/* The member NAME of G as a non-empty string, copied to *out. */
const char *
cfg_get_dup(struct cfg_rd *rd, const struct cfg_node *g, const char *name,
    int req, char **out)
{
	struct cfg_node n;
	const char *s;

	cfg_node_child(g, name, &n);
	if ((s = cfg_get_text(rd, &n, req)) != NULL)
		*out = xstrdup(s);
	return s;
}

/* The integer member NAME of G into *out when present and in LO..HI. */
void
cfg_get_int(struct cfg_rd *rd, const struct cfg_node *g, const char *name,
    long long lo, long long hi, int *out)
{
	struct cfg_node n;
	long long v;

	cfg_node_child(g, name, &n);
	if (!cfg_present(rd, &n, CFG_OPT))
		return;
	if (config_setting_type(n.s) != CONFIG_TYPE_INT &&
	    config_setting_type(n.s) != CONFIG_TYPE_INT64) {
		cfg_bad(rd, &n, "expected an integer");
		return;
	}
	v = config_setting_get_int64(n.s);
	if (v < lo || v > hi)
		cfg_bad(rd, &n, "%lld is out of range (%lld..%lld)", v, lo, hi);
	else
		*out = (int)v;
}

/* The boolean member NAME of G into *out when present. */
void
cfg_get_bool(
    struct cfg_rd *rd, const struct cfg_node *g, const char *name, int *out)
{
	struct cfg_node n;

	cfg_node_child(g, name, &n);
	if (!cfg_present(rd, &n, CFG_OPT))
		return;
	if (config_setting_type(n.s) != CONFIG_TYPE_BOOL)
		cfg_bad(rd, &n, "expected a boolean (true or false)");
	else
		*out = config_setting_get_bool(n.s);
}

/* Copy the list of strings at N into V; 0, or -1 when absent or bad. */
int
cfg_get_strv(struct cfg_rd *rd, struct cfg_node *n, int req, struct cfg_strv *v)
{
	const config_setting_t *e;
	int i, len;

	if (!cfg_present(rd, n, req))
		return -1;
	if (!config_setting_is_array(n->s) && !config_setting_is_list(n->s))
		goto fail;
	len = config_setting_length(n->s);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(n->s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			goto fail;
	}
	cfg_strv_clear(v);
	v->v = xcalloc((size_t)len, sizeof *v->v);
	for (v->n = 0; v->n < (size_t)len; v->n++)
		v->v[v->n] =
		    xstrdup(config_setting_get_string_elem(n->s, (int)v->n));
	return 0;
fail:
	unusable(rd, n, "expected a list of strings");
	return -1;
}

/* The list of groups NAME in G as L, and its length. */
int
cfg_get_groups(struct cfg_rd *rd, const struct cfg_node *g, const char *name,
    struct cfg_node *l)
{
	cfg_node_child(g, name, l);
	if (l->s == NULL)
		return 0;
	/* An empty array "[]" is as good as an empty list "()". */
	if (config_setting_is_list(l->s) ||
	    (config_setting_is_array(l->s) && config_setting_length(l->s) == 0))
		return config_setting_length(l->s);
	unusable(rd, l, "expected a list of groups");
	return 0;
}

/* Element I of list L as a group; 0, or -1 when it is not one. */
int
cfg_get_elem(
    struct cfg_rd *rd, const struct cfg_node *l, int i, struct cfg_node *e)
{
	cfg_node_elem(l, i, e);
	if (!config_setting_is_group(e->s)) {
		unusable(rd, e, "expected a group");
		return -1;
	}
	return 0;
}

/* Parse PATH with libconfig into CF; on failure set *cause. */
static int
parse(config_t *cf, const struct cfg_rd *rd, char **cause)
{
	const char *path = rd->path;
	char *inc, *file, quote[72];
	const char *text;
	struct stat sb;
	FILE *fp;
	int isdir;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	isdir = fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode);
	fclose(fp);
	if (isdir) {
		xasprintf(cause, "%s: cannot open: %s", path, strerror(EISDIR));
		return -1;
	}
	if (cfg_include_check(rd, cause) != 0)
		return -1;
	if (rd->dir[0] != '\0') {
		/* "dir/" -> "dir", but "/" stays "/" */
		inc = xstrndup(
		    rd->dir, strlen(rd->dir) > 1 ? strlen(rd->dir) - 1 : 1);
		config_set_include_dir(cf, inc);
		free(inc);
	}
	if (config_read_file(cf, path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		xasprintf(cause, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	file = source_file(rd, config_error_file(cf));
	text = config_error_text(cf);
	if (text != NULL && strcmp(text, "syntax error") == 0 &&
	    source_line(file, config_error_line(cf), quote, sizeof(quote)))
		xasprintf(cause,
		    "%s:%d: syntax error in \"%s\" (strings need double "
		    "quotes, and each setting ends with ';')",
		    file, config_error_line(cf), quote);
	else
		xasprintf(cause, "%s:%d: syntax error: %s", file,
		    config_error_line(cf), text != NULL ? text : "unknown");
	free(file);
	return -1;
}

/* Parse, read and check PATH; every problem goes to *cause. */
struct cfg *
cfg_load(const char *path, char **cause)
{
	struct cfg_errs errs = { NULL, 0 };
	struct cfg_rd rd = { NULL, &errs, path, NULL, 0 };
	struct cfg_node root;
	const char *slash;
	config_t cf;
	int rc;

	slash = strrchr(path, '/');
	rd.dir = xstrndup(path, slash != NULL ? (size_t)(slash - path) + 1 : 0);
	config_init(&cf);
	if ((rc = parse(&cf, &rd, cause)) == 0) {
		rd.cfg = xcalloc(1, sizeof *rd.cfg);
		rd.cfg->path = xstrdup(path);
		memset(&root, 0, sizeof root);
		root.s = config_root_setting(&cf);
		cfg_read_sections(&rd, &root);
	}
	config_destroy(&cf);
	free(rd.dir);
	if (rc == -1)
		return NULL;
	if (errs.n != 0) {
		*cause = errs_join(&errs, path);
		cfg_free(rd.cfg);
		return NULL;
	}
	return rd.cfg;
}
