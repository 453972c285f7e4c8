/*
 * state.c — files in the state directory (see state.h).
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int disp_state_mkdir(const char *dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the rename itself durable. */
static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int disp_state_write_atomic(const char *path, const void *data, size_t len,
			    unsigned mode)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	/* A stale tmp (a write cut short, or a link planted by whoever owns
	 * the directory) is never written through: start from a fresh file. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir_of(path);
}

char *disp_state_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	int err = !buf ? ENOMEM : ferror(f) ? EIO : n > max ? EFBIG : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int read_uuid(const char *path, char out[PRLC_UUID_LEN + 1])
{
	char *text = disp_state_read_file(path, 256, NULL);
	if (!text)
		return -errno;
	text[strcspn(text, " \t\r\n")] = '\0';
	int rc = prlc_uuid_is_valid(text) ? 0 : -EINVAL;
	if (rc == 0)
		memcpy(out, text, PRLC_UUID_LEN + 1);
	free(text);
	return rc;
}

int disp_state_server_uuid(const char *dir, char out[PRLC_UUID_LEN + 1])
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/server.uuid", dir) >=
	    (int)sizeof path)
		return -ENAMETOOLONG;
	int rc = read_uuid(path, out);
	if (rc != -ENOENT)
		return rc;
	char line[PRLC_UUID_LEN + 2];
	prlc_uuid_generate(out);
	snprintf(line, sizeof line, "%s\n", out);
	return disp_state_write_atomic(path, line, strlen(line), 0644);
}
