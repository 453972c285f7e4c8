/*
 * test_vmconf.c — config.pvs: round trips through the file, and hostile
 * files (truncated, huge, wrong types, escaping names, XXE, entity bombs,
 * symlinks) refused with a clear error.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmconf.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/test_vmconf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s", dir, DISP_VMCONF_FILE);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static Prl__VmDevice *device(uint32_t type, uint32_t index)
{
	Prl__VmDevice *d = malloc(sizeof *d);
	prl__vm_device__init(d);
	d->type = type;
	d->index = index;
	return d;
}

static Prl__VmConfig *sample(void)
{
	Prl__VmConfig *c = malloc(sizeof *c);
	prl__vm_config__init(c);
	c->uuid = strdup("{6b1e3c4e-0f5e-4d39-9e0a-1c2b3d4e5f60}");
	c->name = strdup("Guest <\"ü\"> & co");
	c->description = strdup("line one\nline two\t<b>&amp;</b>");
	c->has_os_type = c->has_os_version = c->has_ram_mb = 1;
	c->os_type = 9; c->os_version = 2317; c->ram_mb = 2048;
	c->has_cpu_count = c->has_video_ram_mb = c->has_revision = 1;
	c->cpu_count = 2; c->video_ram_mb = 32; c->revision = 7;
	c->has_is_template = c->has_autostart = 1;
	c->is_template = 1; c->autostart = 1;
	c->owner = strdup("alice");
	c->has_state = 1; c->state = VMS_RUNNING;           /* not stored */
	c->home_path = strdup("/somewhere/else.pvm");       /* not stored */
	c->n_devices = 3;
	c->devices = calloc(3, sizeof *c->devices);
	c->devices[0] = device(PDE_HARD_DISK, 0);
	c->devices[0]->image_path = strdup("harddisk0.qcow2");
	c->devices[0]->has_disk_size_mb = 1;
	c->devices[0]->disk_size_mb = 65536;
	c->devices[0]->has_iface_type = 1;
	c->devices[0]->iface_type = PMS_SATA_DEVICE;
	c->devices[1] = device(PDE_OPTICAL_DISK, 0);
	c->devices[1]->has_connected = 1;
	c->devices[1]->connected = 0;
	c->devices[2] = device(PDE_GENERIC_NETWORK_ADAPTER, 0);
	c->devices[2]->mac = strdup("001C42AABBCC");
	c->devices[2]->has_net_type = 1;
	c->devices[2]->net_type = PNA_SHARED;
	c->devices[2]->n_net_addresses = 2;
	c->devices[2]->net_addresses = calloc(2, sizeof(char *));
	c->devices[2]->net_addresses[0] = strdup("10.0.0.2/24");
	c->devices[2]->net_addresses[1] = strdup("fe80::1/64");
	c->n_boot = 2;
	c->boot = calloc(2, sizeof *c->boot);
	for (int i = 0; i < 2; i++) {
		c->boot[i] = malloc(sizeof **c->boot);
		prl__boot_device__init(c->boot[i]);
		c->boot[i]->type = i ? PDE_OPTICAL_DISK : PDE_HARD_DISK;
		c->boot[i]->sequence = (uint32_t)i;
	}
	return c;
}

/* Packed bytes compare every field, including presence. */
static void assert_same(const Prl__VmConfig *a, const Prl__VmConfig *b)
{
	size_t la = prl__vm_config__get_packed_size(a);
	size_t lb = prl__vm_config__get_packed_size(b);
	assert_int_equal(la, lb);
	uint8_t *pa = malloc(la), *pb = malloc(lb);
	prl__vm_config__pack(a, pa);
	prl__vm_config__pack(b, pb);
	assert_memory_equal(pa, pb, la);
	free(pa);
	free(pb);
}

static void write_file(const char *p, const char *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void test_round_trip(void **state)
{
	Prl__VmConfig *c = sample(), *back = NULL;
	char err[512] = "";
	assert_int_equal(disp_vmconf_save(path, c), PRL_ERR_SUCCESS);
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1); /* renamed away */
	assert_int_equal(disp_vmconf_load(path, &back, err, sizeof err),
			 PRL_ERR_SUCCESS);
	assert_string_equal(back->home_path, dir);
	assert_false(back->has_state);
	c->has_state = 0;
	assert_int_equal(disp_vmconf_set_str(&c->home_path, dir), 0);
	assert_same(c, back);
	assert_int_equal(back->devices[2]->n_net_addresses, 2);
	assert_string_equal(back->devices[2]->net_addresses[1], "fe80::1/64");
	assert_false(back->devices[1]->connected);
	assert_true(back->devices[0]->enabled); /* default kept */

	Prl__VmConfig *copy = disp_vmconf_dup(back);
	assert_same(back, copy);
	disp_vmconf_free(copy);
	disp_vmconf_free(back);
	disp_vmconf_free(c);
}

static void test_document_shape(void **state)
{
	Prl__VmConfig *c = sample();
	size_t len;
	char *doc = disp_vmconf_format(c, &len);
	assert_non_null(doc);
	assert_non_null(strstr(doc, "<vm_config format=\"1\">"));
	assert_non_null(strstr(doc, "<ram_mb>2048</ram_mb>"));
	assert_non_null(strstr(doc, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
	assert_null(strstr(doc, "<state>"));
	assert_null(strstr(doc, "<home_path>"));
	free(doc);
	disp_vmconf_free(c);
}

/* Parses text and expects a refusal whose message contains `why`. */
static void refused(const char *text, const char *why)
{
	Prl__VmConfig *c = (Prl__VmConfig *)1;
	char err[512] = "";
	int rc = disp_vmconf_parse(text, strlen(text), &c, err, sizeof err);
	if (rc != PRL_ERR_PARSE_VM_CONFIG || !strstr(err, why))
		fail_msg("expected refusal with '%s', got rc=%#x err='%s' for\n%s",
			 why, (unsigned)rc, err, text);
	assert_null(c);
}

#define HEAD "<?xml version=\"1.0\"?>\n<vm_config format=\"1\">"
#define IDENT "<uuid>{6b1e3c4e-0f5e-4d39-9e0a-1c2b3d4e5f60}</uuid><name>x</name>"
#define TAIL "</vm_config>"

static void test_wrong_types(void **state)
{
	refused(HEAD IDENT "<ram_mb>lots</ram_mb>" TAIL,
		"'lots' is not a number");
	refused(HEAD IDENT "<ram_mb>-1</ram_mb>" TAIL, "is not a number");
	refused(HEAD IDENT "<ram_mb>4294967296</ram_mb>" TAIL, "not a number");
	refused(HEAD IDENT "<ram_mb>12 34</ram_mb>" TAIL, "not a number");
	refused(HEAD IDENT "<is_template>maybe</is_template>" TAIL,
		"not true or false");
	refused(HEAD IDENT "<ram_mb><b>1</b></ram_mb>" TAIL, "markup inside");
	refused(HEAD IDENT "<devices>hello</devices>" TAIL, "stray text");
	refused(HEAD IDENT "<devices><index>0</index></devices>" TAIL,
		"<type> is missing");
	refused(HEAD IDENT "<ram_mb>1</ram_mb><ram_mb>2</ram_mb>" TAIL,
		"appears twice");
}

static void test_bad_identity(void **state)
{
	refused(HEAD "<name>x</name>" TAIL, "<uuid> is missing");
	refused(HEAD "<uuid>{6b1e3c4e-0f5e-4d39-9e0a-1c2b3d4e5f60}</uuid>" TAIL,
		"<name> is missing");
	refused(HEAD "<uuid>6b1e3c4e</uuid><name>x</name>" TAIL,
		"not a braced UUID");
	const char *names[] = { "../../etc", "a/b", "..", "tab\there", "" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char doc[512];
		snprintf(doc, sizeof doc, HEAD "<uuid>{6b1e3c4e-0f5e-4d39-9e0a-"
			 "1c2b3d4e5f60}</uuid><name>%s</name>" TAIL, names[i]);
		refused(doc, "contains '/', '..' or a control character");
	}
	assert_true(disp_vmconf_name_ok("Windows 11 (test) — ü"));
	assert_false(disp_vmconf_name_ok("a\x7f"));
}

static void test_absurd_values(void **state)
{
	refused(HEAD IDENT "<ram_mb>10000000</ram_mb>" TAIL,
		"ram_mb = 10000000 is out of range");
	refused(HEAD IDENT "<cpu_count>5000</cpu_count>" TAIL, "out of range");
	refused(HEAD IDENT "<devices><type>6</type><index>0</index>"
		"<disk_size_mb>999999999999</disk_size_mb></devices>" TAIL,
		"devices[0].disk_size_mb");
	refused(HEAD IDENT "<devices><type>8</type><index>0</index>"
		"<mac>00:11:zz:00:00:00</mac></devices>" TAIL,
		"is not a MAC address");
	size_t cap = 64 * 300 + 256, len = 0;
	char *doc = malloc(cap);
	len += (size_t)sprintf(doc, HEAD IDENT);
	for (int i = 0; i < 300; i++)
		len += (size_t)sprintf(doc + len, "<devices><type>6</type>"
				       "<index>%d</index></devices>", i);
	sprintf(doc + len, TAIL);
	refused(doc, "more than 256 of these");
	free(doc);
}

static void test_structure(void **state)
{
	refused("<?xml version=\"1.0\"?><other/>", "root element is not");
	refused(HEAD IDENT "</vm_config><extra/>", "not well-formed");
	refused("<?xml version=\"1.0\"?><vm_config format=\"2\">" IDENT TAIL,
		"newer than this dispatcher");
	/* Unknown elements (a newer writer) are skipped. */
	Prl__VmConfig *c;
	char err[256];
	const char *ok = HEAD IDENT "<future_thing><a>1</a></future_thing>" TAIL;
	assert_int_equal(disp_vmconf_parse(ok, strlen(ok), &c, err, sizeof err),
			 PRL_ERR_SUCCESS);
	assert_string_equal(c->name, "x");
	disp_vmconf_free(c);
}

static void test_truncated(void **state)
{
	Prl__VmConfig *c = sample();
	size_t len;
	char *doc = disp_vmconf_format(c, &len);
	for (size_t cut = 1; cut < len - 2; cut += len / 17) {
		write_file(path, doc, cut);
		Prl__VmConfig *back = NULL;
		char err[512] = "";
		assert_int_equal(disp_vmconf_load(path, &back, err, sizeof err),
				 PRL_ERR_PARSE_VM_CONFIG);
		assert_null(back);
		assert_non_null(strstr(err, path));
	}
	free(doc);
	disp_vmconf_free(c);
}

static void test_huge(void **state)
{
	size_t big = 10u << 20;
	char *doc = malloc(big);
	memset(doc, ' ', big);
	memcpy(doc, HEAD IDENT "<description>", strlen(HEAD IDENT "<description>"));
	memcpy(doc + big - 40, "</description>" TAIL, strlen("</description>" TAIL));
	write_file(path, doc, big);
	free(doc);
	Prl__VmConfig *c = NULL;
	char err[512] = "";
	assert_int_equal(disp_vmconf_load(path, &c, err, sizeof err),
			 PRL_ERR_PARSE_VM_CONFIG);
	assert_non_null(strstr(err, "more than the 1048576 allowed"));
	assert_null(c);
}

static void test_xxe_and_bombs(void **state)
{
	char secret[160], doc[1024];
	snprintf(secret, sizeof secret, "%s/secret", dir);
	write_file(secret, "TOPSECRET", 9);
	snprintf(doc, sizeof doc,
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE vm_config [\n"
		 "<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
		 "<vm_config><uuid>{6b1e3c4e-0f5e-4d39-9e0a-1c2b3d4e5f60}</uuid>"
		 "<name>&xxe;</name></vm_config>", secret);
	Prl__VmConfig *c = NULL;
	char err[512] = "";
	assert_int_equal(disp_vmconf_parse(doc, strlen(doc), &c, err, sizeof err),
			 PRL_ERR_PARSE_VM_CONFIG);
	assert_null(strstr(err, "TOPSECRET"));
	assert_non_null(strstr(err, "DTD is not allowed"));
	refused("<?xml version=\"1.0\"?><!DOCTYPE vm_config [<!ENTITY a \"aaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;"
		"&b;&b;&b;&b;\">]><vm_config>" IDENT "<description>&c;&c;&c;"
		"</description></vm_config>", "" /* libxml2 may see it first */);
	refused(HEAD IDENT "<description>&undefined;</description>" TAIL,
		"not well-formed");
	refused("<?xml version=\"1.0\"?><!DOCTYPE vm_config SYSTEM "
		"\"http://192.0.2.1/x.dtd\"><vm_config>" IDENT TAIL,
		"DTD is not allowed");
}

static void test_not_followed(void **state)
{
	Prl__VmConfig *c = sample(), *back = NULL;
	char real[160], err[512];
	snprintf(real, sizeof real, "%s/real.pvs", dir);
	assert_int_equal(disp_vmconf_save(real, c), PRL_ERR_SUCCESS);
	assert_int_equal(symlink(real, path), 0);
	assert_int_equal(disp_vmconf_load(path, &back, err, sizeof err),
			 PRL_ERR_OPEN_VM_CONFIG_READ);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(disp_vmconf_load(path, &back, err, sizeof err),
			 PRL_ERR_OPEN_VM_CONFIG_READ);
	unlink(path);
	assert_int_equal(disp_vmconf_load(path, &back, err, sizeof err),
			 PRL_ERR_VM_CONFIG_DOESNT_EXIST);
	disp_vmconf_free(c);
}

/* A planted config.pvs.tmp link must not redirect the write. */
static void test_save_safety(void **state)
{
	Prl__VmConfig *c = sample();
	char victim[160], tmp[160];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	write_file(victim, "precious", 8);
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(disp_vmconf_save(path, c), PRL_ERR_SUCCESS);
	char buf[16] = "";
	int fd = open(victim, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof buf), 8);
	close(fd);
	assert_string_equal(buf, "precious");

	/* An invalid configuration is refused and the file is unchanged. */
	struct stat before, after;
	assert_int_equal(stat(path, &before), 0);
	free(c->name);
	c->name = strdup("../escape");
	assert_int_equal(disp_vmconf_save(path, c), PRL_ERR_INVALID_ARG);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	disp_vmconf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absurd_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xxe_and_bombs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_safety, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
