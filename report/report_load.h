/*
 * report_load — the denial-risk report's queries and how their rows fill
 * the model (report.h), as one table: the CLI runs them one by one on a
 * blocking connection (cli/cmd_report.c), the workbench as one pipeline
 * (web/dashboard.c).  Every query takes $1 since, $2 until, $3 payer,
 * $4 provider (NULL: none), except a bare one, which takes none.  Run them in order,
 * in one REPEATABLE READ snapshot, and fill each wanted one.
 */
#ifndef REPORT_REPORT_LOAD_H
#define REPORT_REPORT_LOAD_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "report/report.h"

enum rpt_query_id {
	RPT_Q_FLAGS,
	RPT_Q_CLAIMS,
	RPT_Q_FINDINGS, /* the big one; the CLI may run it aside */
	RPT_Q_AXIS,
	RPT_Q_BEFORE_CLAIMS,
	RPT_Q_BEFORE_FINDINGS,
	RPT_Q_UNMAPPED,
	RPT_NQUERIES
};

struct rpt_query {
	const char *sql;
	bool bare;
	/* fills r from res; false: out of memory */
	bool (*fill)(struct report *r, const PGresult *res);
};

extern const struct rpt_query rpt_queries[RPT_NQUERIES];

/* The snapshot every query reads, and the room its aggregations get: no
 * JIT (it costs more than it saves on queries this short). */
#define RPT_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#define RPT_SETTINGS "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"

#define RPT_NPARAMS 4
/* The filters of r as $1..$4 (none when r is NULL). */
void rpt_params(const struct report *r, const char *params[RPT_NPARAMS]);
/* Whether query q's rows are needed, once the earlier ones have filled r:
 * the days before the period only with since, unmapped payers only with a
 * payer map. */
bool rpt_wanted(const struct report *r, enum rpt_query_id q);
/* After the fills: the weeks and months, every section in its order, the
 * total's key.  false: out of memory. */
bool rpt_finish(struct report *r);

#endif
