/*
 * fuzz_config — libFuzzer target for the configuration readers of
 * claimscrubd and claimscrub-web (each input read as both).
 *
 * dconf_load() takes a path, so each input is written to an in-memory file
 * (memfd_create, emptied and rewritten per run: no disk I/O) and loaded
 * through /proc/self/fd/N exactly as `claimscrubd -c FILE` loads a file:
 * the size-limited read, the YAML key table, the range checks, and the
 * password check, which hands `database` to libpq's PQconninfoParse and
 * stats the file (a memfd is readable by others, so a conninfo with a
 * password must be refused; anything else loaded must hold values in range).
 *
 * Seeds: daemon/claimscrubd.yaml, as shipped and with its keys uncommented
 * (tests/fuzz/run.sh).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "daemon/dconf.h"
#include "web/wconf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz-claimscrubd.yaml", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("fuzz_config: memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

/* True when libpq reads a non-empty password from the conninfo. */
static int
has_password(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	int has = 0;
	for (const PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			has = 1;
	PQconninfoFree(opts);
	return has;
}

/* Aborts (libFuzzer keeps the input) when a loaded configuration breaks a
 * promise of dconf.h: every value in its range, and no password from a file
 * that others can read (a memfd is mode 0777). */
static void
check_loaded(const struct dconf *c)
{
	const char *bad = NULL;
	if (c->batch_size < 1 || c->batch_size > 10000 ||
	    c->poll_interval_ms < 10 || c->poll_interval_ms > 3600000 ||
	    c->max_attempts < 1 || c->max_attempts > 1000 ||
	    c->reconnect_max_ms < 10 || c->reconnect_max_ms > 3600000 ||
	    c->claim_lease_ms < 100 || c->claim_lease_ms > 3600000 ||
	    c->http_port < 0 || c->http_port > 65535 || !c->http_address ||
	    c->nrules < 0 || c->nrules > DCONF_MAX_RULE_DIRS)
		bad = "a value out of range";
	for (int i = 0; !bad && i < c->nrules; i++)
		if (!c->rules[i])
			bad = "a NULL rule directory";
	if (!bad && c->database && has_password(c->database))
		bad = "a password from a file readable by others";
	if (bad) {
		fprintf(stderr, "fuzz_config: loaded %s\n", bad);
		abort();
	}
}

/* Aborts when a loaded claimscrub-web.yaml breaks a promise of wconf.h:
 * every value in its range, proxy mode only with its trusted sources. */
static void
check_web(const struct wconf *w)
{
	if (w->port < 0 || w->port > 65535 || !w->listen || !w->user_header ||
	    w->session_idle_minutes < 1 || w->session_max_hours < 1 ||
	    w->max_sessions < 1 || w->db_connections < 1 ||
	    w->db_connections > 64 || w->client_timeout_seconds < 1 ||
	    w->connection_max_seconds < 1 ||
	    (w->auth == WCONF_AUTH_PROXY && !w->proxy_sources)) {
		fprintf(stderr, "fuzz_config: claimscrub-web.yaml loaded "
				"out of its bounds\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = {0};
	struct dconf *c = NULL;
	if (ftruncate(memfd, 0) != 0 ||
	    (size && pwrite(memfd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz_config: writing the memfd");
		exit(1);
	}
	if (dconf_load(path, false, &c, &dl) == SCRUB_OK)
		check_loaded(c);
	char msg[512];
	for (size_t i = 0; i < dl.n; i++)
		diag_format(&dl.items[i], msg, sizeof(msg));
	dconf_free(c);
	diag_list_free(&dl);
	/* the same bytes as claimscrub-web.yaml */
	struct wconf *w = NULL;
	struct diag_list wl = {0};
	if (wconf_load(path, false, &w, &wl) == SCRUB_OK)
		check_web(w);
	for (size_t i = 0; i < wl.n; i++)
		diag_format(&wl.items[i], msg, sizeof(msg));
	wconf_free(w);
	diag_list_free(&wl);
	return 0;
}
