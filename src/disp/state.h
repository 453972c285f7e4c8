/*
 * state.h — the dispatcher's files under --state-dir: the directory itself,
 * server.uuid, and the atomic replace every small file write goes through
 * (temporary file, fsync, rename, fsync of the directory), so that a crash at
 * any instant leaves either the old or the new content, never half of one.
 *
 * Blocking (disk): call at start-up or from a worker thread.
 */
#ifndef OPENPRL_DISP_STATE_H
#define OPENPRL_DISP_STATE_H

#include <stddef.h>

#include "uuid.h"

/* Creates dir (and missing parents, mode 0700).  0 or -errno. */
int disp_state_mkdir(const char *dir);
/* Replaces path with data[0..len) atomically, file mode `mode`.  0 or
 * -errno. */
int disp_state_write_atomic(const char *path, const void *data, size_t len,
			    unsigned mode);
/* Reads the server UUID from <dir>/server.uuid, creating it once.  0, or
 * -errno (-EINVAL: the file exists but does not hold a UUID). */
int disp_state_server_uuid(const char *dir, char out[PRLC_UUID_LEN + 1]);
/* Reads a whole small file (at most max bytes) into a malloc'd, NUL
 * terminated buffer.  NULL with errno set. */
char *disp_state_read_file(const char *path, size_t max, size_t *len);

#endif
