/*
 * fileio — whole-file reads with a size limit; see fileio.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static enum scrub_err
read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *p = malloc(cap + 1);
	if (!p)
		return SCRUB_ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(p);
				return SCRUB_ELIMIT;
			}
			cap *= 2;
			char *q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				return SCRUB_ENOMEM;
			}
			p = q;
		}
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(p);
			errno = e;
			return SCRUB_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(p);
		return SCRUB_ELIMIT;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return SCRUB_OK;
}

enum scrub_err
fileio_read(const char *path, size_t max, char **buf, size_t *len,
	    struct diag_list *dl)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO
					: open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	*buf = NULL;
	*len = 0;
	if (fd < 0) {
		diag_add(dl, path, 0, 0, "cannot open: %s", strerror(errno));
		return SCRUB_EIO;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fd != STDIN_FILENO)
			close(fd);
		diag_add(dl, path, 0, 0, "is a directory");
		return SCRUB_EIO;
	}
	enum scrub_err err = read_fd(fd, max, buf, len);
	int e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (err == SCRUB_EIO)
		diag_add(dl, path, 0, 0, "cannot read: %s", strerror(e));
	else if (err == SCRUB_ELIMIT)
		diag_add(dl, path, 0, 0, "file is larger than %zu bytes", max);
	return err;
}
