/*
 * expect — `# expect` headers of claim documents; see expect.h.  Shared by
 * `claimscrub rules test`; the format is tests/cases/README.md's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/expect.h"

/* Copies the value of `# expect KEY: value` from chunk into out. */
static void
header(const char *chunk, const char *key, char *out, size_t size)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "# expect %s:", key);
	const char *p = strstr(chunk, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\n#");
	while (n && p[n - 1] == ' ')
		n--;
	snprintf(out, size, "%.*s", (int)n, p);
}

/* True when a chunk holds YAML, not just comments and blank lines. */
static bool
has_content(const char *s, size_t len)
{
	bool bol = true, comment = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			bol = true;
			comment = false;
			continue;
		}
		if (bol && s[i] == '#')
			comment = true;
		if (!comment && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return true;
		bol = false;
	}
	return false;
}

static void
fill(const char *pending, struct expect *ex)
{
	header(pending, "verdict", ex->verdict, sizeof(ex->verdict));
	header(pending, "codes", ex->codes, sizeof(ex->codes));
	header(pending, "findings", ex->findings, sizeof(ex->findings));
	header(pending, "error", ex->error, sizeof(ex->error));
}

int
expect_split(const char *buf, struct expect *ex, int max)
{
	int n = 0;
	const char *start = buf, *p = buf;
	size_t plen = 0;
	char *pending = calloc(1, strlen(buf) + 1);
	if (!pending)
		return 0;
	for (;;) {
		const char *eol = strchr(p, '\n');
		bool sep = strncmp(p, "---", 3) == 0 &&
			   (p[3] == '\n' || p[3] == ' ' || p[3] == '\0');
		if (sep || !*p) {
			size_t len = (size_t)(p - start);
			memcpy(pending + plen, start, len);
			plen += len;
			pending[plen] = '\0';
			if (has_content(start, len) && n < max) {
				memset(&ex[n], 0, sizeof(ex[n]));
				fill(pending, &ex[n++]);
				plen = 0;
				pending[0] = '\0';
			}
			if (!*p || !eol)
				break;
			start = eol + 1;
		}
		p = eol ? eol + 1 : p + strlen(p);
	}
	free(pending);
	return n;
}

void
expect_codes(const struct result *r, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < r->ncodes && o < size; i++) {
		const struct result_code *c = &r->codes[i];
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "",
				      c->code);
		if (c->units != 1 && o < size)
			o += (size_t)snprintf(buf + o, size - o, "x%d",
					      c->units);
		if (c->modifier && o < size)
			o += (size_t)snprintf(buf + o, size - o, "-%s",
					      c->modifier);
	}
	if (!r->ncodes)
		snprintf(buf, size, "none");
}

void
expect_findings(const struct result *r, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < r->nfindings && o < size; i++) {
		const struct result_finding *f = &r->findings[i];
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "",
				      finding_names[f->id]);
		if (f->line && o < size)
			o += (size_t)snprintf(buf + o, size - o, "@%d",
					      f->line);
	}
	if (!r->nfindings)
		snprintf(buf, size, "none");
}

/* Marks the first unused finding matching `rule[@LINE]` (len bytes). */
static bool
take_finding(const struct result *r, const char *tok, size_t len, bool *used)
{
	const char *at = memchr(tok, '@', len);
	size_t nlen = at ? (size_t)(at - tok) : len;
	long line = at ? strtol(at + 1, NULL, 10) : -1;
	for (int i = 0; i < r->nfindings && i < 256; i++) {
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
	bool used[256] = {false};
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

bool
expect_check(const struct result *r, const struct expect *ex, char *why,
	     size_t size)
{
	char got[2048];
	size_t o = 0;
	why[0] = '\0';
	if (!ex->verdict[0] || !ex->codes[0] || !ex->findings[0])
		o += (size_t)snprintf(why, size, "missing '# expect' lines; ");
	const char *verdict = verdict_names[r->verdict];
	if (ex->verdict[0] && strcmp(verdict, ex->verdict) != 0 && o < size)
		o += (size_t)snprintf(why + o, size - o,
				      "verdict %s, expected %s; ", verdict,
				      ex->verdict);
	expect_codes(r, got, sizeof(got));
	if (ex->codes[0] && strcmp(got, ex->codes) != 0 && o < size)
		o += (size_t)snprintf(why + o, size - o,
				      "codes [%s], expected [%s]; ", got,
				      ex->codes);
	expect_findings(r, got, sizeof(got));
	if (ex->findings[0] && !expect_findings_match(r, ex->findings) &&
	    o < size)
		o += (size_t)snprintf(why + o, size - o,
				      "findings [%s], expected [%s]; ", got,
				      ex->findings);
	if (o >= 2 && o < size)
		why[o - 2] = '\0';
	return o == 0;
}
