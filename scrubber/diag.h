/*
 * diag — the library's one error type and its diagnostics.
 *
 * Every fallible call returns an `enum scrub_err`.  Details for people go into
 * a caller-owned `struct diag_list`: each entry names a file, a 1-based line
 * and column, and a message, so a program can print them in compiler form
 * (`file:line:column: error: message`).  The library never prints.
 */
#ifndef SCRUBBER_DIAG_H
#define SCRUBBER_DIAG_H

#include <stddef.h>

enum scrub_err {
	SCRUB_OK = 0,
	SCRUB_ENOMEM, /* out of memory */
	SCRUB_EIO,    /* a file could not be read */
	SCRUB_EINPUT, /* the input is not well formed; see the diagnostics */
	SCRUB_ELIMIT, /* the input is over a size limit */
};

/* Static text for an error code. */
const char *scrub_strerror(enum scrub_err err);

struct diag {
	char *file;	 /* owned; "" when there is none */
	unsigned line;	 /* 1-based; 0 when unknown */
	unsigned column; /* 1-based; 0 when unknown */
	char *message;	 /* owned */
	int doc;	 /* 0-based document index in a stream; -1 when none */
};

struct diag_list {
	struct diag *items;
	size_t n, cap;
};

/* An empty list needs no call: `struct diag_list dl = {0};`. */
void diag_list_free(struct diag_list *dl);

/* Appends a diagnostic; the message is printf-formatted.  On allocation
 * failure the diagnostic is dropped and SCRUB_ENOMEM returned. */
enum scrub_err diag_add(struct diag_list *dl, const char *file, unsigned line,
			unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Moves every entry of `from` to the end of `to`, tagging it with document
 * index `doc`; `from` is left empty. */
enum scrub_err diag_move(struct diag_list *to, struct diag_list *from, int doc);

/* Drops every entry after the first n. */
void diag_list_truncate(struct diag_list *dl, size_t n);

/* Writes `file:line:column: error: message` into buf (truncated to size). */
void diag_format(const struct diag *d, char *buf, size_t size);

#endif
