/*
 * session — the signed-in people: a session id of 256 random bits (the
 * cookie), a CSRF token of 256 more (every form that changes something
 * carries it), the person's role name, and two clocks: a session unused
 * for the idle time, or older than the absolute limit, is gone.  Ids and
 * tokens are compared in constant time.  A new session is made at every
 * sign-in (never one the client brought: no fixation); at the cap the
 * least recently used one is dropped.
 */
#ifndef WEB_SESSION_H
#define WEB_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define SESSION_HEX 65 /* 32 random bytes as hex, and the NUL */
#define SESSION_USER 64

struct session {
	char id[SESSION_HEX];
	char csrf[SESSION_HEX];
	char user[SESSION_USER];
	double born, seen; /* monotonic seconds; born 0: a free slot */
};

struct sessions;

struct sessions *sessions_new(long max, long idle_s, long max_age_s);
void sessions_free(struct sessions *s);
/* The clock the timeouts are measured on, in seconds (default: the
 * monotonic clock; a test sets its own).  Never 0: born 0 marks a free
 * slot. */
void sessions_set_clock(struct sessions *s, double (*clock)(void));

/* The live session with this id, its idle clock restarted; NULL when
 * there is none (or it expired, and is dropped now). */
struct session *sessions_find(struct sessions *s, const char *id);
/* A new session for user; NULL when the system has no randomness. */
struct session *sessions_create(struct sessions *s, const char *user);
void sessions_drop(struct sessions *s, struct session *x);
/* Sessions alive now. */
long sessions_count(const struct sessions *s);

/* Fills out (SESSION_HEX bytes) with 32 random bytes as hex; false when
 * getrandom fails. */
bool session_random(char *out);
/* a and b equal, in time independent of where they differ. */
bool session_same(const char *a, const char *b);

#endif
