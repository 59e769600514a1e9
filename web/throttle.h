/*
 * throttle — failed sign-ins by role name: after max_failures failures in
 * a row a name waits lockout seconds before its next try is checked (a
 * password guessed by the thousand, or a role locked out of PostgreSQL by
 * its own policy, is not hammered through the workbench).  A sign-in that
 * works forgets the name's failures.  At most THROTTLE_NAMES names are
 * kept; a new one takes the place of the one whose last failure is
 * oldest.
 */
#ifndef WEB_THROTTLE_H
#define WEB_THROTTLE_H

#include <time.h>

#define THROTTLE_NAMES 4096

struct throttle;

struct throttle *throttle_new(long max_failures, long lockout);
void throttle_free(struct throttle *t);

/* Seconds name must still wait before it may try; 0: it may. */
long throttle_wait(struct throttle *t, const char *name, time_t now);
void throttle_failed(struct throttle *t, const char *name, time_t now);
void throttle_ok(struct throttle *t, const char *name);

#endif
