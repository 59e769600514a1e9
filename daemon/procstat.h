#ifndef CLAIMSCRUB_PROCSTAT_H
#define CLAIMSCRUB_PROCSTAT_H

#include <stdbool.h>

/* The process's own figures, as Prometheus clients export them
 * (process_*): from /proc/self, read at each scrape. */
struct procstat {
	bool known;	       /* false where /proc could not be read */
	double cpu_seconds;    /* user + system */
	long long rss_bytes;   /* resident */
	long long vsize_bytes; /* virtual */
	long long open_fds;    /* descriptors open */
	long long max_fds;     /* RLIMIT_NOFILE's soft limit */
};

/* Fills p; p->known says whether /proc/self answered. */
void procstat_read(struct procstat *p);

#endif
