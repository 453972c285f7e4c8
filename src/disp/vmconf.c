/*
 * vmconf.c — config.pvs: Prl__VmConfig <-> XML with libxml2 (see vmconf.h).
 *
 * Both directions walk protobuf-c's message descriptors: every field of a
 * message becomes an element of the same name; a repeated field becomes one
 * element per item; a nested message (a device, a boot entry) becomes an
 * element with the nested fields inside.  Only the field types the schema
 * uses for configurations are handled (uint32, uint64, bool, string,
 * message); others are neither written nor read.  Unknown elements are
 * skipped, so a file written by a newer version still loads.
 *
 * Everything a hostile file could use is bounded or refused: the byte size
 * before parsing, the element count, the nesting depth, the number of items
 * of a repeated field, string lengths, numeric ranges (table `limits`), DTDs
 * (hence entities and XXE) and network access.
 */
#define _GNU_SOURCE
#include "vmconf.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "uuid.h"

#define ROOT_NAME      "vm_config"
#define MAX_ELEMENTS   20000  /* whole document */
#define MAX_DEPTH      4
#define MAX_REPEATED   256    /* items of one repeated field */
#define MAX_STRING     4096   /* bytes, unless `limits` says otherwise */

/* Upper bounds of numbers and string lengths, by message and field. */
typedef struct limit {
	const ProtobufCMessageDescriptor *msg;
	const char *field;
	uint64_t max;
} limit;

static const limit limits[] = {
	{ &prl__vm_config__descriptor, "ram_mb", 4u << 20 },      /* 4 TiB */
	{ &prl__vm_config__descriptor, "cpu_count", 1024 },
	{ &prl__vm_config__descriptor, "video_ram_mb", 16384 },
	{ &prl__vm_config__descriptor, "vm_type", 1 },
	{ &prl__vm_config__descriptor, "autostart", 4 },
	{ &prl__vm_config__descriptor, "vnc_mode", 2 },
	{ &prl__vm_config__descriptor, "vnc_port", 65535 },
	{ &prl__vm_config__descriptor, "cpu_units", 500000 },
	{ &prl__vm_config__descriptor, "description", 65536 },
	{ &prl__vm_config__descriptor, "name", DISP_VMCONF_NAME_MAX },
	{ &prl__vm_device__descriptor, "type", 64 },
	{ &prl__vm_device__descriptor, "index", 1023 },
	{ &prl__vm_device__descriptor, "stack_index", 1023 },
	{ &prl__vm_device__descriptor, "iface_type", 255 },
	{ &prl__vm_device__descriptor, "disk_size_mb", 64ull << 20 }, /* 64 TiB */
	{ &prl__boot_device__descriptor, "type", 64 },
	{ &prl__boot_device__descriptor, "index", 1023 },
	{ &prl__boot_device__descriptor, "sequence", 1023 },
};

static const limit *find_limit(const ProtobufCMessageDescriptor *d,
			       const ProtobufCFieldDescriptor *f)
{
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
		if (limits[i].msg == d && strcmp(limits[i].field, f->name) == 0)
			return &limits[i];
	return NULL;
}

static void seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	if (!err || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

/* ---- descriptor helpers --------------------------------------------------- */

static bool type_supported(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_UINT32 || t == PROTOBUF_C_TYPE_UINT64 ||
	       t == PROTOBUF_C_TYPE_BOOL || t == PROTOBUF_C_TYPE_STRING ||
	       t == PROTOBUF_C_TYPE_MESSAGE;
}

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_UINT32: return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_UINT64: return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_BOOL:   return sizeof(protobuf_c_boolean);
	default:                     return sizeof(void *);
	}
}

/* Fields that describe the running VM, not its configuration. */
static bool field_stored(const ProtobufCMessageDescriptor *d,
			 const ProtobufCFieldDescriptor *f)
{
	if (!type_supported(f->type) || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return false;
	return d != &prl__vm_config__descriptor ||
	       (strcmp(f->name, "state") != 0 &&
		strcmp(f->name, "home_path") != 0);
}

static void *member(const ProtobufCMessage *m, size_t off)
{
	return (char *)m + off;
}

static bool field_present(const ProtobufCMessage *m,
			  const ProtobufCFieldDescriptor *f)
{
	if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
		return *(void **)member(m, f->offset) != NULL;
	if (f->label == PROTOBUF_C_LABEL_REQUIRED)
		return true;
	return *(protobuf_c_boolean *)member(m, f->quantifier_offset);
}

/* ---- writing -------------------------------------------------------------- */

static int write_msg(xmlTextWriterPtr w, const ProtobufCMessage *m);

static int write_value(xmlTextWriterPtr w, const ProtobufCFieldDescriptor *f,
		       const void *v)
{
	const xmlChar *name = BAD_CAST f->name;
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
		return xmlTextWriterWriteFormatElement(w, name, "%" PRIu32,
						       *(const uint32_t *)v);
	case PROTOBUF_C_TYPE_UINT64:
		return xmlTextWriterWriteFormatElement(w, name, "%" PRIu64,
						       *(const uint64_t *)v);
	case PROTOBUF_C_TYPE_BOOL:
		return xmlTextWriterWriteElement(w, name, BAD_CAST(
			*(const protobuf_c_boolean *)v ? "true" : "false"));
	case PROTOBUF_C_TYPE_STRING:
		return xmlTextWriterWriteElement(w, name,
						 *(const xmlChar *const *)v);
	default:
		if (xmlTextWriterStartElement(w, name) < 0 ||
		    write_msg(w, *(const ProtobufCMessage *const *)v) < 0)
			return -1;
		return xmlTextWriterEndElement(w);
	}
}

static int write_field(xmlTextWriterPtr w, const ProtobufCMessage *m,
		       const ProtobufCFieldDescriptor *f)
{
	if (f->label != PROTOBUF_C_LABEL_REPEATED)
		return field_present(m, f) ?
		       write_value(w, f, member(m, f->offset)) : 0;
	size_t n = *(const size_t *)member(m, f->quantifier_offset);
	const char *arr = *(char *const *)member(m, f->offset);
	for (size_t i = 0; i < n; i++)
		if (write_value(w, f, arr + i * elem_size(f->type)) < 0)
			return -1;
	return 0;
}

static int write_msg(xmlTextWriterPtr w, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++)
		if (field_stored(d, &d->fields[i]) &&
		    write_field(w, m, &d->fields[i]) < 0)
			return -1;
	return 0;
}

static int write_doc(xmlTextWriterPtr w, const Prl__VmConfig *c)
{
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST ROOT_NAME) < 0 ||
	    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "format", "%d",
					      DISP_VMCONF_FORMAT) < 0 ||
	    write_msg(w, &c->base) < 0)
		return -1;
	return xmlTextWriterEndDocument(w);
}

char *disp_vmconf_format(const Prl__VmConfig *c, size_t *len)
{
	pthread_once(&xml_once, xml_init);
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int rc = w ? write_doc(w, c) : -1;
	if (w)
		xmlFreeTextWriter(w); /* flushes into buf */
	char *out = NULL;
	if (rc >= 0 && buf) {
		*len = (size_t)xmlBufferLength(buf);
		out = malloc(*len + 1);
		if (out) {
			memcpy(out, xmlBufferContent(buf), *len);
			out[*len] = '\0';
		}
	}
	if (buf)
		xmlBufferFree(buf);
	return out;
}

/* ---- reading -------------------------------------------------------------- */

typedef struct pctx {
	char *err;
	size_t errlen;
	unsigned elements;
} pctx;

static int perr(pctx *p, const xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(pctx *p, const xmlNode *n, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	seterr(p->err, p->errlen, "line %ld: <%s>: %s", xmlGetLineNo(n),
	       (const char *)n->name, what);
	return -1;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (!is_space(*s))
			return false;
	return true;
}

/* Strict unsigned decimal: optional blanks around digits, nothing else. */
static int parse_unsigned(const char *s, uint64_t max, uint64_t *out)
{
	while (is_space(*s))
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (!blank((const xmlChar *)s) || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, protobuf_c_boolean *out)
{
	char word[8];
	size_t n = 0;
	while (is_space(*s))
		s++;
	while (*s && !is_space(*s) && n < 7)
		word[n++] = *s++;
	word[n] = '\0';
	if (!blank((const xmlChar *)s))
		return -1;
	if (!strcmp(word, "true") || !strcmp(word, "1"))
		*out = 1;
	else if (!strcmp(word, "false") || !strcmp(word, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* The text of an element that must hold a value, not other elements. */
static xmlChar *element_text(pctx *p, xmlNode *n)
{
	for (xmlNode *c = n->children; c; c = c->next)
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE &&
		    c->type != XML_COMMENT_NODE) {
			perr(p, n, "expected a value, found markup inside");
			return NULL;
		}
	xmlChar *t = xmlNodeGetContent(n);
	if (!t)
		t = xmlStrdup(BAD_CAST "");
	if (!t)
		perr(p, n, "out of memory");
	return t;
}

static int set_scalar(pctx *p, xmlNode *n, const ProtobufCFieldDescriptor *f,
		      void *slot, const char *text)
{
	uint64_t v;
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
		if (parse_unsigned(text, UINT32_MAX, &v) < 0)
			return perr(p, n, "'%.40s' is not a number from 0 to %u",
				    text, UINT32_MAX);
		*(uint32_t *)slot = (uint32_t)v;
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
		if (parse_unsigned(text, UINT64_MAX, &v) < 0)
			return perr(p, n, "'%.40s' is not an unsigned number",
				    text);
		*(uint64_t *)slot = v;
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (parse_bool(text, slot) < 0)
			return perr(p, n, "'%.40s' is not true or false", text);
		return 0;
	default:
		if (strlen(text) > 65536)
			return perr(p, n, "string longer than 65536 bytes");
		*(char **)slot = strdup(text);
		return *(char **)slot ? 0 : perr(p, n, "out of memory");
	}
}

/* Appends a zeroed item to a repeated field; returns its address. */
static void *grow_repeated(pctx *p, xmlNode *n, ProtobufCMessage *m,
			   const ProtobufCFieldDescriptor *f)
{
	size_t *count = member(m, f->quantifier_offset);
	char **arr = member(m, f->offset);
	size_t es = elem_size(f->type);
	if (*count >= MAX_REPEATED) {
		perr(p, n, "more than %d of these", MAX_REPEATED);
		return NULL;
	}
	char *grown = realloc(*arr, (*count + 1) * es);
	if (!grown) {
		perr(p, n, "out of memory");
		return NULL;
	}
	*arr = grown;
	memset(grown + *count * es, 0, es);
	return grown + (*count)++ * es;
}

static int parse_msg(pctx *p, xmlNode *parent, ProtobufCMessage *m, int depth);

static int parse_value(pctx *p, xmlNode *n, const ProtobufCFieldDescriptor *f,
		       void *slot, int depth)
{
	if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		const ProtobufCMessageDescriptor *d = f->descriptor;
		ProtobufCMessage *sub = malloc(d->sizeof_message);
		if (!sub)
			return perr(p, n, "out of memory");
		protobuf_c_message_init(d, sub);
		*(ProtobufCMessage **)slot = sub;
		return parse_msg(p, n, sub, depth + 1);
	}
	xmlChar *text = element_text(p, n);
	if (!text)
		return -1;
	int rc = set_scalar(p, n, f, slot, (const char *)text);
	xmlFree(text);
	return rc;
}

static int parse_element(pctx *p, xmlNode *n, ProtobufCMessage *m,
			 uint64_t *seen, int depth)
{
	if (++p->elements > MAX_ELEMENTS)
		return perr(p, n, "more than %d elements in the file",
			    MAX_ELEMENTS);
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(
			d, (const char *)n->name);
	if (!f || !field_stored(d, f))
		return 0; /* unknown here: written by a newer version */
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		void *slot = grow_repeated(p, n, m, f);
		return slot ? parse_value(p, n, f, slot, depth) : -1;
	}
	uint64_t bit = 1ull << (unsigned)(f - d->fields);
	if (*seen & bit)
		return perr(p, n, "appears twice");
	*seen |= bit;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
		*(protobuf_c_boolean *)member(m, f->quantifier_offset) = 1;
	return parse_value(p, n, f, member(m, f->offset), depth);
}

static int check_required(pctx *p, xmlNode *parent, const ProtobufCMessage *m,
			  uint64_t seen)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED &&
		    !(seen & (1ull << i)))
			return perr(p, parent, "<%s> is missing",
				    d->fields[i].name);
	return 0;
}

static int parse_msg(pctx *p, xmlNode *parent, ProtobufCMessage *m, int depth)
{
	if (depth > MAX_DEPTH)
		return perr(p, parent, "nested too deeply");
	uint64_t seen = 0;
	for (xmlNode *n = parent->children; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			if (parse_element(p, n, m, &seen, depth) < 0)
				return -1;
		} else if ((n->type == XML_TEXT_NODE ||
			    n->type == XML_CDATA_SECTION_NODE) &&
			   !blank(n->content)) {
			return perr(p, parent, "stray text between elements");
		} else if (n->type == XML_ENTITY_REF_NODE) {
			return perr(p, parent, "entity references are not allowed");
		}
	}
	return check_required(p, parent, m, seen);
}

static int check_root(pctx *p, xmlDoc *doc, xmlNode **root)
{
	if (doc->intSubset || doc->extSubset) {
		seterr(p->err, p->errlen, "a DTD is not allowed in a configuration");
		return -1;
	}
	*root = xmlDocGetRootElement(doc);
	if (!*root || xmlStrcmp((*root)->name, BAD_CAST ROOT_NAME) != 0) {
		seterr(p->err, p->errlen, "the root element is not <%s>",
		       ROOT_NAME);
		return -1;
	}
	xmlChar *fmt = xmlGetProp(*root, BAD_CAST "format");
	uint64_t v = DISP_VMCONF_FORMAT;
	int bad = fmt && parse_unsigned((const char *)fmt, 1000000, &v) < 0;
	xmlFree(fmt);
	if (bad)
		return perr(p, *root, "format is not a number");
	if (v > DISP_VMCONF_FORMAT)
		return perr(p, *root, "format %" PRIu64 " is newer than this "
			    "dispatcher reads (%d)", v, DISP_VMCONF_FORMAT);
	return 0;
}

static xmlDoc *read_doc(const char *buf, size_t len, char *err, size_t errlen)
{
	pthread_once(&xml_once, xml_init);
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	/* No NOENT/DTDLOAD/HUGE: entities stay unexpanded, nothing is fetched. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	xmlDoc *doc = xmlCtxtReadMemory(ctxt, buf, (int)len, DISP_VMCONF_FILE,
					"UTF-8", opts);
	if (!doc) {
		xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
		char msg[200] = "?";
		if (e && e->message)
			snprintf(msg, sizeof msg, "%s", e->message);
		msg[strcspn(msg, "\n")] = '\0';
		seterr(err, errlen, "not well-formed XML (line %d: %s)",
		       e ? e->line : 0, msg);
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int disp_vmconf_parse(const char *buf, size_t len, Prl__VmConfig **out,
		      char *err, size_t errlen)
{
	*out = NULL;
	if (len > DISP_VMCONF_MAX_BYTES) {
		seterr(err, errlen, "%zu bytes, more than the %u allowed", len,
		       DISP_VMCONF_MAX_BYTES);
		return PRL_ERR_PARSE_VM_CONFIG;
	}
	xmlDoc *doc = read_doc(buf, len, err, errlen);
	if (!doc)
		return PRL_ERR_PARSE_VM_CONFIG;
	pctx p = { err, errlen, 0 };
	xmlNode *root;
	Prl__VmConfig *c = malloc(sizeof *c);
	int rc = c ? 0 : -1;
	if (c)
		prl__vm_config__init(c);
	if (rc == 0)
		rc = check_root(&p, doc, &root);
	if (rc == 0)
		rc = parse_msg(&p, root, &c->base, 0);
	xmlFreeDoc(doc);
	if (rc == 0 && !disp_vmconf_validate(c, err, errlen))
		rc = -1;
	if (rc < 0) {
		if (!c)
			seterr(err, errlen, "out of memory");
		disp_vmconf_free(c);
		return PRL_ERR_PARSE_VM_CONFIG;
	}
	*out = c;
	return PRL_ERR_SUCCESS;
}

/* ---- validation ----------------------------------------------------------- */

bool disp_vmconf_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > DISP_VMCONF_NAME_MAX || strchr(name, '/') ||
	    strstr(name, "..") || !xmlCheckUTF8((const unsigned char *)name))
		return false;
	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

bool disp_vmconf_mac_ok(const char *mac)
{
	int digits = 0;
	for (const char *s = mac; s && *s; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F'))
			digits++;
		else if (*s != ':' && *s != '-')
			return false;
	}
	return digits == 12;
}

static bool string_ok(const ProtobufCMessageDescriptor *d,
		      const ProtobufCFieldDescriptor *f, const char *s,
		      const char *path, char *err, size_t errlen)
{
	const limit *l = find_limit(d, f);
	size_t max = l ? (size_t)l->max : MAX_STRING;
	bool multiline = d == &prl__vm_config__descriptor &&
			 strcmp(f->name, "description") == 0;
	if (strlen(s) > max) {
		seterr(err, errlen, "%s is longer than %zu bytes", path, max);
		return false;
	}
	if (!xmlCheckUTF8((const unsigned char *)s)) {
		seterr(err, errlen, "%s is not valid UTF-8", path);
		return false;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 || *c == 0x7f) &&
		    !(multiline && (*c == '\t' || *c == '\n' || *c == '\r'))) {
			seterr(err, errlen, "%s contains a control character",
			       path);
			return false;
		}
	if (d == &prl__vm_device__descriptor && strcmp(f->name, "mac") == 0 &&
	    *s && !disp_vmconf_mac_ok(s)) {
		seterr(err, errlen, "%s '%s' is not a MAC address", path, s);
		return false;
	}
	return true;
}

static bool msg_ok(const ProtobufCMessage *m, const char *path, char *err,
		   size_t errlen);

/* Field paths for messages ("devices[2].mac"); a long one is cut. */
static void path_fmt(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void path_fmt(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

static bool value_ok(const ProtobufCMessageDescriptor *d,
		     const ProtobufCFieldDescriptor *f, const void *v,
		     const char *path, char *err, size_t errlen)
{
	const limit *l = find_limit(d, f);
	uint64_t n;
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		return string_ok(d, f, *(char *const *)v, path, err, errlen);
	case PROTOBUF_C_TYPE_MESSAGE:
		return msg_ok(*(const ProtobufCMessage *const *)v, path, err,
			      errlen);
	case PROTOBUF_C_TYPE_UINT32: n = *(const uint32_t *)v; break;
	case PROTOBUF_C_TYPE_UINT64: n = *(const uint64_t *)v; break;
	default: return true;
	}
	if (l && n > l->max) {
		seterr(err, errlen, "%s = %" PRIu64 " is out of range (0..%" PRIu64
		       ")", path, n, l->max);
		return false;
	}
	return true;
}

static bool field_ok(const ProtobufCMessage *m,
		     const ProtobufCFieldDescriptor *f, const char *prefix,
		     char *err, size_t errlen)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	char path[160];
	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		path_fmt(path, sizeof path, "%s%s", prefix, f->name);
		return !field_present(m, f) ||
		       value_ok(d, f, member(m, f->offset), path, err, errlen);
	}
	size_t n = *(const size_t *)member(m, f->quantifier_offset);
	const char *arr = *(char *const *)member(m, f->offset);
	if (n > MAX_REPEATED) {
		seterr(err, errlen, "%s%s has %zu items, more than %d", prefix,
		       f->name, n, MAX_REPEATED);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		path_fmt(path, sizeof path, "%s%s[%zu]", prefix, f->name, i);
		if (!value_ok(d, f, arr + i * elem_size(f->type), path, err,
			      errlen))
			return false;
	}
	return true;
}

static bool msg_ok(const ProtobufCMessage *m, const char *path, char *err,
		   size_t errlen)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	char prefix[168];
	path_fmt(prefix, sizeof prefix, "%s%s", path, *path ? "." : "");
	for (unsigned i = 0; i < d->n_fields; i++)
		if (type_supported(d->fields[i].type) &&
		    !field_ok(m, &d->fields[i], prefix, err, errlen))
			return false;
	return true;
}

bool disp_vmconf_validate(const Prl__VmConfig *c, char *err, size_t errlen)
{
	if (!c->uuid || !prlc_uuid_is_valid(c->uuid)) {
		seterr(err, errlen, "uuid '%.60s' is not a braced UUID",
		       c->uuid ? c->uuid : "");
		return false;
	}
	if (!disp_vmconf_name_ok(c->name)) {
		seterr(err, errlen, "name '%.60s' is empty, longer than %d bytes "
		       "or contains '/', '..' or a control character",
		       c->name ? c->name : "", DISP_VMCONF_NAME_MAX);
		return false;
	}
	return msg_ok(&c->base, "", err, errlen);
}

/* ---- files ---------------------------------------------------------------- */

static int read_bounded(int fd, char **out, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf = NULL;
	for (;;) {
		if (used == cap || !buf) {
			cap = buf ? cap * 2 : cap;
			char *grown = realloc(buf, cap + 1);
			if (!grown)
				return free(buf), -ENOMEM;
			buf = grown;
		}
		ssize_t r = read(fd, buf + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return free(buf), -errno;
		if (r == 0)
			break;
		used += (size_t)r;
		if (used > DISP_VMCONF_MAX_BYTES)
			return free(buf), -EFBIG;
	}
	*out = buf;
	*len = used;
	return 0;
}

static int open_config(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		seterr(err, errlen, "%s: %s", path, e == ELOOP ?
		       "is a symbolic link, which is not followed" : strerror(e));
		return e == ENOENT ? PRL_ERR_VM_CONFIG_DOESNT_EXIST :
		       PRL_ERR_OPEN_VM_CONFIG_READ;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		close(fd);
		return PRL_ERR_OPEN_VM_CONFIG_READ;
	}
	if (st.st_size > (off_t)DISP_VMCONF_MAX_BYTES) {
		seterr(err, errlen, "%s: %lld bytes, more than the %u allowed",
		       path, (long long)st.st_size, DISP_VMCONF_MAX_BYTES);
		close(fd);
		return PRL_ERR_PARSE_VM_CONFIG;
	}
	return fd;
}

static int set_home(Prl__VmConfig *c, const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int rc = disp_vmconf_set_str(&c->home_path, dirname(copy));
	free(copy);
	return rc;
}

int disp_vmconf_load(const char *path, Prl__VmConfig **out, char *err,
		     size_t errlen)
{
	*out = NULL;
	int fd = open_config(path, err, errlen);
	if (fd < 0)
		return fd; /* a PRL_RESULT: negative */
	char *buf = NULL;
	size_t len = 0;
	int rc = read_bounded(fd, &buf, &len);
	close(fd);
	if (rc < 0) {
		seterr(err, errlen, "%s: %s", path, rc == -EFBIG ?
		       "grew beyond the size limit while read" : strerror(-rc));
		return rc == -EFBIG ? PRL_ERR_PARSE_VM_CONFIG :
		       PRL_ERR_OPEN_VM_CONFIG_READ;
	}
	char why[400] = "";
	rc = disp_vmconf_parse(buf, len, out, why, sizeof why);
	free(buf);
	if (rc != PRL_ERR_SUCCESS) {
		seterr(err, errlen, "%s: %s", path, why);
		return rc;
	}
	if (set_home(*out, path) < 0) {
		disp_vmconf_free(*out);
		*out = NULL;
		seterr(err, errlen, "out of memory");
		return PRL_ERR_OUT_OF_MEMORY;
	}
	return PRL_ERR_SUCCESS;
}

int disp_vmconf_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* One implementation of the crash-safe write: state.c's. */
int disp_vmconf_write_atomic(const char *path, const void *data, size_t len,
			     unsigned mode)
{
	return disp_state_write_atomic(path, data, len, mode);
}

int disp_vmconf_save(const char *path, const Prl__VmConfig *c)
{
	char why[256];
	if (!disp_vmconf_validate(c, why, sizeof why))
		return PRL_ERR_INVALID_ARG;
	size_t len;
	char *doc = disp_vmconf_format(c, &len);
	if (!doc) {
		errno = ENOMEM;
		return PRL_ERR_SAVE_VM_CONFIG;
	}
	int rc = disp_vmconf_write_atomic(path, doc, len, 0600);
	free(doc);
	if (rc < 0) {
		errno = -rc;
		return PRL_ERR_SAVE_VM_CONFIG;
	}
	return PRL_ERR_SUCCESS;
}

const char *disp_vmconf_image_in_bundle(const char *bundle, const char *image)
{
	size_t bl = strlen(bundle);
	if (image && !strncmp(image, bundle, bl) && image[bl] == '/')
		image += bl + 1;
	if (!image || !*image || image[0] == '/' || strchr(image, '/') ||
	    !strcmp(image, ".") || !strcmp(image, ".."))
		return NULL;
	return image;
}

/* ---- memory --------------------------------------------------------------- */

Prl__VmConfig *disp_vmconf_dup(const Prl__VmConfig *c)
{
	if (!c || !c->uuid || !c->name)
		return NULL; /* required fields: packing would crash */
	size_t len = prl__vm_config__get_packed_size(c);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return NULL;
	prl__vm_config__pack(c, buf);
	Prl__VmConfig *copy = prl__vm_config__unpack(NULL, len, buf);
	free(buf);
	return copy;
}

void disp_vmconf_free(Prl__VmConfig *c)
{
	if (c)
		prl__vm_config__free_unpacked(c, NULL);
}

int disp_vmconf_set_str(char **field, const char *s)
{
	char *copy = NULL;
	if (s && !(copy = strdup(s)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}
