/*
 * rulesdir — rules_load_dirs(): rule directories from disk into a builder.
 * Kept apart from rules.c so the rule reader itself works on buffers only.
 */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>

#include "fileio.h"
#include "rules.h"

#define RULES_MAX_FILES 256
#define RULES_MAX_FILE_BYTES FILEIO_MAX_BYTES

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_rule_file(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* The sorted *.yaml names of dir (caller frees each and the array). */
static enum scrub_err
list_dir(const char *dir, char ***names, size_t *n, struct diag_list *dl)
{
	DIR *d = opendir(dir);
	*names = NULL;
	*n = 0;
	if (!d) {
		diag_add(dl, dir, 0, 0, "cannot open rule directory: %s",
			 strerror(errno));
		return SCRUB_EIO;
	}
	char **v = calloc(RULES_MAX_FILES, sizeof(*v));
	enum scrub_err err = v ? SCRUB_OK : SCRUB_ENOMEM;
	struct dirent *e;
	while (err == SCRUB_OK && (e = readdir(d)) != NULL) {
		if (!is_rule_file(e->d_name))
			continue;
		if (*n == RULES_MAX_FILES) {
			diag_add(dl, dir, 0, 0, "more than %d rule files",
				 RULES_MAX_FILES);
			err = SCRUB_ELIMIT;
		} else if (!(v[(*n)++] = strdup(e->d_name))) {
			err = SCRUB_ENOMEM;
		}
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), name_cmp);
	*names = v;
	return err;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static enum scrub_err
add_dir(struct rules_builder *b, const char *dir, struct diag_list *dl)
{
	char **names;
	size_t n;
	enum scrub_err err = list_dir(dir, &names, &n, dl);
	for (size_t i = 0; err == SCRUB_OK && i < n; i++) {
		char path[4096];
		char *buf;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		err = fileio_read(path, RULES_MAX_FILE_BYTES, &buf, &len, dl);
		if (err != SCRUB_OK)
			break;
		enum scrub_err e = rules_builder_add(b, path, buf, len, dl);
		free(buf);
		/* keep going after a syntax error: report every file's */
		if (e == SCRUB_ENOMEM)
			err = e;
	}
	free_names(names, n);
	return err;
}

enum scrub_err
rules_builder_add_dirs(struct rules_builder *b, const char *const *dirs,
		       size_t ndirs, struct diag_list *dl)
{
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; err == SCRUB_OK && i < ndirs; i++)
		err = add_dir(b, dirs[i], dl);
	return err;
}

enum scrub_err
rules_load_dirs(const char *const *dirs, size_t ndirs, struct ruleset **out,
		struct diag_list *dl)
{
	struct rules_builder *b = rules_builder_new();
	enum scrub_err err = b ? SCRUB_OK : SCRUB_ENOMEM;
	*out = NULL;
	if (err == SCRUB_OK)
		err = rules_builder_add_dirs(b, dirs, ndirs, dl);
	if (err == SCRUB_OK)
		err = rules_builder_finish(b, out, dl);
	rules_builder_free(b);
	return err;
}

static bool
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
rules_from_build_tree(void)
{
	char exe[PATH_MAX], top[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || !realpath(CLAIMSCRUB_BUILDDIR, top))
		return false;
	exe[n] = '\0';
	size_t len = strlen(top);
	return strncmp(exe, top, len) == 0 && exe[len] == '/';
}

size_t
rules_default_dirs(const char **dirs, size_t max, char *scratch,
		   size_t scratch_size)
{
	size_t n = 0;
	const char *env = getenv("CLAIMSCRUB_RULES");
	if (env && *env && scratch_size > 0) {
		snprintf(scratch, scratch_size, "%s", env);
		for (char *p = scratch, *next; p && *p && n < max; p = next) {
			next = strchr(p, ':');
			if (next)
				*next++ = '\0';
			if (*p)
				dirs[n++] = p;
		}
		return n;
	}
	if (max == 0)
		return 0;
	if (rules_from_build_tree() && is_dir(CLAIMSCRUB_SRC_RULES)) {
		dirs[n++] = CLAIMSCRUB_SRC_RULES;
		return n;
	}
	dirs[n++] = CLAIMSCRUB_DATA_RULES;
	if (n < max && is_dir(CLAIMSCRUB_ETC_RULES))
		dirs[n++] = CLAIMSCRUB_ETC_RULES;
	return n;
}
