/*
 * rules show — `claimscrub rules show [--payer P] [--date D] [--format F]
 * [DIR]...`: the merged rule set in force for a payer profile on a date,
 * each value with the file and line it came from (YAML comments, or a
 * "source" member in JSON).  Exit 0 valid, 1 invalid rules, 2 a usage or
 * input error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/entry.h"

/* --format, in the order of the row's choices */
enum show_format { SHOW_YAML, SHOW_JSON };

/* Today's local date, as days since 1970-01-01. */
static int32_t
today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[16];
	int32_t day = 0;
	if (localtime_r(&now, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) == 10)
		isotime_parse_date(buf, 10, &day);
	return day;
}

struct show_state {
	struct strbuf out;
	int format; /* enum show_format */
	bool first; /* JSON: no comma before the next member */
};

/* A plain scalar JSON can hold as itself: an integer or a boolean. */
static bool
json_bare(const struct rules_visit *v)
{
	const char *s = v->value;
	if (!v->plain || !*s)
		return false;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return true;
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 16;
}

static void
show_json(void *arg, const struct rules_visit *v)
{
	struct show_state *st = arg;
	struct strbuf *sb = &st->out;
	bool end = v->event == RULES_VISIT_MAP_END ||
		   v->event == RULES_VISIT_SEQ_END;
	if (end) {
		strbuf_putc(sb, v->event == RULES_VISIT_MAP_END ? '}' : ']');
		st->first = false;
		return;
	}
	if (!st->first)
		strbuf_putc(sb, ',');
	st->first = false;
	if (v->key) {
		strbuf_json_str(sb, v->key);
		strbuf_putc(sb, ':');
	}
	if (v->event != RULES_VISIT_SCALAR) {
		strbuf_putc(sb, v->event == RULES_VISIT_MAP_BEGIN ? '{' : '[');
		st->first = true;
		return;
	}
	strbuf_puts(sb, "{\"value\":");
	if (json_bare(v))
		strbuf_puts(sb, v->value);
	else
		strbuf_json_str(sb, v->value);
	strbuf_puts(sb, ",\"source\":");
	struct strbuf src = STRBUF_INIT;
	strbuf_printf(&src, "%s:%u", v->file, v->line);
	strbuf_json_str(sb, strbuf_str(&src));
	strbuf_free(&src);
	strbuf_putc(sb, '}');
}

/* A scalar as YAML: quoted unless it is plain and safe. */
static void
yaml_scalar(struct strbuf *sb, const char *s, bool plain)
{
	if (plain && *s && strcspn(s, ":#{}[],&*!|>'\"%@`") == strlen(s) &&
	    s[0] != '-' && s[0] != ' ') {
		strbuf_puts(sb, s);
		return;
	}
	strbuf_json_str(sb, s);
}

static void
show_yaml(void *arg, const struct rules_visit *v)
{
	struct show_state *st = arg;
	struct strbuf *sb = &st->out;
	if (v->event == RULES_VISIT_MAP_END || v->event == RULES_VISIT_SEQ_END)
		return;
	for (int i = 0; i < v->depth; i++)
		strbuf_puts(sb, "  ");
	if (v->key) {
		/* a key like 96360 must stay a string */
		bool number = strspn(v->key, "0123456789") == strlen(v->key);
		yaml_scalar(sb, v->key, !number);
		strbuf_putc(sb, ':');
	} else {
		strbuf_putc(sb, '-');
	}
	if (v->event == RULES_VISIT_SCALAR) {
		strbuf_putc(sb, ' ');
		yaml_scalar(sb, v->value, v->plain);
	}
	strbuf_printf(sb, "  # %s:%u\n", v->file, v->line);
}

static void
period_text(const struct ruleset *p, char *buf, size_t size)
{
	int32_t from, to;
	rules_days(p, &from, &to);
	isotime_format_span(from, to, ISOTIME_FROM, buf, size);
}

/* YAML comments: which rule set, profile and date, and its periods. */
static void
show_header(const struct ruleset *rs, const char *payer, int32_t day, FILE *out)
{
	char d[16], span[48];
	isotime_format_date(day, d, sizeof(d));
	period_text(rules_at(rs, day), span, sizeof(span));
	fprintf(out,
		"# rule set %s, payer profile %s, in force on %s "
		"(period: %s)\n",
		rules_version(rs), payer ? payer : "default", d, span);
	for (int i = 0; rules_nperiods(rs) > 1 && i < rules_nperiods(rs); i++) {
		period_text(rules_period(rs, i, NULL, NULL), span,
			    sizeof(span));
		fprintf(out, "#   period %d: %s\n", i + 1, span);
	}
}

/* Walks the rules of r in force for payer on day into st->out, and builds
 * the rule set into *rs; errors go into dl. */
static enum scrub_err
show_walk(const struct cli_rules *r, const char *payer, int32_t day,
	  struct show_state *st, struct ruleset **rs, struct diag_list *dl)
{
	struct rules_builder *b = rules_builder_new();
	if (!b)
		return SCRUB_ENOMEM;
	bool json = st->format == SHOW_JSON;
	enum scrub_err err = rules_builder_add_dirs(b, r->dirs, r->n, dl);
	if (json)
		strbuf_putc(&st->out, '{');
	if (rules_builder_visit_at(b, payer, day, json ? show_json : show_yaml,
				   st) != SCRUB_OK &&
	    err == SCRUB_OK)
		err = SCRUB_ENOMEM;
	if (json)
		strbuf_puts(&st->out, "}\n");
	if (err == SCRUB_OK)
		err = rules_builder_finish(b, rs, dl);
	rules_builder_free(b);
	return err;
}

static int
rules_show(struct cli_opts *o)
{
	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	struct show_state st = {STRBUF_INIT,
				o->format < 0 ? SHOW_YAML : o->format, true};
	int32_t day = o->date.given ? o->date.day : today();
	if (!rules_dirs(o))
		return EXIT_USAGE;
	enum scrub_err err = show_walk(&o->rules, o->payer, day, &st, &rs, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		cli_error("out of memory loading rules");
	int rc = err == SCRUB_OK       ? EXIT_CLEAN
		 : err == SCRUB_EIO    ? EXIT_USAGE
		 : err == SCRUB_ENOMEM ? EXIT_INTERNAL
				       : EXIT_FLAGGED;
	if (rc == EXIT_CLEAN && !cli_payer_known(rules_at(rs, day), o->payer))
		rc = EXIT_USAGE;
	if (rc == EXIT_CLEAN) {
		if (st.format == SHOW_YAML)
			show_header(rs, o->payer, day, stdout);
		fwrite(strbuf_str(&st.out), 1, st.out.len, stdout);
	}
	strbuf_free(&st.out);
	rules_free(rs);
	return rc;
}

/* --date: a date YYYY-MM-DD into *field, a struct cli_date. */
static const char *
parse_date(const char *arg, void *field)
{
	struct cli_date *d = field;
	if (!isotime_parse_date(arg, strlen(arg), &d->day))
		return "a date YYYY-MM-DD";
	d->given = true;
	return NULL;
}

static const char *const formats[] = {"yaml", "json", NULL};

/* not cli_opt_payer: it names the profile shown, judging no claim */
static const struct cli_option payer_row = {
	.name = "payer",
	.letter = 'p',
	.arg = "PROFILE",
	.help = "the payer profile (default: default)",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, payer),
};

static const struct cli_option date_row = {
	.name = "date",
	.letter = 'd',
	.arg = "DATE",
	.help = "the rules in force on DATE, YYYY-MM-DD (default: today)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, date),
	.convert = parse_date,
};

static const struct cli_option format_row =
	CLI_OPT_FORMAT(formats, "yaml (default) or json");

static const struct cli_option *const options[] = {
	&payer_row, &date_row, &format_row, &cli_opt_help, NULL};

const struct cli_entry rules_show_entry = {
	.name = "show",
	.summary = "print the merged rule set, each value with its source",
	.usage = "[OPTION]... [DIR]...",
	.about =
		"Print the merged rule set of the directories (default: the "
		"usual discovery,\n"
		"see README; overlaid in the order given) in force for a payer "
		"profile on a\n"
		"date, each value with the file and line it came from.\n",
	.status = "Exit status: 0 valid, 1 invalid rules, 2 a usage or input "
		  "error.\n",
	.options = options,
	.operands = CLI_ARGS_ANY,
	.run = rules_show,
};
