/*
 * auth.h — password checks for TCP logins and the password file.
 *
 * Two back ends, chosen by --auth: PAM (service "prl_disp_service"; the
 * system's accounts) and the password file <state-dir>/passwd, one
 * `user:crypt-hash` line per user, written by `prl_disp_service
 * --set-password USER`.  Hashes are yescrypt ("$y$") when libcrypt offers it,
 * SHA-512 crypt ("$6$") otherwise.
 *
 * Everything here blocks (PAM modules, disk, deliberately slow hashes): the
 * dispatcher calls it on a worker thread.  Thread-safe.
 */
#ifndef OPENPRL_DISP_AUTH_H
#define OPENPRL_DISP_AUTH_H

#include <stdbool.h>

#include "options.h"

#define DISP_PAM_SERVICE "prl_disp_service"
#define DISP_PASSWD_FILE "passwd"

/* True when password is user's.  An unknown user costs as much time as a
 * known one, so timing does not reveal which names exist. */
bool disp_auth_check(disp_auth_mode mode, const char *state_dir,
		     const char *user, const char *password);

/* Stores (or replaces) user's hash in <state_dir>/passwd atomically.
 * 0, or -errno (-EINVAL: a name with ':' or a newline, or empty). */
int disp_auth_set_password(const char *state_dir, const char *user,
			   const char *password);

#endif
