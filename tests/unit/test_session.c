/*
 * test_session — the workbench's sessions (web/session.h) on a clock the
 * test moves: ids and CSRF tokens of 256 random bits, found only by the
 * exact id, gone after the idle time unused and after the absolute limit
 * however used, the least recently used dropped at the cap, and the
 * constant-time comparison's answers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "web/session.h"

static double now = 1000.0;

static double
test_clock(void)
{
	return now;
}

/* 4 sessions, 30 minutes idle, 12 hours in all */
static struct sessions *
fresh(void)
{
	struct sessions *s = sessions_new(4, 30 * 60, 12 * 3600);
	cr_assert_not_null(s);
	sessions_set_clock(s, test_clock);
	now = 1000.0;
	return s;
}

static bool
is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

Test(session, ids_and_tokens_are_256_random_bits_as_hex)
{
	struct sessions *s = fresh();
	struct session *a = sessions_create(s, "alice");
	cr_assert_not_null(a);
	char id[SESSION_HEX];
	strcpy(id, a->id);
	struct session *b = sessions_create(s, "bob");
	cr_assert(is_hex64(id) && is_hex64(b->id) && is_hex64(b->csrf));
	cr_assert_str_neq(id, b->id);
	cr_assert_str_neq(b->id, b->csrf);
	cr_assert_str_eq(b->user, "bob");
	sessions_free(s);
}

Test(session, found_by_its_exact_id_only)
{
	struct sessions *s = fresh();
	struct session *a = sessions_create(s, "alice");
	char id[SESSION_HEX];
	strcpy(id, a->id);
	cr_assert_eq(sessions_find(s, id), a);
	id[63] = id[63] == '0' ? '1' : '0';
	cr_assert_null(sessions_find(s, id), "one digit off");
	id[63] = '\0';
	cr_assert_null(sessions_find(s, id), "a prefix");
	cr_assert_null(sessions_find(s, ""));
	sessions_free(s);
}

Test(session, idle_time_ends_it_use_keeps_it)
{
	struct sessions *s = fresh();
	struct session *a = sessions_create(s, "alice");
	char id[SESSION_HEX];
	strcpy(id, a->id);
	now += 29 * 60;
	cr_assert_not_null(sessions_find(s, id), "29 minutes unused");
	now += 29 * 60; /* 58 minutes old, 29 since last used */
	cr_assert_not_null(sessions_find(s, id), "used 29 minutes ago");
	now += 30 * 60 + 1;
	cr_assert_null(sessions_find(s, id), "30 minutes and a second unused");
	cr_assert_eq(sessions_count(s), 0);
	sessions_free(s);
}

Test(session, the_absolute_limit_ends_it_however_used)
{
	struct sessions *s = fresh();
	struct session *a = sessions_create(s, "alice");
	char id[SESSION_HEX];
	strcpy(id, a->id);
	for (int i = 0; i < 24; i++) {
		now += 29 * 60; /* used every 29 minutes: never idle */
		sessions_find(s, id);
	}
	/* 11 h 36 min old */
	cr_assert_not_null(sessions_find(s, id));
	now += 25 * 60; /* 12 h 1 min */
	cr_assert_null(sessions_find(s, id));
	sessions_free(s);
}

Test(session, at_the_cap_the_least_recently_used_goes)
{
	struct sessions *s = fresh();
	char ids[5][SESSION_HEX];
	for (int i = 0; i < 4; i++) {
		now += 1;
		strcpy(ids[i], sessions_create(s, "u")->id);
	}
	now += 1;
	cr_assert_not_null(sessions_find(s, ids[0])); /* 0 used last now */
	now += 1;
	strcpy(ids[4], sessions_create(s, "v")->id);
	cr_assert_null(sessions_find(s, ids[1]), "the least recently used");
	cr_assert_not_null(sessions_find(s, ids[0]));
	cr_assert_not_null(sessions_find(s, ids[4]));
	cr_assert_eq(sessions_count(s), 4);
	sessions_free(s);
}

Test(session, dropped_is_gone)
{
	struct sessions *s = fresh();
	struct session *a = sessions_create(s, "alice");
	char id[SESSION_HEX];
	strcpy(id, a->id);
	sessions_drop(s, a);
	cr_assert_null(sessions_find(s, id));
	sessions_free(s);
}

Test(session, same_compares_whole_strings)
{
	cr_assert(session_same("abc", "abc"));
	cr_assert_not(session_same("abc", "abd"));
	cr_assert_not(session_same("abc", "ab"));
	cr_assert_not(session_same("ab", "abc"));
	cr_assert_not(session_same("", ""), "an empty token is never good");
}
