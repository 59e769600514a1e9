/*
 * termsafe — untrusted text (claim fields, finding messages, database rows,
 * diagnostics that quote a document) made safe for a person's terminal.
 *
 * A terminal acts on more than ESC: C1 controls (U+0080–U+009F, e.g. U+009B,
 * a one-character CSI many terminals honour), and bidirectional controls
 * reorder what a reader sees ("Trojan Source").  Every text output of the
 * CLI writes claim text through this one escaper:
 *
 *   C0 controls and DEL       \x1b, \x0a, \x7f  (tab and newline too)
 *   C1 controls               \u009b
 *   bidi controls             \u202e  (U+061C, U+200E–200F, U+202A–202E,
 *                                      U+2066–2069)
 *   each byte of bad UTF-8    \xff  (overlong, surrogate, out of range,
 *                                    cut short)
 *
 * Everything else, other non-ASCII text included, passes unchanged.  A
 * backslash is not doubled: the output is for people (JSON is the exact
 * form), and escaped text escapes to itself, so text escaped twice (a
 * message printed through cli_error) reads the same.
 */
#ifndef CLI_TERMSAFE_H
#define CLI_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Room for the longest escape, "\u202e", and its NUL. */
#define TERMSAFE_ESC_MAX 8

/* Length in bytes of the character at s (1 for a byte of bad UTF-8; s is
 * not empty), and its escape in esc, or "" when it may be shown as it is. */
size_t termsafe_next(const char *s, char esc[TERMSAFE_ESC_MAX]);

/* Writes s escaped. */
void termsafe_put(FILE *out, const char *s);

/* Writes s escaped in a column: at most max columns (max < 0: no limit;
 * a character counts one column, an escape its length, and neither is ever
 * cut), then spaces up to pad columns. */
void termsafe_put_cols(FILE *out, const char *s, int max, int pad);

/* Copies s escaped into buf (size > 0), cut at a character boundary;
 * returns buf. */
char *termsafe_copy(char *buf, size_t size, const char *s);

#endif
