/*
 * throttle — see throttle.h.  A flat array searched by name: a sign-in
 * is a database connection, thousands of times dearer than the search.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/session.h"
#include "web/throttle.h"

struct tname {
	char name[SESSION_USER];
	long failures;
	time_t last;  /* the last failure */
	time_t until; /* locked until */
};

struct throttle {
	long max_failures, lockout;
	size_t n;
	struct tname e[THROTTLE_NAMES];
};

struct throttle *
throttle_new(long max_failures, long lockout)
{
	struct throttle *t = calloc(1, sizeof(*t));
	if (t) {
		t->max_failures = max_failures;
		t->lockout = lockout;
	}
	return t;
}

void
throttle_free(struct throttle *t)
{
	free(t);
}

static struct tname *
find(struct throttle *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, name) == 0)
			return &t->e[i];
	return NULL;
}

long
throttle_wait(struct throttle *t, const char *name, time_t now)
{
	const struct tname *e = find(t, name);
	return e && e->until > now ? (long)(e->until - now) : 0;
}

void
throttle_failed(struct throttle *t, const char *name, time_t now)
{
	struct tname *e = find(t, name);
	if (!e && t->n < THROTTLE_NAMES)
		e = &t->e[t->n++];
	if (!e) { /* full: the name whose last failure is oldest goes */
		e = &t->e[0];
		for (size_t i = 1; i < t->n; i++)
			if (t->e[i].last < e->last)
				e = &t->e[i];
	}
	if (strcmp(e->name, name) != 0) {
		*e = (struct tname){0};
		snprintf(e->name, sizeof(e->name), "%s", name);
	}
	e->last = now;
	if (++e->failures >= t->max_failures) {
		e->until = now + t->lockout;
		e->failures = 0; /* the next lock takes as many again */
	}
}

void
throttle_ok(struct throttle *t, const char *name)
{
	struct tname *e = find(t, name);
	if (e)
		*e = t->e[--t->n];
}
