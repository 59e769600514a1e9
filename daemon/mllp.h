/*
 * mllp — claimscrubd's HL7 v2 listener: the Minimal Lower Layer Protocol
 * over TCP (a frame is 0x0B, one message, 0x1C 0x0D), each message read by
 * hl7_read (scrubber/hl7.h) and its MAR records stored through
 * claimscrub.mar_store('hl7', ...) over a database connection of its own
 * (conn.h; the queue's is never used).  The sender hears an ACK^O17:
 *
 *   AA  the records are committed (only after the commit);
 *   AE  hl7_read refused the message: MSA-3 is its first error, escaped;
 *       or mar_store refused its records for their data (SQLSTATE class
 *       22 or 54), which a resend cannot change: MSA-3 the server's text;
 *   AR  not an HL7 message, not one message, a type other than RAS^O17, or
 *       a frame past MLLP_MAX_FRAME (then the connection is closed).
 *
 * Any other database failure (down, no privilege, out of resources) sends
 * no ACK and closes the connection: HL7 senders send again what was not acknowledged,
 * and mar_store keeps a record once per id, so the resend is stored once.
 * A connection dropped mid-frame stores nothing.
 */
#ifndef DAEMON_MLLP_H
#define DAEMON_MLLP_H

#include <stddef.h>

#include <event2/event.h>

/* Bytes of one message inside its frame; a longer frame is answered AR. */
#define MLLP_MAX_FRAME ((size_t)1 << 20)

struct mllp_stats {
	long long accepted; /* messages answered AA */
	long long rejected; /* messages answered AE or AR */
	long long records;  /* rows mar_store inserted or replaced */
};

/* Where mllp_start listens and what it connects to. */
struct mllp_config {
	const char *address; /* a host name or address */
	int port;
	const char *conninfo; /* libpq conninfo; NULL: PG* environment */
	long reconnect_max_ms;
	long max_conns; /* connections served at once; more wait */
	long frame_s;	/* seconds a frame may take from its start block */
	long idle_s;	/* seconds a connection may stay silent */
};

struct mllp;

/* Listens on address:port and connects to the database; NULL with a
 * message in err on failure.  Freed with mllp_free. */
struct mllp *mllp_start(struct event_base *base, const struct mllp_config *c,
			char *err, size_t errsize);

/* The counters so far (for /metrics). */
const struct mllp_stats *mllp_stats(const struct mllp *m);

/* Closes every connection and the listener (NULL: no-op). */
void mllp_free(struct mllp *m);

#endif
