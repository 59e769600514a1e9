/*
 * session — see session.h.  A fixed array searched end to end: a few
 * thousand slots compared in constant time cost microseconds, and no id
 * ever selects a bucket (nothing about a guess shows in the timing).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "web/session.h"

struct sessions {
	long max;
	double idle_s, max_age_s;
	struct session *slot;
	double (*clock)(void);
};

static double
mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9 + 1.0;
}

struct sessions *
sessions_new(long max, long idle_s, long max_age_s)
{
	struct sessions *s = calloc(1, sizeof(*s));
	if (!s || !(s->slot = calloc((size_t)max, sizeof(*s->slot)))) {
		free(s);
		return NULL;
	}
	s->max = max;
	s->clock = mono_s;
	s->idle_s = (double)idle_s;
	s->max_age_s = (double)max_age_s;
	return s;
}

void
sessions_set_clock(struct sessions *s, double (*clock)(void))
{
	s->clock = clock;
}

void
sessions_free(struct sessions *s)
{
	if (!s)
		return;
	explicit_bzero(s->slot, (size_t)s->max * sizeof(*s->slot));
	free(s->slot);
	free(s);
}

bool
session_same(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char d = n != m || n == 0;
	for (size_t i = 0; i < n && i < m; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

bool
session_random(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return false;
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[64] = '\0';
	explicit_bzero(b, sizeof(b));
	return true;
}

static bool
expired(const struct sessions *s, const struct session *x, double now)
{
	return now - x->seen > s->idle_s || now - x->born > s->max_age_s;
}

struct session *
sessions_find(struct sessions *s, const char *id)
{
	struct session *hit = NULL;
	double now = s->clock();
	if (strlen(id) != SESSION_HEX - 1)
		return NULL;
	for (long i = 0; i < s->max; i++) {
		struct session *x = &s->slot[i];
		if (x->born && session_same(x->id, id))
			hit = x;
	}
	if (hit && expired(s, hit, now)) {
		sessions_drop(s, hit);
		return NULL;
	}
	if (hit)
		hit->seen = now;
	return hit;
}

/* A free slot, an expired one, or the least recently used. */
static struct session *
free_slot(struct sessions *s, double now)
{
	struct session *lru = &s->slot[0];
	for (long i = 0; i < s->max; i++) {
		struct session *x = &s->slot[i];
		if (!x->born || expired(s, x, now))
			return x;
		if (x->seen < lru->seen)
			lru = x;
	}
	return lru;
}

struct session *
sessions_create(struct sessions *s, const char *user)
{
	double now = s->clock();
	struct session *x = free_slot(s, now);
	memset(x, 0, sizeof(*x));
	if (!session_random(x->id) || !session_random(x->csrf)) {
		memset(x, 0, sizeof(*x));
		return NULL;
	}
	snprintf(x->user, sizeof(x->user), "%s", user);
	x->born = x->seen = now;
	return x;
}

void
sessions_drop(struct sessions *s, struct session *x)
{
	(void)s;
	explicit_bzero(x, sizeof(*x));
}

long
sessions_count(const struct sessions *s)
{
	long n = 0;
	double now = s->clock();
	for (long i = 0; i < s->max; i++)
		n += s->slot[i].born && !expired(s, &s->slot[i], now);
	return n;
}
