/*
 * registry.c — registered VMs: files in registry.d, indexes in memory
 * (see registry.h).
 *
 * Each VM has an entry: its UUID, name, bundle, current snapshot and a
 * mutex (`io`) held while its files change.  Three tsearch(3) trees index
 * the entries by UUID, by name and by bundle path; the name tree holds small
 * `nkey` records so that a rename can reserve the new name while the old
 * one still points at the VM.  A new VM is reserved in the indexes first
 * (state PENDING: visible to clash checks, invisible to lists), then its
 * files are written, then it goes LIVE.
 *
 * Locks: r->lock guards the indexes, the entry list and entry states; an
 * entry's io mutex is taken before r->lock, never while holding it.
 * Entries are reference-counted under r->lock so an operation can drop
 * r->lock while it does I/O.
 */
#define _GNU_SOURCE
#include "registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "log.h"
#include "uuid.h"

#define REG_DIR      "registry.d"
#define VM_DIR       "vms"
#define LOCK_FILE    "registry.lock"
#define ENTRY_SUFFIX ".vm"
#define TRASH_MARK   ".deleted-"
#define MAX_ENTRY    (64u << 10)

typedef enum { E_PENDING, E_LIVE, E_GONE } estate;

typedef struct vm_entry entry;

typedef struct nkey {            /* a name in the name index */
	char *name;
	entry *e;
} nkey;

struct vm_entry {
	char uuid[PRLC_UUID_LEN + 1];    /* lowercase */
	char *bundle;
	nkey *name;                      /* NULL for an invalid VM */
	disp_vmsnap *snap;               /* NULL while pending */
	uint64_t seq;                    /* registration order */
	estate state;
	unsigned refs;                   /* under r->lock */
	pthread_mutex_t io;
	entry *prev, *next;
};

struct disp_registry {
	pthread_mutex_t lock;
	void *by_uuid, *by_name, *by_bundle;
	entry *head, *tail;
	size_t count;
	uint64_t next_seq;
	char *reg_dir;
	char *vm_home;
	int lock_fd;
};

/* ---- errors --------------------------------------------------------------- */

static __thread char errmsg[512];

const char *disp_registry_errmsg(void) { return errmsg; }

static int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	return code;
}

static char *path_join(const char *a, const char *b)
{
	char *p;
	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

/* ---- snapshots ------------------------------------------------------------ */

static disp_vmsnap *snap_new(Prl__VmConfig *cfg, uid_t owner,
			     const char *problem)
{
	disp_vmsnap *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = cfg;
	s->bundle = cfg->home_path;
	s->owner = owner;
	s->invalid = problem != NULL;
	s->problem = problem ? strdup(problem) : NULL;
	atomic_init(&s->refs, 1);
	atomic_init(&s->wire, NULL);
	return s;
}

disp_vmsnap *disp_vmsnap_ref(disp_vmsnap *s)
{
	if (s)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void disp_vmsnap_unref(disp_vmsnap *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	disp_vmconf_free(s->cfg);
	free((char *)s->problem);
	free(atomic_load(&s->wire));
	free(s);
}

/* ---- indexes -------------------------------------------------------------- */

static int cmp_uuid(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->uuid, ((const entry *)b)->uuid);
}

static int cmp_bundle(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->bundle, ((const entry *)b)->bundle);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const nkey *)a)->name, ((const nkey *)b)->name);
}

static bool canon_uuid(const char *in, char out[PRLC_UUID_LEN + 1])
{
	if (!prlc_uuid_is_valid(in))
		return false;
	for (int i = 0; i <= PRLC_UUID_LEN; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	return true;
}

static entry *by_uuid(disp_registry *r, const char *uuid)
{
	entry key;
	if (!canon_uuid(uuid, key.uuid))
		return NULL;
	entry **hit = tfind(&key, &r->by_uuid, cmp_uuid);
	return hit ? *hit : NULL;
}

static nkey *by_name(disp_registry *r, const char *name)
{
	nkey key = { (char *)name, NULL };
	nkey **hit = tfind(&key, &r->by_name, cmp_name);
	return hit ? *hit : NULL;
}

static entry *by_bundle(disp_registry *r, const char *bundle)
{
	entry key = { .bundle = (char *)bundle };
	entry **hit = tfind(&key, &r->by_bundle, cmp_bundle);
	return hit ? *hit : NULL;
}

static nkey *name_add(disp_registry *r, const char *name, entry *e)
{
	nkey *k = malloc(sizeof *k);
	if (!k || !(k->name = strdup(name)))
		return free(k), NULL;
	k->e = e;
	if (!tsearch(k, &r->by_name, cmp_name)) {
		free(k->name);
		free(k);
		return NULL;
	}
	return k;
}

static void name_del(disp_registry *r, nkey *k)
{
	if (!k)
		return;
	tdelete(k, &r->by_name, cmp_name);
	free(k->name);
	free(k);
}

static void list_append(disp_registry *r, entry *e)
{
	e->prev = r->tail;
	e->next = NULL;
	if (r->tail)
		r->tail->next = e;
	else
		r->head = e;
	r->tail = e;
	r->count++;
}

static void list_remove(disp_registry *r, entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		r->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		r->tail = e->prev;
	r->count--;
}

static void entry_free(entry *e)
{
	disp_vmsnap_unref(e->snap);
	pthread_mutex_destroy(&e->io);
	free(e->bundle);
	free(e);
}

static entry *entry_new(const char *uuid, const char *bundle)
{
	entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	if (!canon_uuid(uuid, e->uuid) || !(e->bundle = strdup(bundle))) {
		free(e);
		return NULL;
	}
	pthread_mutex_init(&e->io, NULL);
	e->refs = 1; /* the index's */
	return e;
}

/* Takes e out of every index; frees it once no operation holds it. */
static void unindex_locked(disp_registry *r, entry *e)
{
	tdelete(e, &r->by_uuid, cmp_uuid);
	tdelete(e, &r->by_bundle, cmp_bundle);
	name_del(r, e->name);
	e->name = NULL;
	list_remove(r, e);
	e->state = E_GONE;
	if (--e->refs == 0)
		entry_free(e);
}

static int clash_locked(disp_registry *r, const char *uuid, const char *name,
			const char *bundle)
{
	entry *e = by_uuid(r, uuid);
	if (e)
		return fail(PRL_ERR_VM_ALREADY_REGISTERED_VM_UUID,
			    "a VM with UUID %s is already registered", uuid);
	nkey *k = name ? by_name(r, name) : NULL;
	if (k)
		return fail(PRL_ERR_VM_ALREADY_REGISTERED_VM_NAME,
			    "a VM named '%s' is already registered (%s)", name,
			    k->e->uuid);
	if (by_bundle(r, bundle))
		return fail(PRL_ERR_VM_ALREADY_REGISTERED_VM_PATH,
			    "the bundle %s is already registered", bundle);
	return PRL_ERR_SUCCESS;
}

/* Adds e (and its name, if any) to the indexes and the list. */
static int index_locked(disp_registry *r, entry *e, const char *name)
{
	if (name && !(e->name = name_add(r, name, e)))
		return PRL_ERR_OUT_OF_MEMORY;
	if (!tsearch(e, &r->by_uuid, cmp_uuid) ||
	    !tsearch(e, &r->by_bundle, cmp_bundle)) {
		tdelete(e, &r->by_uuid, cmp_uuid);
		name_del(r, e->name);
		e->name = NULL;
		return PRL_ERR_OUT_OF_MEMORY;
	}
	e->seq = r->next_seq++;
	list_append(r, e);
	return PRL_ERR_SUCCESS;
}

/* Reserves a new VM: a PENDING entry, or an error for a clash. */
static int reserve(disp_registry *r, const char *uuid, const char *name,
		   const char *bundle, entry **out)
{
	entry *e = entry_new(uuid, bundle);
	if (!e)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	pthread_mutex_lock(&r->lock);
	int rc = clash_locked(r, uuid, name, bundle);
	if (rc == PRL_ERR_SUCCESS)
		rc = index_locked(r, e, name);
	if (rc == PRL_ERR_SUCCESS)
		e->refs++; /* the caller's */
	pthread_mutex_unlock(&r->lock);
	if (rc != PRL_ERR_SUCCESS) {
		entry_free(e);
		return rc == PRL_ERR_OUT_OF_MEMORY ?
		       fail(rc, "out of memory") : rc;
	}
	*out = e;
	return PRL_ERR_SUCCESS;
}

static entry *grab(disp_registry *r, const char *uuid)
{
	pthread_mutex_lock(&r->lock);
	entry *e = by_uuid(r, uuid);
	if (e && e->state == E_LIVE)
		e->refs++;
	else
		e = NULL;
	pthread_mutex_unlock(&r->lock);
	return e;
}

static void drop(disp_registry *r, entry *e)
{
	pthread_mutex_lock(&r->lock);
	bool last = --e->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		entry_free(e);
}

/* Publishes snap as e's state (e goes LIVE); returns the caller's ref. */
static disp_vmsnap *publish(disp_registry *r, entry *e, disp_vmsnap *snap)
{
	pthread_mutex_lock(&r->lock);
	disp_vmsnap *old = e->snap;
	e->snap = snap;
	e->state = E_LIVE;
	disp_vmsnap_ref(snap);
	pthread_mutex_unlock(&r->lock);
	disp_vmsnap_unref(old);
	return snap;
}

/* Undoes reserve() after a failure. */
static void unreserve(disp_registry *r, entry *e)
{
	pthread_mutex_lock(&r->lock);
	unindex_locked(r, e);
	pthread_mutex_unlock(&r->lock);
	drop(r, e);
}

/* ---- entry files ---------------------------------------------------------- */

static char *entry_path(const disp_registry *r, const char *uuid)
{
	char *p;
	/* the braces stay out of file names */
	return asprintf(&p, "%s/%.36s%s", r->reg_dir, uuid + 1, ENTRY_SUFFIX) < 0 ?
	       NULL : p;
}

static int format_entry(xmlTextWriterPtr w, const entry *e, uid_t owner)
{
	if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "registration") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "format", BAD_CAST "1") < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "uuid", BAD_CAST e->uuid) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "bundle", BAD_CAST e->bundle) < 0 ||
	    xmlTextWriterWriteFormatElement(w, BAD_CAST "owner_uid", "%lu",
					    (unsigned long)owner) < 0 ||
	    xmlTextWriterWriteFormatElement(w, BAD_CAST "seq", "%" PRIu64,
					    e->seq) < 0)
		return -1;
	return xmlTextWriterEndDocument(w);
}

static int write_entry(disp_registry *r, const entry *e, uid_t owner)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int rc = w ? format_entry(w, e, owner) : -1;
	if (w)
		xmlFreeTextWriter(w);
	char *path = entry_path(r, e->uuid);
	if (rc >= 0 && path)
		rc = disp_vmconf_write_atomic(path, xmlBufferContent(buf),
					      (size_t)xmlBufferLength(buf), 0600);
	else
		rc = -ENOMEM;
	free(path);
	if (buf)
		xmlBufferFree(buf);
	return rc < 0 ? fail(PRL_ERR_SAVE_VM_CONFIG, "cannot write the registry "
			     "entry of %s: %s", e->uuid, strerror(-rc)) :
	       PRL_ERR_SUCCESS;
}

static int remove_entry_file(disp_registry *r, const entry *e)
{
	char *path = entry_path(r, e->uuid);
	if (!path)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	int rc = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	free(path);
	if (rc == 0)
		rc = disp_vmconf_sync_dir(r->reg_dir);
	return rc < 0 ? fail(PRL_ERR_FAILURE, "cannot remove the registry entry "
			     "of %s: %s", e->uuid, strerror(-rc)) :
	       PRL_ERR_SUCCESS;
}

typedef struct parsed_entry {
	char uuid[PRLC_UUID_LEN + 1];
	char *bundle;
	unsigned long owner;
	uint64_t seq;
} parsed_entry;

static int entry_field(xmlNode *n, parsed_entry *pe)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	char *end = NULL;
	int rc = 0;
	errno = 0;
	if (!xmlStrcmp(n->name, BAD_CAST "uuid"))
		rc = canon_uuid(s, pe->uuid) ? 0 : -1;
	else if (!xmlStrcmp(n->name, BAD_CAST "bundle"))
		rc = (s[0] == '/' && !pe->bundle && (pe->bundle = strdup(s))) ?
		     0 : -1;
	else if (!xmlStrcmp(n->name, BAD_CAST "owner_uid"))
		pe->owner = strtoul(s, &end, 10);
	else if (!xmlStrcmp(n->name, BAD_CAST "seq"))
		pe->seq = strtoull(s, &end, 10);
	if (end && (*end || errno || end == s))
		rc = -1;
	xmlFree(t);
	return rc;
}

static int parse_entry(const char *buf, size_t len, parsed_entry *pe)
{
	memset(pe, 0, sizeof *pe);
	xmlDoc *doc = xmlReadMemory(buf, (int)len, "entry", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int rc = root && !doc->intSubset &&
		 !xmlStrcmp(root->name, BAD_CAST "registration") ? 0 : -1;
	for (xmlNode *n = root ? root->children : NULL; n && rc == 0; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			rc = entry_field(n, pe);
	xmlFreeDoc(doc);
	if (rc == 0 && (!pe->uuid[0] || !pe->bundle))
		rc = -1;
	if (rc < 0)
		free(pe->bundle);
	return rc;
}

static int slurp(int dirfd, const char *name, char **out, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *buf = malloc(MAX_ENTRY + 1);
	ssize_t n = buf ? read(fd, buf, MAX_ENTRY + 1) : -1;
	int rc = n < 0 ? -errno : n > (ssize_t)MAX_ENTRY ? -EFBIG : 0;
	close(fd);
	if (rc < 0)
		return free(buf), rc;
	*out = buf;
	*len = (size_t)n;
	return 0;
}

/* ---- files in bundles ----------------------------------------------------- */

/* Removes name (a file or a whole tree) under dirfd without ever following a
 * symbolic link: every directory is opened relative to its parent with
 * O_NOFOLLOW, so a link swapped in mid-way cannot redirect the removal. */
static int rmtree_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > 32)
		return -ELOOP;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	int rc = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = rmtree_at(fd, de->d_name, depth + 1) ?: rc;
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return rc;
}

static int rmtree(const char *path)
{
	char *copy = strdup(path), *copy2 = strdup(path);
	int rc = -ENOMEM;
	if (copy && copy2) {
		int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = dfd < 0 ? -errno : rmtree_at(dfd, basename(copy2), 0);
		if (dfd >= 0)
			close(dfd);
	}
	free(copy);
	free(copy2);
	return rc;
}

/* Copies [off, end) of in to the same place in out. */
static int copy_range(int in, int out, off_t off, off_t end)
{
	while (off < end) {
		loff_t from = off, to = off;
		ssize_t n = copy_file_range(in, &from, out, &to, (size_t)(end - off), 0);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL)
			return -errno;
		char buf[1 << 16];
		size_t want = end - off < (off_t)sizeof buf ? (size_t)(end - off) : sizeof buf;
		ssize_t r = pread(in, buf, want, off);
		if (r <= 0)
			return r < 0 ? -errno : 0;
		if (pwrite(out, buf, (size_t)r, off) != r)
			return -EIO;
		off += r;
	}
	return 0;
}

/* Copies a disk image keeping it sparse: only the data extents are copied
 * (SEEK_DATA / SEEK_HOLE), holes stay holes, and the size is set at the end
 * — a fresh 64 GiB expanding image costs nothing to clone. */
static int copy_fd(int in, int out)
{
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	off_t off = 0;
	while (off < st.st_size) {
		off_t data = lseek(in, off, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;                   /* only a hole is left */
			data = off;                      /* no SEEK_DATA: copy all */
		}
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = st.st_size;
		int rc = copy_range(in, out, data, hole);
		if (rc < 0)
			return rc;
		off = hole;
	}
	return ftruncate(out, st.st_size) < 0 ? -errno : 0;
}

static int copy_file_at(int sdir, int ddir, const char *name)
{
	int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT ? 0 : -errno; /* not created yet */
	int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			 O_CLOEXEC, 0600);
	int rc = out < 0 ? -errno : copy_fd(in, out);
	if (rc == 0 && fsync(out) < 0)
		rc = -errno;
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static int copy_disks(const Prl__VmConfig *src, const char *dst_bundle)
{
	int sdir = open(src->home_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ddir = open(dst_bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = sdir < 0 || ddir < 0 ? -errno : 0;
	for (size_t i = 0; rc == 0 && i < src->n_devices; i++) {
		const Prl__VmDevice *d = src->devices[i];
		const char *img = d->type == PDE_HARD_DISK ?
			disp_vmconf_image_in_bundle(src->home_path, d->image_path) : NULL;
		if (img)
			rc = copy_file_at(sdir, ddir, img);
	}
	if (sdir >= 0)
		close(sdir);
	if (ddir >= 0)
		close(ddir);
	return rc;
}

static void random_mac(char out[13])
{
	uint8_t b[3];
	while (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		;
	/* 00:1C:42 is the Parallels OUI, which the real SDK uses too */
	snprintf(out, 13, "001C42%02X%02X%02X", b[0], b[1], b[2]);
}

/* ---- opening -------------------------------------------------------------- */

static int mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int rc = 0;
	for (char *p = copy + 1; rc == 0; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			rc = -errno;
		if (end)
			break;
		*p = '/';
	}
	free(copy);
	return rc;
}

static Prl__VmConfig *stub_config(const char *uuid, const char *bundle)
{
	Prl__VmConfig *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	prl__vm_config__init(c);
	char *copy = strdup(bundle), *name = copy ? basename(copy) : NULL;
	size_t l = name ? strlen(name) : 0;
	if (l > 4 && !strcmp(name + l - 4, ".pvm"))
		name[l - 4] = '\0';
	int rc = disp_vmconf_set_str(&c->uuid, uuid) |
		 disp_vmconf_set_str(&c->name, name && disp_vmconf_name_ok(name) ?
				     name : uuid) |
		 disp_vmconf_set_str(&c->home_path, bundle);
	free(copy);
	if (rc != 0) {
		disp_vmconf_free(c);
		return NULL;
	}
	return c;
}

/* The snapshot of a registered bundle: its config, or an invalid stub. */
static disp_vmsnap *load_snap(const parsed_entry *pe)
{
	char *cfgpath = path_join(pe->bundle, DISP_VMCONF_FILE);
	Prl__VmConfig *c = NULL;
	char why[600] = "";
	int rc = cfgpath ? disp_vmconf_load(cfgpath, &c, why, sizeof why) :
		 PRL_ERR_OUT_OF_MEMORY;
	free(cfgpath);
	if (rc == PRL_ERR_SUCCESS && strcasecmp(c->uuid, pe->uuid) != 0) {
		snprintf(why, sizeof why, "%s/%s holds UUID %s, not %s",
			 pe->bundle, DISP_VMCONF_FILE, c->uuid, pe->uuid);
		disp_vmconf_free(c);
		rc = PRL_ERR_PARSE_VM_CONFIG;
	}
	if (rc == PRL_ERR_SUCCESS)
		return snap_new(c, (uid_t)pe->owner, NULL);
	PRLC_WARN("registry: VM %s is invalid: %s", pe->uuid, why);
	c = stub_config(pe->uuid, pe->bundle);
	return c ? snap_new(c, (uid_t)pe->owner, why) : NULL;
}

static void add_loaded(disp_registry *r, parsed_entry *pe)
{
	disp_vmsnap *s = load_snap(pe);
	entry *e = s ? entry_new(pe->uuid, pe->bundle) : NULL;
	if (!e) {
		disp_vmsnap_unref(s);
		return;
	}
	const char *name = s->invalid ? NULL : s->cfg->name;
	if (name && by_name(r, name)) {
		PRLC_WARN("registry: VM %s is named '%s' like another; it is "
			  "listed invalid until renamed", pe->uuid, name);
		name = NULL;
	}
	e->snap = s;
	e->state = E_LIVE;
	if (by_uuid(r, e->uuid) || by_bundle(r, e->bundle) ||
	    index_locked(r, e, name) != PRL_ERR_SUCCESS) {
		PRLC_WARN("registry: entry %s (%s) duplicates another; skipped",
			  pe->uuid, pe->bundle);
		entry_free(e);
		return;
	}
	e->seq = pe->seq; /* keep the original order */
	if (pe->seq >= r->next_seq)
		r->next_seq = pe->seq + 1;
}

static void load_one(disp_registry *r, int dfd, const char *fname,
		     parsed_entry **all, size_t *n, size_t *cap)
{
	size_t l = strlen(fname);
	if (l > 4 && !strcmp(fname + l - 4, ".tmp")) {
		unlinkat(dfd, fname, 0); /* a write cut short by a crash */
		return;
	}
	if (l <= strlen(ENTRY_SUFFIX) ||
	    strcmp(fname + l - strlen(ENTRY_SUFFIX), ENTRY_SUFFIX))
		return;
	char *buf = NULL;
	size_t len = 0;
	parsed_entry pe;
	if (slurp(dfd, fname, &buf, &len) < 0)
		return;
	int rc = parse_entry(buf, len, &pe);
	free(buf);
	if (rc < 0) {
		PRLC_WARN("registry: %s/%s is damaged; ignored", r->reg_dir, fname);
		return;
	}
	if (*n == *cap) {
		parsed_entry *grown = realloc(*all, (*cap = *cap * 2 + 64) *
					      sizeof **all);
		if (!grown)
			return free(pe.bundle);
		*all = grown;
	}
	(*all)[(*n)++] = pe;
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = ((const parsed_entry *)a)->seq;
	uint64_t y = ((const parsed_entry *)b)->seq;
	return x < y ? -1 : x > y;
}

static int load_all(disp_registry *r)
{
	int dfd = open(r->reg_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d)
		return -errno;
	parsed_entry *all = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		load_one(r, dfd, de->d_name, &all, &n, &cap);
	closedir(d);
	if (n)
		qsort(all, n, sizeof *all, cmp_seq);
	for (size_t i = 0; i < n; i++) {
		add_loaded(r, &all[i]);
		free(all[i].bundle);
	}
	free(all);
	return 0;
}

/* Bundles whose deletion was cut short by a crash. */
static void sweep_trash(const char *home)
{
	DIR *d = opendir(home);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (strstr(de->d_name, ".pvm" TRASH_MARK))
			rmtree_at(dirfd(d), de->d_name, 0);
	closedir(d);
}

static int lock_state(disp_registry *r, const char *state_dir, char *err,
		      size_t errlen)
{
	char *path = path_join(state_dir, LOCK_FILE);
	r->lock_fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	free(path);
	if (r->lock_fd < 0 || flock(r->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "%s: %s", state_dir, errno == EWOULDBLOCK ?
			 "in use by another dispatcher" : strerror(errno));
		return -1;
	}
	return 0;
}

static int open_dirs(disp_registry *r, const char *state_dir, char *err,
		     size_t errlen)
{
	r->reg_dir = path_join(state_dir, REG_DIR);
	r->vm_home = path_join(state_dir, VM_DIR);
	if (!r->reg_dir || !r->vm_home) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = mkdir_p(state_dir, 0755);
	if (rc == 0 && mkdir(r->reg_dir, 0700) < 0 && errno != EEXIST)
		rc = -errno;
	if (rc == 0 && mkdir(r->vm_home, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "cannot create the state directory %s: %s",
			 state_dir, strerror(-rc));
	return rc;
}

disp_registry *disp_registry_open(const char *state_dir, char *err,
				  size_t errlen)
{
	disp_registry *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->lock_fd = -1;
	xmlInitParser();
	if (open_dirs(r, state_dir, err, errlen) < 0 ||
	    lock_state(r, state_dir, err, errlen) < 0) {
		disp_registry_close(r);
		return NULL;
	}
	sweep_trash(r->vm_home);
	int rc = load_all(r);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read %s: %s", r->reg_dir,
			 strerror(-rc));
		disp_registry_close(r);
		return NULL;
	}
	PRLC_INFO("registry: %zu VMs registered under %s", r->count, state_dir);
	return r;
}

void disp_registry_close(disp_registry *r)
{
	if (!r)
		return;
	while (r->head)
		unindex_locked(r, r->head);
	tdestroy(r->by_name, free); /* normally empty by now */
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	pthread_mutex_destroy(&r->lock);
	free(r->reg_dir);
	free(r->vm_home);
	free(r);
}

/* ---- queries -------------------------------------------------------------- */

const char *disp_registry_vm_home(const disp_registry *r) { return r->vm_home; }

size_t disp_registry_count(disp_registry *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

int disp_registry_list(disp_registry *r, uid_t viewer, disp_vmsnap ***out,
		       size_t *n)
{
	return disp_registry_list_in(r, viewer, NULL, 0, out, n);
}

int disp_registry_list_in(disp_registry *r, uid_t viewer, disp_vmsnap **room,
			  size_t room_n, disp_vmsnap ***out, size_t *n)
{
	pthread_mutex_lock(&r->lock);
	disp_vmsnap **list = room && r->count <= room_n ? room :
			     malloc((r->count + 1) * sizeof *list);
	size_t k = 0;
	for (entry *e = list ? r->head : NULL; e; e = e->next)
		if (e->state == E_LIVE && (viewer == 0 || e->snap->owner == viewer))
			list[k++] = disp_vmsnap_ref(e->snap);
	pthread_mutex_unlock(&r->lock);
	if (!list)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	*out = list;
	*n = k;
	return PRL_ERR_SUCCESS;
}

void disp_registry_list_free(disp_vmsnap **list, size_t n)
{
	disp_registry_list_release(list, n, NULL);
}

void disp_registry_list_release(disp_vmsnap **list, size_t n, disp_vmsnap **room)
{
	for (size_t i = 0; i < n; i++)
		disp_vmsnap_unref(list[i]);
	if (list != room)
		free(list);
}

disp_vmsnap *disp_registry_find(disp_registry *r, const char *uuid_or_name)
{
	if (!uuid_or_name)
		return NULL;
	pthread_mutex_lock(&r->lock);
	entry *e = by_uuid(r, uuid_or_name);
	if (!e) {
		nkey *k = by_name(r, uuid_or_name);
		e = k ? k->e : NULL;
	}
	disp_vmsnap *s = e && e->state == E_LIVE ? disp_vmsnap_ref(e->snap) :
			 NULL;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* ---- adding --------------------------------------------------------------- */

static int parent_dir(disp_registry *r, const char *parent, char **out)
{
	char *real = realpath(parent ? parent : r->vm_home, NULL);
	struct stat st;
	if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return fail(PRL_ERR_DIRECTORY_DOES_NOT_EXIST, "the directory %s "
			    "does not exist", parent ? parent : r->vm_home);
	}
	*out = real;
	return PRL_ERR_SUCCESS;
}

/* Writes a new bundle's files: config.pvs, then the directory entry is made
 * durable, then the registry entry.  On failure nothing is left behind. */
static int write_new(disp_registry *r, entry *e, const Prl__VmConfig *c,
		     uid_t owner)
{
	char *cfgpath = path_join(e->bundle, DISP_VMCONF_FILE);
	int rc = cfgpath ? disp_vmconf_save(cfgpath, c) : PRL_ERR_OUT_OF_MEMORY;
	free(cfgpath);
	if (rc != PRL_ERR_SUCCESS)
		return fail(rc, "cannot write the configuration of '%s' in %s: %s",
			    c->name, e->bundle, strerror(errno));
	char *copy = strdup(e->bundle);
	int s = copy ? disp_vmconf_sync_dir(dirname(copy)) : -ENOMEM;
	free(copy);
	if (s < 0)
		return fail(PRL_ERR_SAVE_VM_CONFIG, "cannot sync the parent of %s: "
			    "%s", e->bundle, strerror(-s));
	return write_entry(r, e, owner);
}

static int make_bundle(const char *bundle)
{
	if (mkdir(bundle, 0755) == 0)
		return PRL_ERR_SUCCESS;
	if (errno == EEXIST)
		return fail(PRL_ERR_VM_CONFIG_ALREADY_EXISTS, "%s already exists; "
			    "register it, or choose another name", bundle);
	return fail(PRL_ERR_MAKE_DIRECTORY, "cannot create %s: %s", bundle,
		    strerror(errno));
}

/* Finishes adding a reserved VM whose bundle is in place: files, then LIVE.
 * Takes c; on failure undoes the reservation (not the bundle). */
static int add_reserved(disp_registry *r, entry *e, Prl__VmConfig *c,
			uid_t owner, bool write_config, disp_vmsnap **out)
{
	int rc = write_config ? write_new(r, e, c, owner) :
		 write_entry(r, e, owner);
	disp_vmsnap *s = rc == PRL_ERR_SUCCESS ? snap_new(c, owner, NULL) : NULL;
	if (!s) {
		if (rc == PRL_ERR_SUCCESS) {
			char *p = entry_path(r, e->uuid);
			if (p)
				unlink(p);
			free(p);
			rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
		}
		disp_vmconf_free(c);
		unreserve(r, e);
		return rc;
	}
	publish(r, e, s);
	if (out)
		*out = s;
	else
		disp_vmsnap_unref(s);
	drop(r, e);
	return PRL_ERR_SUCCESS;
}

static Prl__VmConfig *fresh_copy(const Prl__VmConfig *in, const char *bundle)
{
	Prl__VmConfig *c = disp_vmconf_dup(in);
	if (!c)
		return NULL;
	c->has_revision = 1;
	c->revision = 1;
	c->has_state = 0;
	if (disp_vmconf_set_str(&c->home_path, bundle) < 0) {
		disp_vmconf_free(c);
		return NULL;
	}
	return c;
}

static int check_cfg(const Prl__VmConfig *c)
{
	if (!c || !c->name || !*c->name)
		return fail(PRL_ERR_VM_NAME_IS_EMPTY, "the VM has no name");
	if (!disp_vmconf_validate(c, errmsg, sizeof errmsg))
		return PRL_ERR_INVALID_ARG;
	return PRL_ERR_SUCCESS;
}

int disp_registry_create(disp_registry *r, const Prl__VmConfig *cfg,
			 const char *parent, uid_t owner, disp_vmsnap **out)
{
	char *dir = NULL, *bundle = NULL;
	int rc = check_cfg(cfg);
	if (rc == PRL_ERR_SUCCESS)
		rc = parent_dir(r, parent, &dir);
	if (rc == PRL_ERR_SUCCESS && asprintf(&bundle, "%s/%s.pvm", dir,
					      cfg->name) < 0)
		rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	free(dir);
	entry *e = NULL;
	if (rc == PRL_ERR_SUCCESS)
		rc = reserve(r, cfg->uuid, cfg->name, bundle, &e);
	if (rc == PRL_ERR_SUCCESS && (rc = make_bundle(bundle)) != PRL_ERR_SUCCESS)
		unreserve(r, e);
	if (rc != PRL_ERR_SUCCESS) {
		free(bundle);
		return rc;
	}
	Prl__VmConfig *c = fresh_copy(cfg, bundle);
	rc = c ? add_reserved(r, e, c, owner, true, out) :
	     (unreserve(r, e), fail(PRL_ERR_OUT_OF_MEMORY, "out of memory"));
	if (rc != PRL_ERR_SUCCESS)
		rmtree(bundle);
	free(bundle);
	return rc;
}

/* The bundle's configuration, with the UUID the caller wants: a fresh one
 * (DISP_REG_NEW_UUID), the given one (braced, lowercase), or its own. */
static int load_for_register(const char *bundle, unsigned flags,
			     const char *want, Prl__VmConfig **out)
{
	char uuid[PRLC_UUID_LEN + 1];
	if (want && !(flags & DISP_REG_NEW_UUID)) {
		char braced[PRLC_UUID_LEN + 3];
		snprintf(braced, sizeof braced, want[0] == '{' ? "%s" : "{%s}", want);
		if (strlen(want) > PRLC_UUID_LEN || !prlc_uuid_is_valid(braced))
			return fail(PRL_ERR_INVALID_ARG, "'%s' is not a UUID", want);
		for (size_t i = 0; braced[i]; i++)
			uuid[i] = (char)tolower((unsigned char)braced[i]);
		uuid[PRLC_UUID_LEN] = '\0';
	}
	char *cfgpath = path_join(bundle, DISP_VMCONF_FILE);
	if (!cfgpath)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	int rc = disp_vmconf_load(cfgpath, out, errmsg, sizeof errmsg);
	free(cfgpath);
	if (rc != PRL_ERR_SUCCESS || (!want && !(flags & DISP_REG_NEW_UUID)))
		return rc;
	if (flags & DISP_REG_NEW_UUID)
		prlc_uuid_generate(uuid);
	if (disp_vmconf_set_str(&(*out)->uuid, uuid) < 0) {
		disp_vmconf_free(*out);
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	return PRL_ERR_SUCCESS;
}

int disp_registry_register(disp_registry *r, const char *bundle, uid_t owner,
			   unsigned flags, const char *uuid, disp_vmsnap **out)
{
	char *real = bundle ? realpath(bundle, NULL) : NULL;
	struct stat st;
	if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return fail(PRL_ERR_DIRECTORY_DOES_NOT_EXIST, "%s is not a VM "
			    "bundle directory", bundle ? bundle : "(none)");
	}
	Prl__VmConfig *c = NULL;
	entry *e = NULL;
	int rc = load_for_register(real, flags, uuid, &c);
	if (rc == PRL_ERR_SUCCESS)
		rc = reserve(r, c->uuid, c->name, real, &e);
	if (rc == PRL_ERR_SUCCESS)
		rc = add_reserved(r, e, c, owner, (flags & DISP_REG_NEW_UUID) || uuid,
				  out);
	else
		disp_vmconf_free(c);
	free(real);
	return rc;
}

/* ---- removing ------------------------------------------------------------- */

/* Locks a LIVE VM for a write: its entry, with io held and a reference. */
static int lock_vm(disp_registry *r, const char *uuid, entry **out)
{
	entry *e = uuid ? grab(r, uuid) : NULL;
	if (!e)
		return fail(PRL_ERR_VM_UUID_NOT_FOUND, "no VM with UUID %s is "
			    "registered", uuid ? uuid : "(none)");
	pthread_mutex_lock(&e->io);
	pthread_mutex_lock(&r->lock);
	bool live = e->state == E_LIVE;
	pthread_mutex_unlock(&r->lock);
	if (!live) { /* removed while we waited */
		pthread_mutex_unlock(&e->io);
		drop(r, e);
		return fail(PRL_ERR_VM_UUID_NOT_FOUND, "VM %s was just removed",
			    uuid);
	}
	*out = e;
	return PRL_ERR_SUCCESS;
}

static void unlock_vm(disp_registry *r, entry *e)
{
	pthread_mutex_unlock(&e->io);
	drop(r, e);
}

static void forget(disp_registry *r, entry *e)
{
	pthread_mutex_lock(&r->lock);
	unindex_locked(r, e);
	pthread_mutex_unlock(&r->lock);
}

int disp_registry_unregister(disp_registry *r, const char *uuid)
{
	entry *e;
	int rc = lock_vm(r, uuid, &e);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	rc = remove_entry_file(r, e);
	if (rc == PRL_ERR_SUCCESS)
		forget(r, e);
	unlock_vm(r, e);
	return rc;
}

static bool is_bundle_name(const char *bundle)
{
	size_t l = strlen(bundle);
	return l > 4 && !strcmp(bundle + l - 4, ".pvm");
}

static int unlink_in(int dfd, const char *bundle, const char *file)
{
	const char *name = disp_vmconf_image_in_bundle(bundle, file);
	return name ? rmtree_at(dfd, name, 0) : 0;
}

/* Removes config.pvs and the VM's files inside the bundle: `files` (paths
 * relative to it or absolute inside it), or when NULL its hard disk images;
 * then the bundle directory if nothing else is left in it.  Used for a
 * bundle not named *.pvm (it may be a directory the user gave us) and for
 * a deletion limited to a list of files. */
static int remove_vm_files(const disp_vmsnap *s, const char *const *files,
			   size_t n)
{
	int dfd = open(s->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	int rc = rmtree_at(dfd, DISP_VMCONF_FILE, 0);
	for (size_t i = 0; files && i < n; i++)
		rc = unlink_in(dfd, s->bundle, files[i]) ?: rc;
	for (size_t i = 0; !files && i < s->cfg->n_devices; i++)
		if (s->cfg->devices[i]->type == PDE_HARD_DISK)
			rc = unlink_in(dfd, s->bundle,
				       s->cfg->devices[i]->image_path) ?: rc;
	close(dfd);
	rmdir(s->bundle); /* only if nothing else is left */
	return rc;
}

/* Moves the bundle aside under a unique name (so that its name is free at
 * once and a crash leaves no half-deleted bundle under the real name), then
 * removes it. */
static int remove_bundle(const disp_vmsnap *s)
{
	if (!is_bundle_name(s->bundle))
		return remove_vm_files(s, NULL, 0);
	char *trash;
	char rnd[PRLC_UUID_LEN + 1];
	prlc_uuid_generate(rnd);
	if (asprintf(&trash, "%s%s%.8s", s->bundle, TRASH_MARK, rnd + 1) < 0)
		return -ENOMEM;
	int rc = rename(s->bundle, trash) < 0 ? -errno : 0;
	if (rc == 0)
		rc = rmtree(trash);
	free(trash);
	return rc == -ENOENT ? 0 : rc;
}

static int delete_vm(disp_registry *r, const char *uuid,
		     const char *const *files, size_t n)
{
	entry *e;
	int rc = lock_vm(r, uuid, &e);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	disp_vmsnap *s = disp_vmsnap_ref(e->snap);
	rc = remove_entry_file(r, e);
	int frc = rc != PRL_ERR_SUCCESS ? 0 :
		  files ? remove_vm_files(s, files, n) : remove_bundle(s);
	if (rc == PRL_ERR_SUCCESS)
		forget(r, e);
	unlock_vm(r, e);
	if (frc < 0)
		rc = fail(PRL_ERR_NOT_ALL_FILES_WAS_DELETED, "VM %s is gone but "
			  "some of %s could not be removed: %s", uuid, s->bundle,
			  strerror(-frc));
	disp_vmsnap_unref(s);
	return rc;
}

int disp_registry_delete(disp_registry *r, const char *uuid)
{
	return delete_vm(r, uuid, NULL, 0);
}

int disp_registry_delete_files(disp_registry *r, const char *uuid,
			       const char *const *files, size_t n)
{
	return delete_vm(r, uuid, files ? files : (const char *const[]){ NULL },
			 files ? n : 0);
}

/* ---- changing ------------------------------------------------------------- */

/* The configuration to store for a commit of in over cur. */
static Prl__VmConfig *committed(const Prl__VmConfig *in,
				const disp_vmsnap *cur)
{
	Prl__VmConfig *c = disp_vmconf_dup(in);
	if (!c)
		return NULL;
	c->has_revision = 1;
	c->revision = cur->cfg->revision + 1;
	c->has_state = 0;
	if (disp_vmconf_set_str(&c->home_path, cur->bundle) < 0 ||
	    disp_vmconf_set_str(&c->owner, cur->cfg->owner) < 0 ||
	    disp_vmconf_set_str(&c->uuid, cur->cfg->uuid) < 0) {
		disp_vmconf_free(c);
		return NULL;
	}
	return c;
}

/* Reserves a new name for e (NULL when the name is unchanged). */
static int rename_begin(disp_registry *r, entry *e, const char *name,
			nkey **out)
{
	*out = NULL;
	if (e->name && !strcmp(e->name->name, name))
		return PRL_ERR_SUCCESS;
	pthread_mutex_lock(&r->lock);
	nkey *k = by_name(r, name);
	int rc = k ? fail(PRL_ERR_VM_ALREADY_REGISTERED_VM_NAME, "a VM named "
			  "'%s' is already registered (%s)", name, k->e->uuid) :
		 !(*out = name_add(r, name, e)) ?
		 fail(PRL_ERR_OUT_OF_MEMORY, "out of memory") : PRL_ERR_SUCCESS;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void rename_end(disp_registry *r, entry *e, nkey *k, bool ok)
{
	if (!k)
		return;
	pthread_mutex_lock(&r->lock);
	if (ok) {
		name_del(r, e->name);
		e->name = k;
	} else {
		name_del(r, k);
	}
	pthread_mutex_unlock(&r->lock);
}

static int check_revision(const entry *e, const Prl__VmConfig *in)
{
	const disp_vmsnap *cur = e->snap;
	if (cur->invalid)
		return fail(PRL_ERR_PARSE_VM_CONFIG, "VM %s is invalid (%s); "
			    "repair or unregister it", e->uuid, cur->problem);
	uint64_t base = in->has_revision ? in->revision : 0;
	if (base != cur->cfg->revision)
		return fail(PRL_ERR_CONFIG_EDIT_COLLISION, "the configuration of "
			    "'%s' was changed meanwhile (revision %" PRIu64 ", edit "
			    "began at %" PRIu64 "): refresh it and edit again",
			    cur->cfg->name, cur->cfg->revision, base);
	return PRL_ERR_SUCCESS;
}

static int save_commit(entry *e, const Prl__VmConfig *c)
{
	char *cfgpath = path_join(e->bundle, DISP_VMCONF_FILE);
	int rc = cfgpath ? disp_vmconf_save(cfgpath, c) : PRL_ERR_OUT_OF_MEMORY;
	free(cfgpath);
	return rc == PRL_ERR_SUCCESS ? rc :
	       fail(rc, "cannot save the configuration of '%s': %s", c->name,
		    strerror(errno));
}

int disp_registry_update(disp_registry *r, const Prl__VmConfig *cfg,
			 disp_vmsnap **out)
{
	entry *e;
	int rc = check_cfg(cfg);
	if (rc != PRL_ERR_SUCCESS || (rc = lock_vm(r, cfg->uuid, &e)))
		return rc;
	nkey *k = NULL;
	Prl__VmConfig *c = NULL;
	rc = check_revision(e, cfg);
	if (rc == PRL_ERR_SUCCESS)
		rc = rename_begin(r, e, cfg->name, &k);
	if (rc == PRL_ERR_SUCCESS && !(c = committed(cfg, e->snap)))
		rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	if (rc == PRL_ERR_SUCCESS)
		rc = save_commit(e, c);
	disp_vmsnap *s = rc == PRL_ERR_SUCCESS ? snap_new(c, e->snap->owner,
							  NULL) : NULL;
	if (rc == PRL_ERR_SUCCESS && !s)
		rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	rename_end(r, e, k, s != NULL);
	if (s) {
		publish(r, e, s);
		if (out)
			*out = s;
		else
			disp_vmsnap_unref(s);
	} else {
		disp_vmconf_free(c);
	}
	unlock_vm(r, e);
	return rc;
}

/* ---- cloning -------------------------------------------------------------- */

static int retarget_disk(Prl__VmDevice *d, const char *src, const char *dst)
{
	const char *img = d->type == PDE_HARD_DISK ?
			  disp_vmconf_image_in_bundle(src, d->image_path) : NULL;
	if (!img || d->image_path[0] != '/')
		return 0; /* shared, or relative to whichever bundle */
	char *p = path_join(dst, img);
	int rc = p ? disp_vmconf_set_str(&d->image_path, p) : -ENOMEM;
	free(p);
	return rc;
}

static Prl__VmConfig *clone_config(const Prl__VmConfig *src,
				   const disp_reg_clone *o, const char *uuid,
				   const char *bundle)
{
	Prl__VmConfig *c = fresh_copy(src, bundle);
	int rc = c ? 0 : -ENOMEM;
	if (rc == 0)
		rc = disp_vmconf_set_str(&c->uuid, uuid) |
		     disp_vmconf_set_str(&c->name, o->name);
	if (rc == 0 && o->owner_name)
		rc = disp_vmconf_set_str(&c->owner, o->owner_name);
	for (size_t i = 0; rc == 0 && i < c->n_devices; i++) {
		Prl__VmDevice *d = c->devices[i];
		char mac[13];
		random_mac(mac);
		if (d->type == PDE_GENERIC_NETWORK_ADAPTER)
			rc = disp_vmconf_set_str(&d->mac, mac);
		if (rc == 0)
			rc = retarget_disk(d, src->home_path, bundle);
	}
	if (c) {
		c->has_is_template = 1;
		c->is_template = o->as_template;
	}
	if (rc != 0) {
		disp_vmconf_free(c);
		return NULL;
	}
	return c;
}

static int clone_files(disp_registry *r, entry *dst, const disp_vmsnap *src,
		       Prl__VmConfig *c, uid_t owner, disp_vmsnap **out)
{
	int rc = make_bundle(dst->bundle);
	if (rc != PRL_ERR_SUCCESS) {
		disp_vmconf_free(c);
		unreserve(r, dst);
		return rc;
	}
	int crc = copy_disks(src->cfg, dst->bundle);
	if (crc < 0) {
		disp_vmconf_free(c);
		unreserve(r, dst);
		rc = fail(PRL_ERR_HDD_IMAGE_COPY, "cannot copy the disks of '%s' "
			  "to %s: %s", src->cfg->name, dst->bundle, strerror(-crc));
	} else {
		rc = add_reserved(r, dst, c, owner, true, out);
	}
	if (rc != PRL_ERR_SUCCESS)
		rmtree(dst->bundle);
	return rc;
}

int disp_registry_clone(disp_registry *r, const char *src_uuid,
			const disp_reg_clone *o, disp_vmsnap **out)
{
	char uuid[PRLC_UUID_LEN + 1], *dir = NULL, *bundle = NULL;
	if (!o || !o->name || !disp_vmconf_name_ok(o->name))
		return fail(o && o->name && *o->name ? PRL_ERR_INVALID_ARG :
			    PRL_ERR_VM_NAME_IS_EMPTY, "'%s' cannot be a VM name",
			    o && o->name ? o->name : "");
	if (o->uuid && !prlc_uuid_is_valid(o->uuid))
		return fail(PRL_ERR_INVALID_ARG, "'%s' is not a UUID", o->uuid);
	if (o->uuid)
		snprintf(uuid, sizeof uuid, "%s", o->uuid);
	else
		prlc_uuid_generate(uuid);
	entry *src, *dst = NULL;
	int rc = lock_vm(r, src_uuid, &src);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (src->snap->invalid)
		rc = fail(PRL_ERR_PARSE_VM_CONFIG, "VM %s is invalid: %s",
			  src->uuid, src->snap->problem);
	if (rc == PRL_ERR_SUCCESS)
		rc = parent_dir(r, o->parent, &dir);
	if (rc == PRL_ERR_SUCCESS && asprintf(&bundle, "%s/%s.pvm", dir,
					      o->name) < 0)
		rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	Prl__VmConfig *c = rc == PRL_ERR_SUCCESS ?
		clone_config(src->snap->cfg, o, uuid, bundle) : NULL;
	if (rc == PRL_ERR_SUCCESS && !c)
		rc = fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	if (rc == PRL_ERR_SUCCESS && (rc = reserve(r, uuid, o->name, bundle, &dst)))
		disp_vmconf_free(c);
	if (rc == PRL_ERR_SUCCESS)
		rc = clone_files(r, dst, src->snap, c, o->owner, out);
	unlock_vm(r, src);
	free(dir);
	free(bundle);
	return rc;
}
