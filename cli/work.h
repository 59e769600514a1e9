/*
 * work — what the review workflow's commands share (review, resolve,
 * assign, take, defer, route, note; sql/api/060_workflow.sql): the checks
 * of their option values, and one call of the SQL API with its failure
 * turned into an exit status and a message for the caller to print with
 * the claim or finding it was about.
 */
#ifndef CLI_WORK_H
#define CLI_WORK_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* Converters (entry.h): each stores the argument itself, checked, into a
 * const char * field, so the server gets the text the user wrote. */
const char *work_parse_name(const char *arg, void *field);   /* 1-64 chars */
const char *work_parse_note(const char *arg, void *field);   /* 1-2000 */
const char *work_parse_count(const char *arg, void *field);  /* 0-99999999 */
const char *work_parse_id(const char *arg, void *field);     /* 1-... */
const char *work_parse_amount(const char *arg, void *field); /* 12.50 */
const char *work_parse_date(const char *arg, void *field);   /* Y-M-D */
const char *work_parse_severity(const char *arg, void *field);
const char *work_parse_state(const char *arg, void *field);

/* True when s is a finding or note id: 1 to 18 digits, not all zero. */
bool work_is_id(const char *s);

/* The result of sql run with params; NULL when it failed, with *rc the
 * exit status (EXIT_REJECTED: the server refused it, EXIT_USAGE: the
 * connection is gone) and the server's message, escaped, in msg. */
PGresult *work_call(PGconn *conn, const char *sql, int nparams,
		    const char *const *params, int *rc, char *msg, size_t size);

#endif
