/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for reply templates (lib/template.c): the first
 * byte picks a template name, the rest is "<text>\t<value>": the text of a
 * configured template and the value every placeholder gets. Through
 * template_check(), template_check_for(), template_worst_segments() and,
 * configured as that template in English, template_render(). Promises: a
 * refusal has a cause; what is fit for one template is fit as a template;
 * a rendered reply exists, also for a language with no text of its own,
 * and is valid UTF-8 when text and value are; the worst case is at least
 * one segment.
 *
 * `make check` replays tests/fuzz/corpus/template/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "lib/lang.h"
#include "lib/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_vars[] = { "code", "label", "agency", "priority",
	"region", "persons", "status", "keywords", "count", "cases", "reason",
	"note", "phone", "nosuch" };
#define FUZZ_NVARS (sizeof(fuzz_vars) / sizeof(fuzz_vars[0]))

/* Render NAME configured as TEXT, every placeholder VALUE. */
static void
fuzz_render(const char *name, char *text, const char *value)
{
	struct template_var vars[FUZZ_NVARS];
	struct cfg_template t;
	struct cfg cfg;
	size_t i;
	char *out;

	memset(&cfg, 0, sizeof(cfg));
	memset(&t, 0, sizeof(t));
	memcpy(t.lang, "en", 3);
	t.name = (char *)(uintptr_t)name;
	t.text = text;
	cfg.templates = &t;
	cfg.ntemplates = 1;
	for (i = 0; i < FUZZ_NVARS; i++) {
		vars[i].name = fuzz_vars[i];
		vars[i].value = i % 5 == 4 ? NULL : value;
	}
	if ((out = template_render(&cfg, "en", name, vars, FUZZ_NVARS)) == NULL)
		abort();
	if (lang_utf8_valid(text, strlen(text)) &&
	    lang_utf8_valid(value, strlen(value)) &&
	    !lang_utf8_valid(out, strlen(out)))
		abort();
	free(out);
	/* a language without a text of its own falls back to it */
	if ((out = template_render(&cfg, "fr", name, vars, 2)) == NULL)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name, *value = "";
	char *s, *tab, *cause = NULL;
	int any, one;

	if (size == 0)
		return 0;
	name = template_name(data[0] % template_count());
	if (name == NULL || !template_known(name))
		abort();
	if ((s = malloc(size)) == NULL)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if ((tab = strchr(s, '\t')) != NULL) {
		*tab = '\0';
		value = tab + 1;
	}

	if ((any = template_check(s, &cause)) == -1) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
		cause = NULL;
	} else if (any != 0 || cause != NULL)
		abort();
	if ((one = template_check_for(name, s, &cause)) == -1) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
	} else if (one != 0 || any != 0)
		abort();
	if (template_check_for(NULL, s, &cause) != -1)
		abort();
	free(cause);

	if (template_worst_segments(s) < 1)
		abort();
	fuzz_render(name, s, value);
	free(s);
	return 0;
}
