/*
 * ops_search.c — PJOC_SRV_START_SEARCH_VMS: finding VM bundles on disk
 * that are not registered (PrlSrv_StartSearchVms, guide task T21).
 *
 * The request names the directories to search in a Param "paths" whose
 * Value is `strings`; every path must be absolute.  Each directory is
 * walked on a worker, depth first, without following symbolic links
 * (every step is an openat with O_NOFOLLOW, so a link swapped in mid-walk
 * is refused rather than followed), at most SEARCH_MAX_DEPTH levels below
 * it and SEARCH_MAX_ENTRIES directory entries per request in all.  A
 * directory holding a config.pvs is a bundle: it is not descended into.
 * The bundle is reported when its config.pvs loads (read through the
 * directory's descriptor, /proc/self/fd/N/config.pvs, so the file checked
 * is the file of the directory walked), its UUID is not registered and
 * its path is not a registered bundle — and when the session could
 * register it: root sees every bundle, anyone else only bundles whose
 * directory they own (what PJOC_SRV_REGISTER_VM allows, vmops.c).
 *
 * The answer is one Value per VM found, `strings` with five items:
 *   [0] name, [1] absolute path of its config.pvs, [2] os_version in
 *   decimal, [3] braced UUID, [4] "1" for a template, else "0".
 * A missing or unreadable directory is skipped; a relative path, or no
 * paths at all, is PRL_ERR_INVALID_ARG.  Roots are made canonical
 * (realpath) first, so reported paths compare equal to the registry's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "prlc_consts.h"
#include "registry.h"

#define SEARCH_MAX_DEPTH 3          /* levels below each searched directory */
#define SEARCH_MAX_ENTRIES 10000    /* directory entries read per request */

typedef struct search {
	disp_req *r;
	uid_t viewer;                   /* the session's uid; 0 sees all */
	disp_registry *reg;             /* NULL: nothing is registered */
	disp_vmsnap **snaps;            /* every registered VM, for bundles */
	size_t n_snaps;
	const char **bundles;           /* their bundle paths, sorted */
	void *seen;                     /* tsearch tree of reported config paths */
	size_t entries;
	int rc;                         /* first hard failure (memory) */
	char path[PATH_MAX];            /* the directory being looked at */
} search;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The registered bundles, sorted for bsearch. */
static int load_registered(search *s)
{
	if (!s->reg)
		return PRL_ERR_SUCCESS;
	int rc = disp_registry_list(s->reg, 0, &s->snaps, &s->n_snaps);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	s->bundles = calloc(s->n_snaps ? s->n_snaps : 1, sizeof *s->bundles);
	if (!s->bundles)
		return PRL_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < s->n_snaps; i++)
		s->bundles[i] = s->snaps[i]->bundle ? s->snaps[i]->bundle : "";
	qsort(s->bundles, s->n_snaps, sizeof *s->bundles, cmp_str);
	return PRL_ERR_SUCCESS;
}

static void search_free(search *s)
{
	tdestroy(s->seen, free);
	free(s->bundles);
	if (s->snaps)
		disp_registry_list_free(s->snaps, s->n_snaps);
}

static bool is_registered(const search *s, const Prl__VmConfig *c)
{
	const char *key = s->path;
	if (bsearch(&key, s->bundles, s->n_snaps, sizeof *s->bundles, cmp_str))
		return true;
	disp_vmsnap *snap = s->reg ? disp_registry_find(s->reg, c->uuid) : NULL;
	/* find() falls back to names: only the same UUID counts. */
	bool hit = snap && !strcasecmp(snap->cfg->uuid, c->uuid);
	if (snap)
		disp_vmsnap_unref(snap);
	return hit;
}

/* ---- the answer ------------------------------------------------------------ */

static Prl__Value *found_value(const Prl__VmConfig *c, const char *cfgpath)
{
	Prl__Value *v = calloc(1, sizeof *v);
	Prl__StringList *l = calloc(1, sizeof *l);
	char **item = calloc(5, sizeof *item);
	char os[16];
	if (!v || !l || !item) {
		free(v);
		free(l);
		free(item);
		return NULL;
	}
	prl__value__init(v);
	prl__string_list__init(l);
	v->v_case = PRL__VALUE__V_STRINGS;
	v->strings = l;
	l->item = item;
	l->n_item = 5;
	snprintf(os, sizeof os, "%u", c->has_os_version ? c->os_version : 0);
	item[0] = strdup(c->name);
	item[1] = strdup(cfgpath);
	item[2] = strdup(os);
	item[3] = strdup(c->uuid);
	item[4] = strdup(c->has_is_template && c->is_template ? "1" : "0");
	if (!item[0] || !item[1] || !item[2] || !item[3] || !item[4]) {
		prl__value__free_unpacked(v, NULL);
		return NULL;
	}
	return v;
}

/* Adds the bundle at s->path once, however many roots reach it. */
static void report(search *s, const Prl__VmConfig *c)
{
	char *cfgpath = NULL;
	if (asprintf(&cfgpath, "%s%s" DISP_VMCONF_FILE, s->path,
		     strcmp(s->path, "/") ? "/" : "") < 0) {
		s->rc = PRL_ERR_OUT_OF_MEMORY;
		return;
	}
	char **slot = tsearch(cfgpath, &s->seen, cmp_path);
	if (!slot || *slot != cfgpath) {
		if (!slot)
			s->rc = PRL_ERR_OUT_OF_MEMORY;
		free(cfgpath);
		return;
	}
	Prl__Value *v = found_value(c, cfgpath);
	if (!v || disp_req_add_value(s->r, v, NULL) < 0)
		s->rc = PRL_ERR_OUT_OF_MEMORY;
}

/* ---- the walk -------------------------------------------------------------- */

static bool has_config(int dfd)
{
	struct stat st;
	return fstatat(dfd, DISP_VMCONF_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool may_register(const search *s, int dfd)
{
	struct stat st;
	if (s->viewer == 0)
		return true;
	return fstat(dfd, &st) == 0 && st.st_uid == s->viewer;
}

/* A bundle at s->path (open as dfd): reported if it qualifies. */
static void consider(search *s, int dfd)
{
	char proc[64], err[256] = "";
	Prl__VmConfig *c = NULL;
	if (!may_register(s, dfd))
		return;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d/" DISP_VMCONF_FILE, dfd);
	int rc = disp_vmconf_load(proc, &c, err, sizeof err);
	if (rc != PRL_ERR_SUCCESS) {
		PRLC_DEBUG("search: %s skipped: %s", s->path, err);
		return;
	}
	if (!is_registered(s, c))
		report(s, c);
	disp_vmconf_free(c);
}

static bool is_dir_at(int dfd, const struct dirent *d)
{
	struct stat st;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

static void walk(search *s, int dfd, int depth);

/* Descends into the subdirectory name of dfd, extending s->path. */
static void descend(search *s, int dfd, const char *name, int depth)
{
	size_t len = strlen(s->path);
	int n = snprintf(s->path + len, sizeof s->path - len, "%s%s",
			 len > 1 ? "/" : "", name);
	if (n > 0 && (size_t)n < sizeof s->path - len) {
		int child = openat(dfd, name, O_RDONLY | O_DIRECTORY |
				   O_NOFOLLOW | O_CLOEXEC);
		if (child >= 0) {
			walk(s, child, depth);
			close(child);
		}
	}
	s->path[len] = '\0';
}

static void walk_children(search *s, int dfd, int depth)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while (s->rc == PRL_ERR_SUCCESS && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++s->entries > SEARCH_MAX_ENTRIES)
			break;
		if (is_dir_at(dfd, e))
			descend(s, dfd, e->d_name, depth + 1);
	}
	closedir(d);
}

static void walk(search *s, int dfd, int depth)
{
	if (s->entries > SEARCH_MAX_ENTRIES)
		return;
	if (has_config(dfd))
		consider(s, dfd);
	else if (depth < SEARCH_MAX_DEPTH)
		walk_children(s, dfd, depth);
}

/* One searched directory; a missing one is no error. */
static void search_root(search *s, const char *root)
{
	char *real = realpath(root, NULL);
	int fd = real ? open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0 && strlen(real) < sizeof s->path) {
		strcpy(s->path, real);
		walk(s, fd, 0);
	} else {
		PRLC_DEBUG("search: %s skipped: %s", root, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(real);
}

/* ---- the operation --------------------------------------------------------- */

static const Prl__StringList *paths_arg(disp_req *r)
{
	const Prl__Value *v = disp_req_arg(r, "paths");
	if (!v || v->v_case != PRL__VALUE__V_STRINGS || !v->strings ||
	    !v->strings->n_item)
		return NULL;
	for (size_t i = 0; i < v->strings->n_item; i++)
		if (!v->strings->item[i] || v->strings->item[i][0] != '/')
			return NULL;
	return v->strings;
}

static int search_run(disp_req *r)
{
	const Prl__StringList *paths = paths_arg(r);
	if (!paths)
		return disp_req_fail(r, PRL_ERR_INVALID_ARG, "searching for VMs "
				     "needs 'paths': one or more absolute "
				     "directory paths");
	search *s = calloc(1, sizeof *s);
	if (!s)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	s->r = r;
	s->viewer = disp_req_session(r)->user_uid;
	s->reg = disp_req_server(r)->registry;
	int rc = load_registered(s);
	for (size_t i = 0; rc == PRL_ERR_SUCCESS && i < paths->n_item &&
	     s->rc == PRL_ERR_SUCCESS; i++)
		search_root(s, paths->item[i]);
	if (rc == PRL_ERR_SUCCESS)
		rc = s->rc;
	if (s->entries > SEARCH_MAX_ENTRIES)
		PRLC_WARN("search: stopped after %u directory entries; narrow "
			  "the paths to search deeper", SEARCH_MAX_ENTRIES);
	search_free(s);
	free(s);
	return rc == PRL_ERR_SUCCESS ? rc :
	       disp_req_fail(r, rc, "searching for VMs failed: out of memory");
}

static const disp_op search_ops[] = {
	{ PJOC_SRV_START_SEARCH_VMS, "SRV_START_SEARCH_VMS",
	  DISP_OP_WORKER | DISP_OP_CANCELLABLE, search_run, NULL },
};
DISP_OPS_REGISTER(search_ops)
