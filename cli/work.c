/*
 * work — the review workflow's shared checks and SQL call; see work.h.
 * The server checks every value again (the API is the boundary); these
 * checks are here so a typing slip is a usage error that names its option
 * (exit 2) before any connection is made.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/work.h"
#include "scrubber/isotime.h"

/* True when s is 1 to max decimal digits. */
static bool
all_digits(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");
	return n > 0 && n <= max && s[n] == '\0';
}

/* Stores arg into *field (a const char *) when ok; NULL, else must. */
static const char *
keep(bool ok, const char *arg, void *field, const char *must)
{
	if (!ok)
		return must;
	*(const char **)field = arg;
	return NULL;
}

/* One of the words of list (NULL-terminated). */
static bool
one_of(const char *arg, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(arg, *list) == 0)
			return true;
	return false;
}

const char *
work_parse_name(const char *arg, void *field)
{
	size_t n = strlen(arg);
	return keep(n >= 1 && n <= 64, arg, field, "1 to 64 characters");
}

const char *
work_parse_note(const char *arg, void *field)
{
	size_t n = strlen(arg);
	return keep(n >= 1 && n <= 2000, arg, field, "1 to 2000 characters");
}

const char *
work_parse_count(const char *arg, void *field)
{
	return keep(all_digits(arg, 8), arg, field,
		    "a number from 0 to 99999999");
}

bool
work_is_id(const char *s)
{
	return all_digits(s, 18) && s[strspn(s, "0")] != '\0';
}

const char *
work_parse_id(const char *arg, void *field)
{
	return keep(work_is_id(arg), arg, field, "a number from 1");
}

/* numeric(12, 2): up to 10 digits, then up to 2 decimals. */
const char *
work_parse_amount(const char *arg, void *field)
{
	size_t n = strspn(arg, "0123456789");
	const char *frac = arg + n;
	bool ok = n >= 1 && n <= 10 &&
		  (*frac == '\0' || (*frac == '.' && all_digits(frac + 1, 2)));
	return keep(ok, arg, field, "an amount such as 100 or 12.50");
}

const char *
work_parse_date(const char *arg, void *field)
{
	int32_t day;
	bool ok =
		strlen(arg) == 10 && isotime_parse_date(arg, strlen(arg), &day);
	return keep(ok, arg, field, "a date YYYY-MM-DD");
}

const char *
work_parse_severity(const char *arg, void *field)
{
	static const char *const words[] = {"error", "warning", "info", NULL};
	return keep(one_of(arg, words), arg, field, "error, warning or info");
}

/* The work item states (sql/migrations/012_workflow.sql), and 'all'. */
const char *
work_parse_state(const char *arg, void *field)
{
	static const char *const words[] = {
		"open",	    "in-progress", "deferred", "waiting-documentation",
		"resolved", "all",	   NULL};
	return keep(one_of(arg, words), arg, field,
		    "open, in-progress, deferred, waiting-documentation, "
		    "resolved or all");
}

PGresult *
work_call(PGconn *conn, const char *sql, int nparams, const char *const *params,
	  int *rc, char *msg, size_t size)
{
	PGresult *res =
		PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	cli_db_message(conn, res, msg, size);
	*rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE : EXIT_REJECTED;
	PQclear(res);
	return NULL;
}
