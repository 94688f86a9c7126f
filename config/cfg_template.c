/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which text a reply uses: the config's for its language, else the built-in
 * one (lib/template.c), with English as the last resort. Pure.
 */
#include <string.h>

#include "config/cfg.h"
#include "lib/template.h"

/* The configured text for (LANG, NAME), or NULL. */
static const char *
cfg_template_text(const struct cfg *cfg, const char *lang, const char *name)
{
	size_t i;

	if (cfg == NULL)
		return NULL;
	for (i = 0; i < cfg->ntemplates; i++)
		if (strcmp(cfg->templates[i].lang, lang) == 0 &&
		    strcmp(cfg->templates[i].name, name) == 0)
			return cfg->templates[i].text;
	return NULL;
}

char *
template_render(const struct cfg *cfg, const char *lang, const char *name,
    const struct template_var *vars, size_t nvars)
{
	const char *text;

	if (name == NULL)
		return NULL;
	if (lang == NULL)
		lang = "en";
	if ((text = cfg_template_text(cfg, lang, name)) == NULL &&
	    (text = template_default(lang, name)) == NULL &&
	    (text = cfg_template_text(cfg, "en", name)) == NULL &&
	    (text = template_default("en", name)) == NULL)
		return NULL;
	return template_fill(name, text, vars, nvars);
}
