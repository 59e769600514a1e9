/*
 * import — `claimscrub import [--format x12|fhir|hl7] [--out DIR] FILE...`:
 * reads X12 837P/837I files (scrubber/x12.h) and writes each claim as its
 * canonical claim document (claimjson.h): to DIR/CLAIMID.json, or to
 * standard output one document a line (JSON Lines).  --format fhir reads
 * FHIR MedicationAdministration resources (scrubber/fhir.h), --format hl7
 * HL7 v2 RAS^O17 messages (scrubber/hl7.h); both print each administration
 * as its MAR record (marrec.h), one a line, or with --submit store them in
 * claimscrub.mar_event (a file in one statement, intake_db.c).
 *
 * All or nothing per file: a file with any error writes nothing (its
 * errors go to standard error in compiler form); with --out its documents
 * are written to temporary files first and renamed into place only once
 * every one was written.  A claim that is not an original says so on
 * standard error: a void (8) is reported, not written; a replacement (7)
 * is written, with a note that the queue does not apply it yet.  (An
 * original says nothing: a line each would bury the rest under 100,000
 * lines of a day's batch.)
 * Each claim's setting is the one the rules' setting_map gives its
 * place of service (837P) or type of bill (837I) on its date of service
 * (scrubber/setmap.h); a claim whose code no row has is not written.
 * Administrations are empty, an 837 having no administration times,
 * unless --mar names MAR files: then each claim's are paired from the
 * records of its encounter (cli/marjoin.h), and a claim whose records
 * cannot all be mapped is not written.
 * Exit 0 every file read, 1 a file bad or not written, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/entry.h"
#include "cli/intake.h"
#include "cli/marjoin.h"
#include "cli/termsafe.h"

/* --format, indexed by enum import_format. */
enum import_format { IMPORT_X12, IMPORT_FHIR, IMPORT_HL7 };
static const char *const formats[] = {"x12", "fhir", "hl7", NULL};

struct import_state {
	const char *dir; /* --out; NULL: standard output */
	bool submit;	 /* --submit: into the queue, not written out */
	const char *conninfo;
	PGconn *conn; /* --submit: opened at the first good file */
	long stored;  /* --submit of MAR records: the last file's rows */
	struct strbuf out;
	bool bad;
	bool fatal; /* no database to go on with */
	/* the rules: setting_map gives each claim its setting; with --mar,
	 * mar_map pairs the records joined */
	const struct ruleset *rs;
	struct marjoin *mar;
	enum marjoin_key key;
};

/* A claim id that can name a file in DIR as it is: letters, digits, '.',
 * '_' and '-', not opening with '.' (no "..", no hidden files). */
static bool
file_name_ok(const char *id)
{
	if (!*id || *id == '.')
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789._-") == strlen(id);
}

static int
cmp_ref(const void *a, const void *b)
{
	const struct x12_claim *const *x = a, *const *y = b;
	return strcmp((*x)->claim.ref, (*y)->claim.ref);
}

/* Claims written to one place must have distinct ids that can name a
 * file: false (said) when two share an id or one cannot be a name. */
static bool
ids_ok(const char *path, const struct x12 *x, const char *dir)
{
	size_t n = x12_count(x);
	const struct x12_claim **v = calloc(n + 1, sizeof(*v));
	bool ok = v != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		v[i] = x12_claim(x, i);
		if (dir && !file_name_ok(v[i]->claim.ref)) {
			cli_error("%s: claim '%s' (segment %u): its id cannot "
				  "name a file in --out; use standard output",
				  path, v[i]->claim.ref, v[i]->segment);
			ok = false;
		}
	}
	if (ok)
		qsort(v, n, sizeof(*v), cmp_ref);
	for (size_t i = 1; ok && i < n; i++)
		if (strcmp(v[i - 1]->claim.ref, v[i]->claim.ref) == 0) {
			cli_error("%s: claim id '%s' is used twice (segments "
				  "%u and %u)",
				  path, v[i]->claim.ref, v[i - 1]->segment,
				  v[i]->segment);
			ok = false;
		}
	if (!v)
		cli_error("%s: out of memory", path);
	free(v);
	return ok;
}

/* Says what a replacement's or a void's frequency means for it; true when
 * the claim is written. */
static bool
say_frequency(const char *path, const struct x12_claim *c)
{
	const char *what;
	if (c->frequency == X12_REPLACEMENT)
		what = "7, replacement; written as a claim (import --submit "
		       "replaces the queued claim)";
	else if (c->frequency == X12_VOID)
		what = "8, void; not written (import --submit voids the "
		       "queued claim)";
	else
		return true;
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	fputs(": claim ", stderr);
	termsafe_put(stderr, c->claim.ref);
	fprintf(stderr, " (segment %u): frequency %s\n", c->segment, what);
	return c->frequency != X12_VOID;
}

/* DIR/ID.json, or its temporary name DIR/.ID.json.tmp. */
static void
doc_path(const char *dir, const char *id, bool tmp, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s.json%s", dir, tmp ? "." : "", id,
		 tmp ? ".tmp" : "");
}

static bool
write_file(const char *name, const struct strbuf *sb)
{
	FILE *f = fopen(name, "w");
	if (!f)
		return false;
	bool ok = fwrite(sb->data, 1, sb->len, f) == sb->len;
	return (fclose(f) == 0) && ok;
}

/* Writes the written claims of x to their temporary files, then renames
 * them all; on a failure removes the temporary files.  False (said) when
 * any could not be written. */
static bool
write_dir(struct import_state *st, const struct x12 *x, const bool *keep,
	  const struct claim *docs)
{
	char tmp[4096], final[4096];
	size_t n = x12_count(x), done = 0;
	bool ok = true;
	for (; ok && done < n; done++) {
		const struct claim *c = &docs[done];
		if (!keep[done])
			continue;
		strbuf_reset(&st->out);
		claimjson_write(c, &st->out);
		strbuf_putc(&st->out, '\n');
		doc_path(st->dir, c->ref, true, tmp, sizeof(tmp));
		ok = !st->out.failed && write_file(tmp, &st->out);
		if (!ok)
			cli_error("import: cannot write %s: %s", tmp,
				  strerror(errno));
	}
	for (size_t i = 0; i < done; i++) {
		const char *ref = x12_claim(x, i)->claim.ref;
		if (!keep[i])
			continue;
		doc_path(st->dir, ref, true, tmp, sizeof(tmp));
		doc_path(st->dir, ref, false, final, sizeof(final));
		if (!ok) {
			unlink(tmp);
		} else if (rename(tmp, final) != 0) {
			cli_error("import: cannot rename %s: %s", tmp,
				  strerror(errno));
			ok = false;
		}
	}
	return ok;
}

/* The lines gathered in st->out on standard output, in one write; false
 * (said) when they could not be made or written. */
static bool
put_out(struct import_state *st)
{
	if (st->out.failed) {
		cli_error("import: out of memory");
		return false;
	}
	bool ok = fwrite(st->out.data ? st->out.data : "", 1, st->out.len,
			 stdout) == st->out.len &&
		  fflush(stdout) == 0;
	if (!ok)
		cli_error("import: cannot write standard output: %s",
			  strerror(errno));
	return ok;
}

/* Writes the claims as JSON Lines on standard output, in one write. */
static bool
write_stdout(struct import_state *st, const struct x12 *x, const bool *keep,
	     const struct claim *docs)
{
	strbuf_reset(&st->out);
	for (size_t i = 0; i < x12_count(x); i++) {
		if (!keep[i])
			continue;
		claimjson_write(&docs[i], &st->out);
		strbuf_putc(&st->out, '\n');
	}
	return put_out(st);
}

/* "import: FILE: claim ID: " on standard error, escaped. */
static void
say_claim(const char *path, const char *ref)
{
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	fputs(": claim ", stderr);
	termsafe_put(stderr, ref);
	fputs(": ", stderr);
}

/* A claim no MAR record of the files joined.  With --submit it goes into
 * the queue with its encounter and waits there for its record
 * (mar_wait_minutes; then mar-missing holds it).  Written out, it has no
 * administrations, so one that bills a drug-administration service would
 * be judged as if nothing had been given (every such line flagged,
 * "remove the line"): that one is held.  False when held (said, and the
 * run fails). */
static bool
no_records(struct import_state *st, const char *path,
	   const struct x12_claim *xc, const char *key, struct claim *doc)
{
	const char *code = marjoin_administration_code(st->rs, &xc->claim);
	say_claim(path, xc->claim.ref);
	fputs("no MAR records for ", stderr);
	if (key) {
		fputs("encounter '", stderr);
		termsafe_put(stderr, key);
		fprintf(stderr, "' (%s)", marjoin_keys[st->key]);
	} else {
		fputs("it: it has no REF*EA", stderr);
	}
	if (st->submit && key) {
		doc->encounter = key;
		fputs("; submitted to wait for them in the queue\n", stderr);
		return true;
	}
	if (!code) {
		fputs("; written without administrations\n", stderr);
		return true;
	}
	fputs("; not written: it bills ", stderr);
	termsafe_put(stderr, code);
	fputs(", which cannot be judged without its administration "
	      "record\n",
	      stderr);
	st->bad = true;
	return false;
}

/* The setting of claim xc from setting_map (setmap.h) into *setting;
 * false (the diagnostic printed) when its CLM05-1 has no row. */
static bool
map_setting(struct import_state *st, const char *path,
	    const struct x12_claim *xc, enum claim_setting *setting)
{
	struct diag_list dl = {0};
	enum scrub_err err = setmap_claim(st->rs, path, xc, setting, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		cli_error("import: %s: out of memory", path);
	return err == SCRUB_OK;
}

/* With --mar, doc's administrations from the records joined on its key;
 * with --submit and no --mar, its encounter (the key), whose records the
 * daemon joins.  False when it is not to be written (held, said). */
static bool
join_records(struct import_state *st, const char *path,
	     const struct x12_claim *xc, struct claim *doc, size_t *joined)
{
	const char *key;
	if (!st->mar) {
		if (st->submit)
			doc->encounter = marjoin_key_of(xc, st->key);
		return true;
	}
	switch (marjoin_claim(st->mar, st->rs, xc, st->key, doc, &key)) {
	case MARJOIN_NONE:
		return no_records(st, path, xc, key, doc);
	case MARJOIN_JOINED:
		(*joined)++;
		return true;
	case MARJOIN_HELD:
		say_claim(path, xc->claim.ref);
		fputs("not written: its MAR records cannot all be paired "
		      "(above)\n",
		      stderr);
		st->bad = true;
		return false;
	case MARJOIN_NOMEM:
		break;
	}
	cli_error("import: %s: out of memory", path);
	st->bad = true;
	return false;
}

/* Claim i's document: its setting from setting_map, with --mar its
 * administrations.  False when it is not to be written (held, said); an
 * unmapped setting and unpaired records are both said. */
static bool
join_one(struct import_state *st, const char *path, const struct x12 *x,
	 size_t i, struct claim *doc, size_t *joined)
{
	const struct x12_claim *xc = x12_claim(x, i);
	enum claim_setting setting = xc->claim.setting;
	bool mapped = map_setting(st, path, xc, &setting);
	*doc = xc->claim;
	bool ok = join_records(st, path, xc, doc, joined);
	doc->setting = setting;
	if (!mapped) {
		say_claim(path, xc->claim.ref);
		fputs("not written: no setting_map row gives its setting "
		      "(above)\n",
		      stderr);
		st->bad = true;
	}
	return mapped && ok;
}

/* --submit: the claims of one good file kept into the queue, in one
 * transaction (docs: their documents, joined); false (said) when the
 * database refused the file. */
static bool
submit_docs(struct import_state *st, const char *path, const struct x12 *x,
	    const bool *keep, const struct claim *docs, size_t joined)
{
	struct intake_counts n;
	if (!st->conn && !(st->conn = cli_db_connect(st->conninfo))) {
		st->fatal = true;
		return false;
	}
	if (!intake_submit(st->conn, path, x, keep, docs, &st->out, &n)) {
		st->fatal = PQstatus(st->conn) != CONNECTION_OK;
		return false;
	}
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	fprintf(stderr,
		": %zu claims read, %zu submitted (%zu replacements), %zu "
		"voided, %zu voids of claims not queued",
		x12_count(x), n.submitted, n.replacements, n.voided,
		n.void_unknown);
	if (st->mar)
		fprintf(stderr, ", %zu with MAR administrations", joined);
	fputc('\n', stderr);
	return true;
}

/* The claims of one good file: their frequencies said (or, with
 * --submit, applied), joined to their MAR records (--mar), then written or
 * submitted. */
static bool
emit(struct import_state *st, const char *path, const struct x12 *x)
{
	size_t n = x12_count(x), nkeep = 0, joined = 0;
	bool *keep = calloc(n + 1, sizeof(*keep));
	struct claim *docs = calloc(n + 1, sizeof(*docs));
	if (!keep || !docs || !ids_ok(path, x, st->dir)) {
		if (!keep || !docs)
			cli_error("import: %s: out of memory", path);
		free(keep);
		free(docs);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		/* --submit applies a void: it is kept, with nothing to join */
		const struct x12_claim *c = x12_claim(x, i);
		if (st->submit && c->frequency == X12_VOID)
			keep[i] = true;
		else
			keep[i] = (st->submit || say_frequency(path, c)) &&
				  join_one(st, path, x, i, &docs[i], &joined);
		nkeep += keep[i];
	}
	bool ok;
	if (st->submit) {
		ok = submit_docs(st, path, x, keep, docs, joined);
		free(docs);
		free(keep);
		return ok;
	}
	ok = st->dir ? write_dir(st, x, keep, docs)
		     : write_stdout(st, x, keep, docs);
	if (ok) {
		fputs("import: ", stderr);
		termsafe_put(stderr, path);
		fprintf(stderr, ": %zu claims read, %zu written", n, nkeep);
		if (st->mar)
			fprintf(stderr, ", %zu with MAR administrations",
				joined);
		fputc('\n', stderr);
	}
	free(docs);
	free(keep);
	return ok;
}

/* One file: read, parsed, written; false when anything failed. */
static bool
import_file(struct import_state *st, const char *path)
{
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum scrub_err err = fileio_read(path, X12_MAX_BYTES, &buf, &len, &dl);
	if (err == SCRUB_OK)
		err = x12_parse(path, buf, len, &x, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		cli_error("import: %s: out of memory", path);
	bool ok = err == SCRUB_OK && emit(st, path, x);
	x12_free(x);
	free(buf);
	return ok;
}

/* fhir_read and hl7_read, their counts reduced to what is skipped. */
static enum scrub_err
read_fhir(struct arena *a, const char *path, const char *buf, size_t len,
	  struct mar_record **recs, size_t *n, size_t *skipped,
	  struct diag_list *dl)
{
	struct fhir_counts counts = {0};
	enum scrub_err err = fhir_read(a, path, buf, len, recs, n, &counts, dl);
	*skipped = counts.skipped;
	return err;
}

static enum scrub_err
read_hl7(struct arena *a, const char *path, const char *buf, size_t len,
	 struct mar_record **recs, size_t *n, size_t *skipped,
	 struct diag_list *dl)
{
	struct hl7_counts counts = {0};
	enum scrub_err err = hl7_read(a, path, buf, len, recs, n, &counts, dl);
	*skipped = counts.skipped;
	return err;
}

/* The readers of MAR records, one row per format that has one: the
 * input's limit, the call, and how the summary names what was read and
 * what was skipped. */
static const struct mar_format {
	enum import_format format;
	size_t max_bytes;
	marjoin_read_fn *read;
	const char *records, *skipped;
} mar_formats[] = {
	{IMPORT_FHIR, FHIR_MAX_BYTES, read_fhir,
	 "MedicationAdministration records", "other resources"},
	{IMPORT_HL7, HL7_MAX_BYTES, read_hl7, "RXA administration records",
	 "messages of other types"},
};

/* The row of format f, or NULL for X12 (claims, not records). */
static const struct mar_format *
mar_format(int f)
{
	for (size_t i = 0; i < sizeof(mar_formats) / sizeof(mar_formats[0]);
	     i++)
		if ((int)mar_formats[i].format == f)
			return &mar_formats[i];
	return NULL;
}

/* --submit: the records of one good file into claimscrub.mar_event, in
 * one statement; false (said) when the database refused them. */
static bool
store_mar(struct import_state *st, const struct mar_format *f, const char *path,
	  const struct mar_record *recs, size_t n)
{
	if (!st->conn && !(st->conn = cli_db_connect(st->conninfo))) {
		st->fatal = true;
		return false;
	}
	if (intake_mar_store(st->conn, path, formats[f->format], recs, n,
			     &st->out, &st->stored))
		return true;
	st->fatal = PQstatus(st->conn) != CONNECTION_OK;
	return false;
}

/* One file of administration records (FHIR, HL7 v2), read whole, printed
 * as MAR records on standard output, one JSON object a line, or with
 * --submit stored in claimscrub.mar_event; nothing when the file has any
 * error.  (Records, not claims: --mar pairs them into a claim's
 * administrations, marjoin.h.) */
static bool
import_mar(struct import_state *st, const struct mar_format *f,
	   const char *path)
{
	struct diag_list dl = {0};
	struct arena *a = arena_new();
	struct mar_record *recs = NULL;
	size_t n = 0, len = 0, skipped = 0;
	char *buf = NULL;
	enum scrub_err err =
		a ? fileio_read(path, f->max_bytes, &buf, &len, &dl)
		  : SCRUB_ENOMEM;
	if (err == SCRUB_OK)
		err = f->read(a, path, buf, len, &recs, &n, &skipped, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	bool ok = err == SCRUB_OK;
	strbuf_reset(&st->out);
	for (size_t i = 0; ok && i < n; i++) {
		marrec_json_write(&recs[i], &st->out);
		strbuf_putc(&st->out, '\n');
	}
	ok = ok && (st->submit ? store_mar(st, f, path, recs, n) : put_out(st));
	if (ok) {
		fputs("import: ", stderr);
		termsafe_put(stderr, path);
		fprintf(stderr, ": %zu %s, %zu %s skipped", n, f->records,
			skipped, f->skipped);
		if (st->submit)
			fprintf(stderr, ", %ld stored", st->stored);
		fputc('\n', stderr);
	}
	arena_free(a);
	free(buf);
	return ok;
}

/* The closing note of a --mar import: records no claim took. */
static void
say_unused(const struct marjoin *j)
{
	size_t recs, encs;
	marjoin_unused(j, &recs, &encs);
	if (recs)
		fprintf(stderr,
			"import: %zu MAR records of %zu encounters joined no "
			"claim\n",
			recs, encs);
}

/* With --mar: the records, read before any claim is written; false
 * (said) when they cannot be had. */
static bool
mar_setup(struct cli_opts *o, struct import_state *st)
{
	/* --mar-format's choices are the MAR formats of --format's */
	const struct mar_format *f = mar_format(IMPORT_FHIR + o->mar_format);
	st->mar = marjoin_load(o->mar.v, o->mar.n, f->read, f->max_bytes);
	return st->mar != NULL;
}

static int
import_run(struct cli_opts *o)
{
	const struct mar_format *mar = mar_format(o->format);
	const char *why = NULL;
	if (mar && o->output)
		why = "--out takes claims: with a MAR format the records go "
		      "to standard output, or with --submit to the database";
	else if (o->submit && o->output)
		why = "--submit puts the claims in the queue: not with --out";
	else if (o->db && !o->submit)
		why = "--db names the database of --submit";
	else if (mar && o->mar.n)
		why = "--mar joins MAR records to 837 claims: not with a MAR "
		      "--format";
	if (why) {
		cli_error("import: %s", why);
		return EXIT_USAGE;
	}
	struct import_state st = {.dir = o->output,
				  .submit = o->submit,
				  .conninfo = o->db,
				  .key = (enum marjoin_key)o->mar_key,
				  .out = STRBUF_INIT};
	/* 837 claims need the rules (setting_map, mar_map); records do not */
	struct ruleset *rs = mar ? NULL : cli_rules_load(&o->rules);
	st.rs = rs;
	if (!mar && (!rs || (o->mar.n && !mar_setup(o, &st)))) {
		rules_free(rs);
		return EXIT_REJECTED;
	}
	for (int i = 0; i < o->nargs && !st.fatal; i++)
		st.bad |= mar ? !import_mar(&st, mar, o->args[i])
			      : !import_file(&st, o->args[i]);
	if (st.mar)
		say_unused(st.mar);
	marjoin_free(st.mar);
	rules_free(rs);
	PQfinish(st.conn);
	strbuf_free(&st.out);
	if (st.fatal)
		return EXIT_USAGE;
	return st.bad ? EXIT_REJECTED : EXIT_CLEAN;
}

/* --mar FILE, once per file. */
static const char *
add_mar(const char *arg, void *field)
{
	struct cli_files *f = field;
	if (f->n == (int)(sizeof(f->v) / sizeof(f->v[0])))
		return "given at most 16 times";
	f->v[f->n++] = arg;
	return NULL;
}

static const struct cli_option mar_row = {
	.name = "mar",
	.letter = 'm',
	.arg = "FILE",
	.help = "join each claim to the MAR records of FILE (repeatable) "
		"on its encounter key, and write its administrations",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, mar),
	.convert = add_mar,
};

static const struct cli_option mar_format_row = {
	.name = "mar-format",
	.arg = "FORMAT",
	.help = "the --mar files' format: fhir (R4 MedicationAdministration, "
		"a Bundle or NDJSON; the default) or hl7 (HL7 v2 RAS^O17)",
	.kind = CLI_OPT_CHOICE,
	.field = offsetof(struct cli_opts, mar_format),
	/* --format's words after x12: the formats of MAR records */
	.choices = &formats[IMPORT_FHIR],
};

static const struct cli_option mar_key_row = {
	.name = "mar-key",
	.arg = "KEY",
	.help = "the claim's value that is the records' encounter: clm01 "
		"(the patient control number, the default) or ea (REF*EA, "
		"the medical record number)",
	.kind = CLI_OPT_CHOICE,
	.field = offsetof(struct cli_opts, mar_key),
	.choices = marjoin_keys,
};

static const struct cli_option format_row =
	CLI_OPT_FORMAT(formats, "the files' format: x12 (837P and 837I "
				"005010, the default), fhir (R4 "
				"MedicationAdministration, a Bundle or "
				"NDJSON) or hl7 (v2 RAS^O17 messages): "
				"for fhir and hl7 the records are printed");

static const struct cli_option out_row = {
	.name = "out",
	.letter = 'o',
	.arg = "DIR",
	.help = "write each claim to DIR/CLAIMID.json instead of standard "
		"output (JSON Lines)",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, output),
};

static const struct cli_option submit_row = {
	.name = "submit",
	.letter = 's',
	.help = "put the claims in the database queue, each file in one "
		"transaction: originals and replacements (7) submitted, voids "
		"(8) applied; with --format fhir or hl7, store the MAR "
		"records (claimscrub.mar_event)",
	.kind = CLI_OPT_FLAG,
	.field = offsetof(struct cli_opts, submit),
};

static const struct cli_option *const options[] = {
	&format_row,	 &out_row,     &submit_row,    &cli_opt_db,   &mar_row,
	&mar_format_row, &mar_key_row, &cli_opt_rules, &cli_opt_help, NULL};

const struct cli_entry cmd_import_entry = {
	.name = "import",
	.summary = "read X12 837 claims, or FHIR or HL7 v2 administration "
		   "records",
	.usage = "[OPTION]... FILE...",
	.about = "Read X12 005010 837P and 837I files ('-' for standard "
		 "input) and write each\n"
		 "claim as its claim document (JSON), its setting the one "
		 "the rules'\n"
		 "setting_map gives its place of service or type of bill (a "
		 "claim whose code\n"
		 "no row has is not written); with --mar, each claim gets "
		 "the\n"
		 "administrations paired from the MAR records of its "
		 "encounter (an 837 has\n"
		 "none).  A file with any error writes nothing.  Voids "
		 "(frequency 8) are\n"
		 "reported, not written.  With --submit, each file's claims go "
		 "into the\n"
		 "database queue in one transaction instead: originals and "
		 "replacements (7)\n"
		 "submitted, voids applied.  "
		 "With --format fhir,\n"
		 "print each FHIR MedicationAdministration of the files as a "
		 "record (JSON Lines);\n"
		 "with --format hl7, each RXA of HL7 v2 RAS^O17 messages.  "
		 "With --submit,\n"
		 "those records are stored in the database (claimscrub."
		 "mar_event), each file\n"
		 "whole or not at all; a record sent again replaces its row.\n",
	.status =
		"Exit status: 0 every file read and written, 1 a file bad "
		"or not written\n"
		"(errors name FILE:LINE:COLUMN and the segment) or refused by "
		"the database,\n"
		"2 a usage error or no database to go on with.\n",
	.options = options,
	.operands = CLI_ARGS_SOME,
	.what = "837 files",
	.run = import_run,
};
