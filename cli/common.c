/*
 * common — rule discovery and diagnostics printing shared by subcommands.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("claimscrub: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool
cli_rules_add(struct cli_rules *r, const char *dir)
{
	if (r->n == CLI_MAX_RULE_DIRS)
		return false;
	r->dirs[r->n++] = dir;
	return true;
}

static bool
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* True when this program is the one built in the build tree, so the
 * source tree's rules.d applies without being named (tests, demo). */
static bool
in_build_tree(void)
{
	char exe[PATH_MAX], top[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || !realpath(CLAIMSCRUB_BUILDDIR, top))
		return false;
	exe[n] = '\0';
	size_t len = strlen(top);
	return strncmp(exe, top, len) == 0 && exe[len] == '/';
}

void
cli_rules_default(struct cli_rules *r)
{
	if (r->n)
		return;
	const char *env = getenv("CLAIMSCRUB_RULES");
	if (env && *env) {
		snprintf(r->env_copy, sizeof(r->env_copy), "%s", env);
		for (char *p = r->env_copy, *next; p && *p; p = next) {
			next = strchr(p, ':');
			if (next)
				*next++ = '\0';
			if (*p)
				cli_rules_add(r, p);
		}
		return;
	}
	if (in_build_tree() && is_dir(CLAIMSCRUB_SRC_RULES)) {
		cli_rules_add(r, CLAIMSCRUB_SRC_RULES);
		return;
	}
	cli_rules_add(r, CLAIMSCRUB_DATA_RULES);
	if (is_dir(CLAIMSCRUB_ETC_RULES))
		cli_rules_add(r, CLAIMSCRUB_ETC_RULES);
}

struct ruleset *
cli_rules_load(struct cli_rules *r)
{
	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	cli_rules_default(r);
	enum scrub_err err = rules_load_dirs(r->dirs, r->n, &rs, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		cli_error("out of memory loading rules");
	return rs;
}

/* The text of line `line` (1-based) of buf, into out (escaped, cut). */
static bool
source_line(const char *buf, size_t len, unsigned line, char *out, size_t size)
{
	size_t i = 0;
	for (unsigned l = 1; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	if (i >= len && line > 1)
		return false;
	size_t o = 0;
	for (; i < len && buf[i] != '\n' && o + 1 < size; i++)
		out[o++] = (unsigned char)buf[i] < 0x20 && buf[i] != '\t'
				   ? '?'
				   : buf[i];
	out[o] = '\0';
	return true;
}

static void
print_context(const struct diag *d)
{
	char *buf;
	size_t len;
	char text[160];
	struct diag_list ignore = {0};
	if (!d->line || fileio_read(d->file, FILEIO_MAX_BYTES, &buf, &len,
				    &ignore) != SCRUB_OK) {
		diag_list_free(&ignore);
		return;
	}
	if (source_line(buf, len, d->line, text, sizeof(text))) {
		fprintf(stderr, "  %s\n  ", text);
		for (unsigned c = 1; c < d->column && c < sizeof(text); c++)
			fputc(text[c - 1] == '\t' ? '\t' : ' ', stderr);
		fputs("^\n", stderr);
	}
	free(buf);
}

void
cli_print_diags(const struct diag_list *dl, bool context)
{
	char line[1024];
	for (size_t i = 0; i < dl->n; i++) {
		diag_format(&dl->items[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		if (context && strcmp(dl->items[i].file, "-") != 0)
			print_context(&dl->items[i]);
	}
}
