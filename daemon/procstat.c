/*
 * procstat.c — the daemon's own CPU time, memory and descriptors, for the
 * process_* metrics every Prometheus client library exports: so that a
 * dashboard made for them shows claimscrubd too.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/procstat.h"

/* utime, stime, vsize and rss of /proc/self/stat (fields 14, 15, 23 and
 * 24), read past the command name, which may hold spaces and ')' */
static bool
read_stat(struct procstat *p)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *s = strrchr(buf, ')');
	unsigned long long ut, st, vsize;
	long long rss;
	/* from field 3 (state) on: 11 fields before utime, 7 between stime
	 * and vsize */
	if (!s || sscanf(s + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
			 "%llu %*d %*d %*d %*d %*d %*d %*u %llu %lld",
			 &ut, &st, &vsize, &rss) != 4)
		return false;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	p->cpu_seconds = hz > 0 ? (double)(ut + st) / (double)hz : 0;
	p->vsize_bytes = (long long)vsize;
	p->rss_bytes = page > 0 ? rss * page : 0;
	return true;
}

static long long
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	long long n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* not the one the listing itself holds */
}

void
procstat_read(struct procstat *p)
{
	struct rlimit rl;
	memset(p, 0, sizeof(*p));
	p->open_fds = count_fds();
	p->known = read_stat(p) && p->open_fds >= 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		p->max_fds = rl.rlim_cur == RLIM_INFINITY
				     ? -1
				     : (long long)rl.rlim_cur;
}
