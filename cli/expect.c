/*
 * expect — `# expect` headers of claim documents; see expect.h.  Shared by
 * tests/unit/test_golden and `claimscrub rules test`; the format is
 * tests/cases/README.md's.
 *
 * A header is a line starting `# expect KEY:`; its value runs to the end of
 * the line, less a trailing comment (`#` after a blank, as in YAML).  Every
 * reading problem is kept in the entry's `bad` and fails its document, so a
 * typo in a header can never turn a case into one that checks nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/expect.h"

#define HEADER "# expect "
#define ITEM_MAX 256  /* one `# expect fix:` item or evidence value */
#define MATCH_MAX 256 /* findings a `findings` or `fix` header pairs off */

/* ---- bounded output ---------------------------------------------------- */

/* A fixed buffer filled by put(); output past its end is cut. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n
						       : o->size - o->len - 1;
}

/* ---- reading the headers ----------------------------------------------- */

/* The single-valued headers: where each value goes in struct expect
 * (offset and size). */
#define FIELD(f) offsetof(struct expect, f), sizeof(((struct expect *)0)->f)
static const struct field {
	const char *key;
	size_t off, size;
} fields[] = {
	{"verdict", FIELD(verdict)},   {"codes", FIELD(codes)},
	{"findings", FIELD(findings)}, {"fix", FIELD(fix)},
	{"error", FIELD(error)},
};

/* Keeps the first reason a header could not be read. */
static void bad(struct expect *ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
bad(struct expect *ex, const char *fmt, ...)
{
	if (ex->bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ex->bad, sizeof(ex->bad), fmt, ap);
	va_end(ap);
}

/* The length of a header value: up to a `#` after a blank (a comment, as
 * in YAML, so `#` inside a word stays), less trailing blanks. */
static size_t
value_len(const char *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
			n = i;
			break;
		}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return n;
}

/* Where header key (klen bytes) goes in ex, and its size; NULL when the
 * key is unknown or its field is full (told in ex->bad). */
static char *
field_of(struct expect *ex, const char *key, size_t klen, size_t *size)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].key) == klen &&
		    memcmp(fields[i].key, key, klen) == 0) {
			*size = fields[i].size;
			return (char *)ex + fields[i].off;
		}
	if (klen != 8 || memcmp(key, "evidence", 8) != 0) {
		bad(ex, "unknown header '# expect %.*s:'", (int)klen, key);
		return NULL;
	}
	if (ex->nevidence == EXPECT_MAX_EVIDENCE) {
		bad(ex, "more than %d '# expect evidence:' lines",
		    EXPECT_MAX_EVIDENCE);
		return NULL;
	}
	*size = sizeof(ex->evidence[0]);
	return ex->evidence[ex->nevidence++];
}

/* Stores value v (n bytes) of header key (klen bytes) into ex. */
static void
store(struct expect *ex, const char *key, size_t klen, const char *v, size_t n)
{
	size_t size = 0;
	char *dst = field_of(ex, key, klen, &size);
	if (!dst)
		return;
	if (dst[0])
		bad(ex, "'# expect %.*s:' given twice", (int)klen, key);
	else if (n == 0)
		bad(ex, "'# expect %.*s:' has no value", (int)klen, key);
	else if (n >= size)
		bad(ex, "'# expect %.*s:' is longer than %zu bytes", (int)klen,
		    key, size - 1);
	else
		snprintf(dst, size, "%.*s", (int)n, v);
}

/* Reads line (n bytes, no newline) into ex when it is a header. */
static void
header_line(struct expect *ex, const char *line, size_t n)
{
	size_t hl = sizeof(HEADER) - 1;
	if (n < hl || memcmp(line, HEADER, hl) != 0)
		return;
	ex->nheaders++;
	const char *key = line + hl;
	size_t klen = 0;
	while (hl + klen < n && key[klen] != ':' && key[klen] != ' ' &&
	       key[klen] != '\t')
		klen++;
	if (klen == 0 || klen >= n - hl || key[klen] != ':') {
		bad(ex, "'%.*s' is not '# expect KEY: value'",
		    (int)(n < 60 ? n : 60), line);
		return;
	}
	const char *v = key + klen + 1;
	size_t vn = n - hl - klen - 1;
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	store(ex, key, klen, v, value_len(v, vn));
}

/* True when line (n bytes) holds YAML: not blank, not a comment, not a
 * directive (`%YAML 1.2`, which comes before a document's `---`). */
static bool
is_content(const char *line, size_t n)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	return i < n && line[i] != '#' && line[0] != '%';
}

/* Splitting state: the entry being read and the entries done. */
struct split {
	struct expect *ex, cur;
	int n, max;
	bool content; /* the current chunk holds YAML */
};

/* Ends a document: its headers (with any lent to it) become an entry. */
static bool
commit(struct split *s)
{
	if (s->n == s->max)
		return false;
	s->ex[s->n++] = s->cur;
	memset(&s->cur, 0, sizeof(s->cur));
	s->content = false;
	return true;
}

/* Reads one line; false when there are more documents than entries. */
static bool
split_line(struct split *s, const char *line, size_t n)
{
	bool sep = n >= 3 && memcmp(line, "---", 3) == 0 &&
		   (n == 3 || line[3] == ' ' || line[3] == '\t' ||
		    line[3] == '\r');
	if (!sep) {
		header_line(&s->cur, line, n);
		s->content |= is_content(line, n);
		return true;
	}
	/* A chunk of comments only lends its headers to the next document. */
	if (s->content && !commit(s))
		return false;
	/* `--- {claim: ...}`: the rest of the line is the new document's. */
	s->content = is_content(line + 3, n - 3);
	return true;
}

int
expect_split(const char *buf, size_t len, struct expect *ex, int max, char *why,
	     size_t size)
{
	const char *nul = memchr(buf, '\0', len);
	size_t tlen = nul ? (size_t)(nul - buf) : len;
	if (nul && memmem(nul, len - tlen, HEADER, sizeof(HEADER) - 1)) {
		snprintf(why, size,
			 "'# expect' headers after the NUL byte at offset %zu "
			 "cannot be read: put them before any binary data",
			 tlen);
		return -1;
	}
	struct split s = {.ex = ex, .max = max};
	for (const char *p = buf, *end = buf + tlen; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (!split_line(&s, p, n))
			goto too_many;
		p += n + (eol != NULL);
	}
	/* Headers with no document after them are an entry of their own: a
	 * file that must fail without holding a document. */
	if ((s.content || s.cur.nheaders) && !commit(&s))
		goto too_many;
	return s.n;
too_many:
	snprintf(why, size,
		 "more than %d documents: the headers of the rest "
		 "cannot be read",
		 max);
	return -1;
}

/* ---- rendering a result ------------------------------------------------ */

void
expect_codes(const struct result *r, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	buf[0] = '\0';
	for (int i = 0; i < r->ncodes; i++) {
		const struct result_code *c = &r->codes[i];
		put(&o, "%s%s", i ? " " : "", c->code);
		if (c->units != 1)
			put(&o, "x%d", c->units);
		if (c->modifier)
			put(&o, "-%s", c->modifier);
	}
	if (!r->ncodes)
		snprintf(buf, size, "none");
}

void
expect_findings(const struct result *r, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	buf[0] = '\0';
	for (int i = 0; i < r->nfindings; i++) {
		const struct result_finding *f = &r->findings[i];
		put(&o, "%s%s", i ? " " : "", finding_names[f->id]);
		if (f->line)
			put(&o, "@%d", f->line);
	}
	if (!r->nfindings)
		snprintf(buf, size, "none");
}

/* `CODE xU[-MOD...]`: the line a replace or add suggests. */
static void
new_line(struct out *o, const struct suggest *s)
{
	put(o, "%s x%d", s->code ? s->code : "?", s->units);
	for (int i = 0; i < s->nmodifiers && i < CLAIM_MAX_MODIFIERS; i++)
		put(o, "-%s", s->modifiers[i]);
}

/* One finding's suggestion as a `# expect fix:` item; "" for none. */
static void
fix_item(const struct result_finding *f, char *buf, size_t size)
{
	const struct suggest *s = &f->suggest;
	const char *name = suggest_action_names[s->action];
	struct out o = {buf, size, 0};
	buf[0] = '\0';
	switch (s->action) {
	case SUGGEST_NONE:
		break;
	case SUGGEST_SET_UNITS:
		put(&o, "%d %s %d", f->line, name, s->units);
		break;
	case SUGGEST_REMOVE:
		put(&o, "%d %s %d", f->line, name, s->take);
		break;
	case SUGGEST_REPLACE:
		put(&o, "%d %s %d ", f->line, name, s->take);
		new_line(&o, s);
		break;
	case SUGGEST_ADD:
		put(&o, "%s ", name);
		new_line(&o, s);
		break;
	case SUGGEST_ADD_MODIFIER:
	case SUGGEST_REMOVE_MODIFIER:
		put(&o, "%d %s %s", f->line, name,
		    s->modifier ? s->modifier : "?");
		break;
	case SUGGEST_DOCUMENT:
	case SUGGEST_REVIEW:
		if (f->line)
			put(&o, "%d ", f->line);
		put(&o, "%s", name);
		break;
	}
}

void
expect_fixes(const struct result *r, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	char item[ITEM_MAX];
	buf[0] = '\0';
	for (int i = 0; i < r->nfindings; i++) {
		fix_item(&r->findings[i], item, sizeof(item));
		if (item[0])
			put(&o, "%s%s", o.len ? "; " : "", item);
	}
	if (!o.len)
		snprintf(buf, size, "none");
}

/* ---- matching ---------------------------------------------------------- */

/* Marks the first unused finding matching `rule[@LINE]` (len bytes). */
static bool
take_finding(const struct result *r, const char *tok, size_t len, bool *used)
{
	const char *at = memchr(tok, '@', len);
	size_t nlen = at ? (size_t)(at - tok) : len;
	long line = at ? strtol(at + 1, NULL, 10) : -1;
	for (int i = 0; i < r->nfindings && i < MATCH_MAX; i++) {
		const char *name = finding_names[r->findings[i].id];
		if (used[i] || strlen(name) != nlen ||
		    memcmp(name, tok, nlen) != 0 ||
		    (line >= 0 && r->findings[i].line != line))
			continue;
		used[i] = true;
		return true;
	}
	return false;
}

bool
expect_findings_match(const struct result *r, const char *want)
{
	bool used[MATCH_MAX] = {false};
	int count = 0;
	if (strcmp(want, "none") == 0)
		return r->nfindings == 0;
	for (const char *p = want; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		if (!take_finding(r, p, len, used))
			return false;
		count++;
		p += len;
	}
	return count == r->nfindings;
}

/* Copies s (n bytes) to out with blanks trimmed and runs of them made one
 * space, so `1  set-units 2` is the item `1 set-units 2`. */
static void
squeeze(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	bool blank = false;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			blank = o > 0;
			continue;
		}
		if (blank && o + 2 < size)
			out[o++] = ' ';
		blank = false;
		out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Marks the first unused finding whose suggestion is item. */
static bool
take_fix(const struct result *r, const char *item, bool *used)
{
	char got[ITEM_MAX];
	for (int i = 0; i < r->nfindings && i < MATCH_MAX; i++) {
		fix_item(&r->findings[i], got, sizeof(got));
		if (!used[i] && got[0] && strcmp(got, item) == 0) {
			used[i] = true;
			return true;
		}
	}
	return false;
}

bool
expect_fixes_match(const struct result *r, const char *want)
{
	bool used[MATCH_MAX] = {false};
	char item[ITEM_MAX];
	int count = 0, suggested = 0;
	for (int i = 0; i < r->nfindings; i++)
		suggested += r->findings[i].suggest.action != SUGGEST_NONE;
	if (strcmp(want, "none") == 0)
		return suggested == 0;
	for (const char *p = want;; p++) {
		size_t len = strcspn(p, ";");
		squeeze(p, len, item, sizeof(item));
		if (!item[0] || !take_fix(r, item, used))
			return false;
		count++;
		p += len;
		if (!*p)
			break;
	}
	return count == suggested;
}

/* An `# expect evidence:` value taken apart. */
struct ev_want {
	char rule[64];
	long line; /* -1: any */
	int n;
	char key[RESULT_MAX_EVIDENCE][64], val[RESULT_MAX_EVIDENCE][ITEM_MAX];
};

/* Reads one `KEY=VALUE` or `KEY="VALUE"` at *pp into slot i of w. */
static bool
ev_pair(const char **pp, struct ev_want *w, int i)
{
	const char *p = *pp, *eq = p + strcspn(p, "= ");
	if (*eq != '=' || eq == p || eq - p >= (long)sizeof(w->key[0]))
		return false;
	snprintf(w->key[i], sizeof(w->key[0]), "%.*s", (int)(eq - p), p);
	const char *v = eq + 1, *end;
	if (*v == '"') {
		end = strchr(++v, '"');
		if (!end)
			return false;
		*pp = end + 1;
	} else {
		end = v + strcspn(v, " ");
		*pp = end;
	}
	if (end - v >= (long)sizeof(w->val[0]))
		return false;
	snprintf(w->val[i], sizeof(w->val[0]), "%.*s", (int)(end - v), v);
	return **pp == '\0' || **pp == ' ';
}

/* Parses `RULE[@LINE] KEY=VALUE...`; false when it is not that. */
static bool
ev_parse(const char *want, struct ev_want *w)
{
	size_t len = strcspn(want, " @");
	if (len == 0 || len >= sizeof(w->rule))
		return false;
	snprintf(w->rule, sizeof(w->rule), "%.*s", (int)len, want);
	const char *p = want + len;
	w->line = -1;
	if (*p == '@') {
		char *end;
		w->line = strtol(p + 1, &end, 10);
		if (end == p + 1 || w->line < 0)
			return false;
		p = end;
	}
	for (w->n = 0; *(p += strspn(p, " ")); w->n++)
		if (w->n == RESULT_MAX_EVIDENCE || !ev_pair(&p, w, w->n))
			return false;
	return w->n > 0;
}

/* The value of f's evidence key as text, or NULL when f has none. */
static const char *
ev_value(const struct result_finding *f, const char *key, char *buf,
	 size_t size)
{
	for (int i = 0; i < f->nevidence; i++) {
		const struct evidence *e = &f->evidence[i];
		if (strcmp(e->key, key) != 0)
			continue;
		if (e->str)
			return e->str;
		snprintf(buf, size, "%ld", e->ival);
		return buf;
	}
	return NULL;
}

/* True when f is the finding w names and carries all of its evidence. */
static bool
ev_has(const struct result_finding *f, const struct ev_want *w)
{
	char num[32];
	if (strcmp(finding_names[f->id], w->rule) != 0 ||
	    (w->line >= 0 && f->line != w->line))
		return false;
	for (int k = 0; k < w->n; k++) {
		const char *v = ev_value(f, w->key[k], num, sizeof(num));
		if (!v || strcmp(v, w->val[k]) != 0)
			return false;
	}
	return true;
}

/* True when some finding of r is the one w names, with all its evidence. */
static bool
ev_found(const struct result *r, const struct ev_want *w)
{
	for (int i = 0; i < r->nfindings; i++)
		if (ev_has(&r->findings[i], w))
			return true;
	return false;
}

bool
expect_evidence_match(const struct result *r, const char *want)
{
	struct ev_want w;
	return ev_parse(want, &w) && ev_found(r, &w);
}

/* ---- judging ----------------------------------------------------------- */

/* The evidence of every finding of w's rule as `rule@LINE{k=v ...}` words,
 * to show what there is when an `# expect evidence:` line does not match. */
static void
ev_render(const struct result *r, const struct ev_want *w, struct out *o)
{
	int shown = 0;
	for (int i = 0; i < r->nfindings; i++) {
		const struct result_finding *f = &r->findings[i];
		const char *name = finding_names[f->id];
		if (strcmp(name, w->rule) != 0)
			continue;
		put(o, "%s%s@%d{", shown++ ? " " : "", name, f->line);
		for (int k = 0; k < f->nevidence; k++) {
			const struct evidence *e = &f->evidence[k];
			if (e->str)
				put(o, "%s%s=%s", k ? " " : "", e->key, e->str);
			else
				put(o, "%s%s=%ld", k ? " " : "", e->key,
				    e->ival);
		}
		put(o, "}");
	}
	if (!shown)
		put(o, "no such finding");
}

/* Appends a difference of the fix and evidence headers to o. */
static void
check_fix_evidence(const struct result *r, const struct expect *ex,
		   struct out *o)
{
	char got[2048];
	if (ex->fix[0] && !expect_fixes_match(r, ex->fix)) {
		expect_fixes(r, got, sizeof(got));
		put(o, "fix [%s], expected [%s]; ", got, ex->fix);
	}
	for (int i = 0; i < ex->nevidence; i++) {
		struct ev_want w;
		if (!ev_parse(ex->evidence[i], &w)) {
			put(o, "evidence '%s' is not RULE KEY=VALUE...; ",
			    ex->evidence[i]);
			continue;
		}
		if (ev_found(r, &w))
			continue;
		put(o, "evidence [%s] not found: ", ex->evidence[i]);
		ev_render(r, &w, o);
		put(o, "; ");
	}
}

/* Ends a `a; b; ` list of differences; true when there was none. */
static bool
finish(struct out *o)
{
	if (o->len >= 2 && o->buf[o->len - 2] == ';')
		o->buf[o->len -= 2] = '\0';
	return o->len == 0;
}

bool
expect_check(const struct result *r, const struct expect *ex, char *why,
	     size_t size)
{
	char got[2048];
	struct out o = {why, size, 0};
	why[0] = '\0';
	if (ex->bad[0])
		put(&o, "%s; ", ex->bad);
	if (ex->error[0])
		put(&o, "expected an error (%s), got a claim; ", ex->error);
	else if (!ex->verdict[0] || !ex->codes[0] || !ex->findings[0])
		put(&o, "missing '# expect' lines (verdict, codes and "
			"findings are required); ");
	const char *verdict = verdict_names[r->verdict];
	if (ex->verdict[0] && strcmp(verdict, ex->verdict) != 0)
		put(&o, "verdict %s, expected %s; ", verdict, ex->verdict);
	expect_codes(r, got, sizeof(got));
	if (ex->codes[0] && strcmp(got, ex->codes) != 0)
		put(&o, "codes [%s], expected [%s]; ", got, ex->codes);
	expect_findings(r, got, sizeof(got));
	if (ex->findings[0] && !expect_findings_match(r, ex->findings))
		put(&o, "findings [%s], expected [%s]; ", got, ex->findings);
	check_fix_evidence(r, ex, &o);
	return finish(&o);
}

/* Parses `LINE:COL message` strictly: decimal numbers from 1, one or more
 * spaces, a message that is not empty. */
static bool
error_parse(const char *s, unsigned *line, unsigned *col, const char **msg)
{
	unsigned *num[2] = {line, col};
	for (int k = 0; k < 2; k++) {
		size_t d = strspn(s, "0123456789");
		if (d == 0 || d > 9 || s[d] != (k ? ' ' : ':'))
			return false;
		*num[k] = (unsigned)strtoul(s, NULL, 10);
		if (*num[k] == 0)
			return false;
		s += d + 1;
	}
	*msg = s + strspn(s, " ");
	return **msg != '\0';
}

/* The diagnostic at line:col, or NULL. */
static const struct diag *
diag_at(const struct diag_list *dl, unsigned line, unsigned col)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].line == line && dl->items[i].column == col)
			return &dl->items[i];
	return NULL;
}

bool
expect_error_check(const struct diag_list *dl, const struct expect *ex,
		   char *why, size_t size)
{
	unsigned line, col;
	const char *msg;
	struct out o = {why, size, 0};
	why[0] = '\0';
	if (ex->bad[0])
		put(&o, "%s; ", ex->bad);
	if (ex->verdict[0] || ex->codes[0] || ex->findings[0] || ex->fix[0] ||
	    ex->nevidence)
		put(&o, "'# expect error:' with verdict, codes, findings, fix "
			"or evidence headers; ");
	if (!error_parse(ex->error, &line, &col, &msg)) {
		put(&o, "'# expect error: %s' is not 'LINE:COL message'",
		    ex->error);
		return false;
	}
	const struct diag *d = diag_at(dl, line, col);
	if (!d && dl->n)
		put(&o, "expected an error at %u:%u (%s), got %u:%u: %s; ",
		    line, col, msg, dl->items[0].line, dl->items[0].column,
		    dl->items[0].message);
	else if (!d)
		put(&o, "expected an error at %u:%u (%s), got none; ", line,
		    col, msg);
	else if (strcmp(d->message, msg) != 0)
		put(&o, "error at %u:%u is '%s', expected '%s'; ", line, col,
		    d->message, msg);
	return finish(&o);
}

/* ---- running a file ---------------------------------------------------- */

/* Why document doc did not parse as a claim: its first diagnostics. */
static void
unparsed(const struct claimdoc *cd, const struct diag_list *dl, int doc,
	 struct out *o)
{
	int shown = 0;
	put(o, "has '# expect' headers but does not parse as a claim");
	if (!cd || (size_t)doc >= claimdoc_count(cd))
		put(o, " (no such document)");
	for (size_t i = 0; i < dl->n && shown < 2; i++)
		if (dl->items[i].doc == doc || dl->items[i].doc < 0)
			put(o, "%s%u:%u: %s", shown++ ? "; " : ": ",
			    dl->items[i].line, dl->items[i].column,
			    dl->items[i].message);
}

/* What a run of one file needs. */
struct run {
	const struct ruleset *rs;
	const char *file;
	const struct claimdoc *cd;
	const struct diag_list *dl;
	expect_report_fn *report;
	void *ctx;
};

/* Judges document doc against ex and reports it. */
static enum scrub_err
judge(const struct run *run, int doc, const struct expect *ex)
{
	char why[4096];
	struct out o = {why, sizeof(why), 0};
	why[0] = '\0';
	if (ex->error[0]) {
		bool ok = expect_error_check(run->dl, ex, why, sizeof(why));
		run->report(run->ctx, run->file, doc, NULL, ok, why);
		return SCRUB_OK;
	}
	const struct claim *c =
		run->cd ? claimdoc_claim(run->cd, (size_t)doc) : NULL;
	if (!c) {
		unparsed(run->cd, run->dl, doc, &o);
		run->report(run->ctx, run->file, doc, NULL, false, why);
		return SCRUB_OK;
	}
	struct result *r = NULL;
	if (scrub_claim(run->rs, c, &r) != SCRUB_OK)
		return SCRUB_ENOMEM;
	bool ok = expect_check(r, ex, why, sizeof(why));
	run->report(run->ctx, run->file, doc, c->ref, ok, why);
	result_free(r);
	return SCRUB_OK;
}

/* Judges the n entries of ex against the documents of buf. */
static enum scrub_err
run_docs(struct run *run, const char *buf, size_t len, const struct expect *ex,
	 int n, int *judged)
{
	struct claimdoc *cd = NULL;
	struct diag_list dl = {0};
	char why[256];
	enum scrub_err err = claimdoc_parse(run->file, buf, len, &cd, &dl);
	run->cd = cd;
	run->dl = &dl;
	for (int i = 0; i < n && err != SCRUB_ENOMEM; i++) {
		err = judge(run, i, &ex[i]);
		*judged += err == SCRUB_OK;
	}
	/* A document the splitter did not see would go unchecked. */
	if (err != SCRUB_ENOMEM && cd && claimdoc_count(cd) > (size_t)n) {
		snprintf(why, sizeof(why),
			 "%zu documents, but %d with '# expect' headers",
			 claimdoc_count(cd), n);
		run->report(run->ctx, run->file, -1, NULL, false, why);
	}
	claimdoc_free(cd);
	diag_list_free(&dl);
	return err == SCRUB_ENOMEM ? SCRUB_ENOMEM : SCRUB_OK;
}

enum scrub_err
expect_run(const struct ruleset *rs, const char *file, const char *buf,
	   size_t len, expect_report_fn *report, void *ctx, int *judged)
{
	char why[256];
	struct run run = {rs, file, NULL, NULL, report, ctx};
	*judged = 0;
	struct expect *ex = calloc(EXPECT_MAX_DOCS, sizeof(*ex));
	if (!ex)
		return SCRUB_ENOMEM;
	int n = expect_split(buf, len, ex, EXPECT_MAX_DOCS, why, sizeof(why));
	enum scrub_err err = SCRUB_OK;
	if (n < 0)
		report(ctx, file, -1, NULL, false, why);
	else
		err = run_docs(&run, buf, len, ex, n, judged);
	free(ex);
	return err;
}
