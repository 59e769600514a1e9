/*
 * fileio — reading whole files with a size limit: the only file I/O of the
 * library, beside the readers that take buffers.
 */
#ifndef SCRUBBER_FILEIO_H
#define SCRUBBER_FILEIO_H

#include <stddef.h>

#include "diag.h"

/* Claim files and rule files larger than this are refused. */
#define FILEIO_MAX_BYTES ((size_t)64 << 20)

/*
 * Reads all of path ("-" is standard input) into *buf (malloc'd, NUL-terminated,
 * caller frees) and *len.  Failures add a diagnostic naming the file and
 * return SCRUB_EIO, SCRUB_ELIMIT or SCRUB_ENOMEM.
 */
enum scrub_err fileio_read(const char *path, size_t max, char **buf,
			   size_t *len, struct diag_list *dl);

#endif
