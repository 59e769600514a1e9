/*
 * fuzz_rules — libFuzzer target for the rule file reader.
 *
 * Each input is one rule file's text, built two ways:
 *   1. alone: rules_builder_add() + rules_builder_finish() — the reader and
 *      every "missing section" and reference error of the decoder;
 *   2. after the shipped rules.d files (read once, at start-up), as a local
 *      overlay in /etc/claimscrub/rules.d would be: rules_builder_visit()
 *      over the merged tree for the default and the medicare profile, the
 *      way `claimscrub rules show` walks it, then rules_builder_finish().
 * When a rule set comes out valid, the example claims (examples/,
 * parsed once) are scrubbed with it and their results written as JSON, so a
 * rule set the loader accepts can never crash the engine.
 *
 * Seeds: the files of rules.d, tests/rules-bad, tests/rules-local and
 * tests/cases/rules (tests/fuzz/run.sh).
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/scrubber.h"

#define MAX_FILES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One directory's *.yaml files, read once, in lexical order. */
struct files {
	char *name[MAX_FILES];
	char *text[MAX_FILES];
	size_t len[MAX_FILES];
	size_t n;
};

static struct files shipped;  /* rules.d */
static struct files examples; /* examples/: their text */
static struct claimdoc *example_docs[MAX_FILES];

static int
is_yaml(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && n > 5 &&
	       strcmp(e->d_name + n - 5, ".yaml") == 0;
}

/* Reads every *.yaml file of dir into f; exits when dir cannot be read, so
 * a broken harness is never mistaken for a clean run. */
static void
read_dir(const char *dir, struct files *f)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, is_yaml, alphasort);
	if (n <= 0) {
		fprintf(stderr, "fuzz_rules: no *.yaml files in %s\n", dir);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct diag_list dl = {0};
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (f->n < MAX_FILES &&
		    fileio_read(path, FILEIO_MAX_BYTES, &f->text[f->n],
				&f->len[f->n], &dl) == SCRUB_OK)
			f->name[f->n++] = strdup(path);
		diag_list_free(&dl);
		free(ents[i]);
	}
	free(ents);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	read_dir(CLAIMSCRUB_SRC_RULES, &shipped);
	read_dir(CLAIMSCRUB_SRC_RULES "/../examples", &examples);
	for (size_t i = 0; i < examples.n; i++) {
		struct diag_list dl = {0};
		claimdoc_parse(examples.name[i], examples.text[i],
			       examples.len[i], &example_docs[i], &dl);
		diag_list_free(&dl);
	}
	return 0;
}

/* Scrubs every example claim with rs and renders the results. */
static void
scrub_examples(const struct ruleset *rs)
{
	struct strbuf out = STRBUF_INIT;
	(void)rules_version(rs);
	(void)rules_has_profile(rs, "medicare");
	for (size_t i = 0; i < examples.n; i++) {
		for (size_t j = 0;
		     example_docs[i] && j < claimdoc_count(example_docs[i]);
		     j++) {
			const struct claim *c =
				claimdoc_claim(example_docs[i], j);
			struct result *r = NULL;
			if (!c || scrub_claim(rs, c, &r) != SCRUB_OK)
				continue;
			strbuf_reset(&out);
			result_json(r, &out);
			result_free(r);
		}
	}
	strbuf_free(&out);
}

/* Counts the nodes of a walk and touches every string it hands out. */
static void
visit_count(void *arg, const struct rules_visit *v)
{
	size_t *n = arg;
	*n += (v->key ? strlen(v->key) : 0) +
	      (v->value ? strlen(v->value) : 0) + strlen(v->file) + v->line;
}

/* Adds the shipped files (when `overlay`) then the input, from a heap copy
 * freed right after (the builder must not borrow it); walks; finishes. */
static void
build(const uint8_t *data, size_t size, int overlay)
{
	struct diag_list dl = {0};
	struct rules_builder *b = rules_builder_new();
	struct ruleset *rs = NULL;
	char *copy = malloc(size ? size : 1);
	if (!b || !copy) {
		rules_builder_free(b);
		free(copy);
		return;
	}
	memcpy(copy, data, size);
	for (size_t i = 0; overlay && i < shipped.n; i++)
		rules_builder_add(b, shipped.name[i], shipped.text[i],
				  shipped.len[i], &dl);
	rules_builder_add(b, "/etc/claimscrub/rules.d/90-fuzz.yaml", copy, size,
			  &dl);
	free(copy);
	if (overlay) {
		size_t n = 0;
		rules_builder_visit(b, NULL, visit_count, &n);
		rules_builder_visit(b, "medicare", visit_count, &n);
	}
	if (rules_builder_finish(b, &rs, &dl) == SCRUB_OK && rs)
		scrub_examples(rs);
	char msg[512];
	for (size_t i = 0; i < dl.n; i++)
		diag_format(&dl.items[i], msg, sizeof(msg));
	rules_free(rs);
	rules_builder_free(b);
	diag_list_free(&dl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	build(data, size, 0);
	build(data, size, 1);
	return 0;
}
