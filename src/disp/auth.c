/*
 * auth.c — PAM and crypt(3) password checks (see auth.h).
 *
 * The password file is read whole on every check (it is small and this runs
 * on a worker), so a --set-password run is seen by the next login without a
 * restart.  Writers serialise on an flock of <state-dir>/passwd.lock and
 * replace the file atomically.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

#define PASSWD_MAX (1024 * 1024)

/* ---- PAM --------------------------------------------------------------------- */

/* Answers the module's prompts from the login request: the password for
 * hidden prompts, the user name for echoed ones, nothing for messages. */
static int pam_conv_fn(int n, const struct pam_message **msg,
		       struct pam_response **resp, void *data)
{
	const char *const *cred = data;    /* { user, password } */
	struct pam_response *r = calloc((size_t)n, sizeof *r);
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *ans = msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ?
			cred[1] : msg[i]->msg_style == PAM_PROMPT_ECHO_ON ?
			cred[0] : NULL;
		if (ans && !(r[i].resp = strdup(ans))) {
			for (int j = 0; j < i; j++)
				free(r[j].resp);
			free(r);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static bool pam_check(const char *user, const char *password)
{
	const char *cred[2] = { user, password };
	struct pam_conv conv = { pam_conv_fn, (void *)cred };
	pam_handle_t *h = NULL;
	int rc = pam_start(DISP_PAM_SERVICE, user, &conv, &h);
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, PAM_SILENT);
	if (rc != PAM_SUCCESS)
		PRLC_INFO("PAM refused user '%s': %s", user,
			  h ? pam_strerror(h, rc) : "pam_start failed");
	if (h)
		pam_end(h, rc);
	return rc == PAM_SUCCESS;
}

/* ---- crypt(3) ----------------------------------------------------------------- */

static int make_setting(char *out, int size)
{
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, out, size))
		return 0;
	return crypt_gensalt_rn("$6$", 0, NULL, 0, out, size) ? 0 : -EINVAL;
}

/* Compares without an early exit, so timing says nothing about where two
 * hashes start to differ. */
static bool same_string(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* True when crypt(password, hash) reproduces hash.  A NULL hash hashes
 * against a fresh setting and fails: the same cost, for unknown users. */
static bool crypt_matches(const char *password, const char *hash)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof *cd);
	if (!cd)
		return false;
	if (!hash && make_setting(setting, sizeof setting) == 0)
		crypt_rn(password, setting, cd, sizeof *cd);
	const char *out = hash ? crypt_rn(password, hash, cd, sizeof *cd) :
				 NULL;
	bool ok = out && out[0] != '*' && same_string(out, hash);
	free(cd);
	return ok;
}

static void passwd_path(const char *dir, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", dir, DISP_PASSWD_FILE);
}

/* Finds user's line in text; returns its hash (NUL-terminated in place). */
static char *find_hash(char *text, const char *user)
{
	size_t ul = strlen(user);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, user, ul) == 0 && line[ul] == ':')
			return line + ul + 1;
	return NULL;
}

static bool file_check(const char *dir, const char *user, const char *pw)
{
	char path[PATH_MAX];
	passwd_path(dir, path, sizeof path);
	char *text = disp_state_read_file(path, PASSWD_MAX, NULL);
	if (!text && errno != ENOENT)
		PRLC_WARN("cannot read %s: %s", path, strerror(errno));
	bool ok = crypt_matches(pw, text ? find_hash(text, user) : NULL);
	free(text);
	return ok;
}

bool disp_auth_check(disp_auth_mode mode, const char *state_dir,
		     const char *user, const char *password)
{
	if (!user || !*user || !password)
		return false;
	switch (mode) {
	case DISP_AUTH_PAM:
		return pam_check(user, password);
	case DISP_AUTH_FILE:
		return file_check(state_dir, user, password);
	default:
		return false;
	}
}

/* ---- writing the file ----------------------------------------------------------- */

/* Copies text to out without user's line (out has room for text). */
static size_t drop_user(const char *text, const char *user, char *out)
{
	size_t ul = strlen(user), n = 0;
	for (const char *p = text; *p;) {
		const char *end = strchrnul(p, '\n');
		size_t len = (size_t)(end - p);
		bool mine = len > ul && strncmp(p, user, ul) == 0 &&
			    p[ul] == ':';
		if (!mine && len > 0) {
			memcpy(out + n, p, len);
			out[n + len] = '\n';
			n += len + 1;
		}
		p = *end ? end + 1 : end;
	}
	return n;
}

static int rewrite_locked(const char *path, const char *user,
			  const char *hash)
{
	char *old = disp_state_read_file(path, PASSWD_MAX, NULL);
	if (!old && errno != ENOENT)
		return -errno;
	size_t oldlen = old ? strlen(old) : 0;
	char *buf = malloc(oldlen + strlen(user) + strlen(hash) + 4);
	int rc = -ENOMEM;
	if (buf) {
		size_t n = old ? drop_user(old, user, buf) : 0;
		n += (size_t)sprintf(buf + n, "%s:%s\n", user, hash);
		rc = disp_state_write_atomic(path, buf, n, 0600);
	}
	free(buf);
	free(old);
	return rc;
}

static int hash_password(const char *password, char *out, size_t n)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof *cd);
	int rc = cd ? make_setting(setting, sizeof setting) : -ENOMEM;
	const char *h = rc == 0 ? crypt_rn(password, setting, cd, sizeof *cd) :
				  NULL;
	if (rc == 0 && (!h || h[0] == '*' || strlen(h) >= n))
		rc = -EINVAL;
	if (rc == 0)
		strcpy(out, h);
	free(cd);
	return rc;
}

int disp_auth_set_password(const char *state_dir, const char *user,
			   const char *password)
{
	if (!*user || strpbrk(user, ":\n"))
		return -EINVAL;
	char hash[CRYPT_OUTPUT_SIZE], path[PATH_MAX], lock[PATH_MAX + 8];
	int rc = hash_password(password, hash, sizeof hash);
	if (rc < 0)
		return rc;
	passwd_path(state_dir, path, sizeof path);
	snprintf(lock, sizeof lock, "%s.lock", path);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0)
		rc = -errno;
	else
		rc = rewrite_locked(path, user, hash);
	close(fd);
	return rc;
}
