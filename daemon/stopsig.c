/*
 * stopsig — see stopsig.h.
 */
#include "config.h"

#include <signal.h>

#include "stopsig.h"

void
stopsig_hold(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* (pending ones stay pending, and go with the process) */
	sigprocmask(SIG_BLOCK, &set, NULL);
}
