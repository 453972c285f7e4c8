/*
 * vmconf.h — a VM bundle's configuration file, config.pvs.
 *
 * The file is an XML document written and read with libxml2 (format in
 * docs/config-format.md).  Its elements are the fields of the wire message
 * Prl__VmConfig, named as in proto/prl.proto, so a configuration read from
 * disk travels to clients as-is.  The mapping is driven by protobuf-c's
 * descriptors: a field added to VmConfig, VmDevice or BootDevice is stored
 * without touching this module.
 *
 * Reading is defensive: the size is bounded before parsing, no DTD, entity
 * or network access is allowed, every value is type- and range-checked, and
 * a name that could escape a directory ("/", "..", control characters) is
 * refused.  Writing is crash-safe: the document goes to "<file>.tmp" in the
 * same directory, is fsync'ed and renamed over the old one, and the directory
 * is fsync'ed, so a reader sees the old file or the new one, never a mix.
 *
 * Thread rules: every function is thread-safe; the same path must not be
 * saved by two threads at once (the registry serialises writes per VM).
 */
#ifndef OPENPRL_DISP_VMCONF_H
#define OPENPRL_DISP_VMCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "prl.pb-c.h"
#include "prlc_consts.h"

#define DISP_VMCONF_FILE      "config.pvs"
#define DISP_VMCONF_MAX_BYTES (1u << 20) /* larger files are refused unread */
#define DISP_VMCONF_FORMAT    1          /* the root element's format="" */
#define DISP_VMCONF_NAME_MAX  200        /* bytes; "<name>.pvm" fits NAME_MAX */

/* Reads path into *out (a malloc'ed message: free with disp_vmconf_free).
 * home_path is set to the directory holding the file.  Returns
 * PRL_ERR_SUCCESS, PRL_ERR_VM_CONFIG_DOESNT_EXIST (no file),
 * PRL_ERR_OPEN_VM_CONFIG_READ (unreadable, a symlink, not a regular file) or
 * PRL_ERR_PARSE_VM_CONFIG (too large, malformed, or invalid); err gets a
 * sentence naming the file, the line and the problem. */
int disp_vmconf_load(const char *path, Prl__VmConfig **out, char *err,
		     size_t errlen);

/* The same from memory (home_path left unset). */
int disp_vmconf_parse(const char *buf, size_t len, Prl__VmConfig **out,
		      char *err, size_t errlen);

/* Validates c, then writes it to path crash-safely (see above).  The
 * runtime fields state and home_path are not stored.  PRL_ERR_SUCCESS,
 * PRL_ERR_INVALID_ARG (c fails disp_vmconf_validate) or
 * PRL_ERR_SAVE_VM_CONFIG (I/O error; errno tells which). */
int disp_vmconf_save(const char *path, const Prl__VmConfig *c);

/* The document that disp_vmconf_save would write (malloc'ed, NUL-ended).
 * NULL when memory runs out. */
char *disp_vmconf_format(const Prl__VmConfig *c, size_t *len);

/* Checks what a loaded file must satisfy: a braced UUID, a safe name, every
 * number in range and every string valid UTF-8 without control characters.
 * true when valid; otherwise err says which field and why. */
bool disp_vmconf_validate(const Prl__VmConfig *c, char *err, size_t errlen);

/* true when name can be a VM name: 1..DISP_VMCONF_NAME_MAX bytes of UTF-8,
 * no "/", no "..", no control characters. */
bool disp_vmconf_name_ok(const char *name);

/* true when mac is 12 hex digits, optionally separated by ':' or '-'. */
bool disp_vmconf_mac_ok(const char *mac);

/* The file name of a disk image that lives directly in bundle (given
 * relative to it, or absolute inside it), or NULL for an image elsewhere or
 * in a subdirectory.  Points into image. */
const char *disp_vmconf_image_in_bundle(const char *bundle, const char *image);

/* A deep copy (malloc'ed), or NULL when memory runs out. */
Prl__VmConfig *disp_vmconf_dup(const Prl__VmConfig *c);
void disp_vmconf_free(Prl__VmConfig *c);

/* Sets a string field of a malloc'ed message: frees the old value, stores a
 * copy of s (or NULL).  0 or -ENOMEM. */
int disp_vmconf_set_str(char **field, const char *s);

/* Writes len bytes to path crash-safely (tmp file, fsync, rename, fsync of
 * the directory); mode is used for a new file.  Never follows a symlink at
 * path.  0 or -errno.  Shared with the registry's own small files. */
int disp_vmconf_write_atomic(const char *path, const void *data, size_t len,
			     unsigned mode);

/* fsync of a directory, so that a rename or unlink in it is durable.
 * 0 or -errno. */
int disp_vmconf_sync_dir(const char *dir);

#endif
