/*
 * diag — diagnostics collected for the caller; see diag.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

const char *
scrub_strerror(enum scrub_err err)
{
	switch (err) {
	case SCRUB_OK:
		return "success";
	case SCRUB_ENOMEM:
		return "out of memory";
	case SCRUB_EIO:
		return "input/output error";
	case SCRUB_EINPUT:
		return "input is not well formed";
	case SCRUB_ELIMIT:
		return "input is over a size limit";
	}
	return "unknown error";
}

void
diag_list_free(struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		free(dl->items[i].file);
		free(dl->items[i].message);
	}
	free(dl->items);
	dl->items = NULL;
	dl->n = dl->cap = 0;
}

static enum scrub_err
diag_reserve(struct diag_list *dl, size_t extra)
{
	if (dl->n + extra <= dl->cap)
		return SCRUB_OK;
	size_t cap = dl->cap ? dl->cap * 2 : 8;
	while (cap < dl->n + extra)
		cap *= 2;
	struct diag *items = realloc(dl->items, cap * sizeof(*items));
	if (!items)
		return SCRUB_ENOMEM;
	dl->items = items;
	dl->cap = cap;
	return SCRUB_OK;
}

enum scrub_err
diag_add(struct diag_list *dl, const char *file, unsigned line, unsigned column,
	 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_reserve(dl, 1) != SCRUB_OK)
		return SCRUB_ENOMEM;
	struct diag *d = &dl->items[dl->n];
	d->file = strdup(file ? file : "");
	d->message = strdup(msg);
	if (!d->file || !d->message) {
		free(d->file);
		free(d->message);
		return SCRUB_ENOMEM;
	}
	d->line = line;
	d->column = column;
	d->doc = -1;
	dl->n++;
	return SCRUB_OK;
}

enum scrub_err
diag_move(struct diag_list *to, struct diag_list *from, int doc)
{
	if (diag_reserve(to, from->n) != SCRUB_OK)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < from->n; i++) {
		to->items[to->n] = from->items[i];
		to->items[to->n].doc = doc;
		to->n++;
	}
	free(from->items);
	from->items = NULL;
	from->n = from->cap = 0;
	return SCRUB_OK;
}

void
diag_list_truncate(struct diag_list *dl, size_t n)
{
	for (size_t i = n; i < dl->n; i++) {
		free(dl->items[i].file);
		free(dl->items[i].message);
	}
	if (n < dl->n)
		dl->n = n;
}

void
diag_format(const struct diag *d, char *buf, size_t size)
{
	if (d->line)
		snprintf(buf, size, "%s:%u:%u: error: %s", d->file, d->line,
			 d->column, d->message);
	else
		snprintf(buf, size, "%s: error: %s", d->file, d->message);
}
