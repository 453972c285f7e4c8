/*
 * test_crash.c — the registry survives kill -9 at any instant.
 *
 * Hundreds of times (DISP_CRASH_ITER, default 300): a child process opens
 * the registry and creates, commits, clones and deletes VMs in a loop,
 * writing one line to a pipe after each operation returns (an acknowledged
 * change) and one before each deletion (so a deletion cut short by the kill
 * may have happened or not); the parent SIGKILLs it after a random
 * 0-40 ms, reads the lines, reopens the registry and checks that
 *   - every acknowledged creation or clone is registered and valid,
 *   - every acknowledged commit is there (revision >= the acknowledged one;
 *     one more if a later commit was in flight),
 *   - every acknowledged deletion is gone,
 *   - every config.pvs under the VM home parses: no half-written file.
 * The random delay only chooses the moment of the kill; nothing waits for
 * the child by sleeping.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"
#include "log.h"
#include "uuid.h"

#define MAX_VMS 64

typedef struct known {
	char uuid[PRLC_UUID_LEN + 1];
	uint64_t rev;      /* last acknowledged revision */
	bool deleted;      /* deletion acknowledged */
	bool maybe_gone;   /* a deletion was in flight at the kill */
} known;

static char state_dir[64];
static known model[4096];
static size_t nmodel;

static unsigned rnd(unsigned n)
{
	unsigned v;
	while (getrandom(&v, sizeof v, 0) != sizeof v)
		;
	return n ? v % n : 0;
}

/* ---- the child ------------------------------------------------------------ */

static void ack(int fd, char op, const char *uuid, uint64_t rev)
{
	char line[96];
	int n = snprintf(line, sizeof line, "%c %s %llu\n", op, uuid,
			 (unsigned long long)rev);
	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

static void child_create(disp_registry *r, int fd, int iter, int k)
{
	Prl__VmConfig c = PRL__VM_CONFIG__INIT;
	char uuid[PRLC_UUID_LEN + 1], name[48];
	prlc_uuid_generate(uuid);
	snprintf(name, sizeof name, "c%d-%d", iter, k);
	c.uuid = uuid;
	c.name = name;
	c.has_ram_mb = 1;
	c.ram_mb = 256;
	disp_vmsnap *s;
	if (disp_registry_create(r, &c, NULL, 0, &s) == PRL_ERR_SUCCESS) {
		ack(fd, 'C', s->cfg->uuid, s->cfg->revision);
		disp_vmsnap_unref(s);
	}
}

static void child_update(disp_registry *r, int fd, disp_vmsnap *v)
{
	Prl__VmConfig *e = disp_vmconf_dup(v->cfg);
	e->ram_mb = 256 + rnd(4096);
	char *desc = malloc(2000); /* make the file big enough to be cut */
	memset(desc, 'x', 1999);
	desc[1999] = '\0';
	free(e->description);
	e->description = desc;
	disp_vmsnap *s;
	if (disp_registry_update(r, e, &s) == PRL_ERR_SUCCESS) {
		ack(fd, 'U', s->cfg->uuid, s->cfg->revision);
		disp_vmsnap_unref(s);
	}
	disp_vmconf_free(e);
}

static void child_clone(disp_registry *r, int fd, disp_vmsnap *v, int iter,
			int k)
{
	char name[48];
	snprintf(name, sizeof name, "k%d-%d", iter, k);
	disp_reg_clone o = { .name = name };
	disp_vmsnap *s;
	if (disp_registry_clone(r, v->cfg->uuid, &o, &s) == PRL_ERR_SUCCESS) {
		ack(fd, 'C', s->cfg->uuid, s->cfg->revision);
		disp_vmsnap_unref(s);
	}
}

static void child_delete(disp_registry *r, int fd, disp_vmsnap *v)
{
	ack(fd, 'd', v->cfg->uuid, 0); /* the intent: the kill may come next */
	if (disp_registry_delete(r, v->cfg->uuid) == PRL_ERR_SUCCESS)
		ack(fd, 'D', v->cfg->uuid, 0);
}

static void child_step(disp_registry *r, int fd, int iter, int k)
{
	disp_vmsnap **list;
	size_t n;
	if (disp_registry_list(r, 0, &list, &n) != PRL_ERR_SUCCESS)
		_exit(4);
	disp_vmsnap *v = n ? list[rnd((unsigned)n)] : NULL;
	unsigned op = rnd(10);
	if (!v || (op < 2 && n < MAX_VMS))
		child_create(r, fd, iter, k);
	else if (op < 7)
		child_update(r, fd, v);
	else if (op < 8 && n < MAX_VMS)
		child_clone(r, fd, v, iter, k);
	else if (n > 8)
		child_delete(r, fd, v);
	disp_registry_list_free(list, n);
}

static void child(int fd, int iter)
{
	char err[256];
	disp_registry *r = disp_registry_open(state_dir, err, sizeof err);
	if (!r)
		_exit(2);
	for (int k = 0;; k++)
		child_step(r, fd, iter, k);
}

/* ---- the parent ----------------------------------------------------------- */

static known *lookup(const char *uuid, bool add)
{
	for (size_t i = 0; i < nmodel; i++)
		if (!strcasecmp(model[i].uuid, uuid))
			return &model[i];
	if (!add || nmodel == sizeof model / sizeof *model)
		return NULL;
	known *k = &model[nmodel++];
	memset(k, 0, sizeof *k);
	snprintf(k->uuid, sizeof k->uuid, "%.*s", (int)sizeof k->uuid - 1, uuid);
	return k;
}

/* Lines: "C uuid rev" (created), "U uuid rev" (committed), "d uuid 0"
 * (about to delete), "D uuid 0" (deleted). */
static void apply_acks(int fd)
{
	static char buf[1 << 16];
	size_t used = 0;
	ssize_t r;
	while ((r = read(fd, buf + used, sizeof buf - 1 - used)) > 0)
		used += (size_t)r;
	buf[used] = '\0';
	known *in_flight = NULL;
	char *save, *line = strtok_r(buf, "\n", &save);
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		char op, uuid[64];
		unsigned long long rev;
		assert_int_equal(sscanf(line, "%c %63s %llu", &op, uuid, &rev), 3);
		known *k = lookup(uuid, true);
		assert_non_null(k);
		in_flight = op == 'd' ? k : NULL;
		if (op == 'D')
			k->deleted = true;
		else if (rev > k->rev)
			k->rev = rev;
	}
	if (in_flight)
		in_flight->maybe_gone = true;
}

static void check_model(disp_registry *r)
{
	for (size_t i = 0; i < nmodel; i++) {
		known *k = &model[i];
		disp_vmsnap *s = disp_registry_find(r, k->uuid);
		if (k->deleted) {
			if (s)
				fail_msg("deleted VM %s came back", k->uuid);
			continue;
		}
		if (!s && k->maybe_gone) {
			k->deleted = true; /* the deletion landed before the kill */
			continue;
		}
		k->maybe_gone = false;
		if (!s)
			fail_msg("acknowledged VM %s is missing", k->uuid);
		if (s->invalid)
			fail_msg("VM %s is invalid: %s", k->uuid, s->problem);
		if (s->cfg->revision < k->rev || s->cfg->revision > k->rev + 1)
			fail_msg("VM %s: revision %llu, acknowledged %llu",
				 k->uuid, (unsigned long long)s->cfg->revision,
				 (unsigned long long)k->rev);
		k->rev = s->cfg->revision; /* an in-flight commit may have landed */
		disp_vmsnap_unref(s);
	}
}

/* VMs created by an operation cut short are legitimate: adopt them. */
static void adopt_unknown(disp_registry *r)
{
	disp_vmsnap **list;
	size_t n;
	assert_int_equal(disp_registry_list(r, 0, &list, &n), PRL_ERR_SUCCESS);
	for (size_t i = 0; i < n; i++) {
		if (list[i]->invalid)
			fail_msg("VM %s is invalid: %s", list[i]->cfg->uuid,
				 list[i]->problem);
		known *k = lookup(list[i]->cfg->uuid, true);
		if (k->deleted)
			fail_msg("deleted VM %s is listed", k->uuid);
		if (list[i]->cfg->revision > k->rev)
			k->rev = list[i]->cfg->revision;
	}
	disp_registry_list_free(list, n);
}

/* Every config.pvs under the VM home, registered or orphaned, parses. */
static void check_files(const char *home)
{
	DIR *d = opendir(home);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s/%s", home, de->d_name,
			 DISP_VMCONF_FILE);
		Prl__VmConfig *c;
		char err[600];
		int rc = disp_vmconf_load(path, &c, err, sizeof err);
		if (rc == PRL_ERR_VM_CONFIG_DOESNT_EXIST)
			continue; /* a bundle cut short before its config */
		if (rc != PRL_ERR_SUCCESS)
			fail_msg("half-written configuration: %s", err);
		disp_vmconf_free(c);
	}
	closedir(d);
}

static void one_round(int iter)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child(p[1], iter);
	}
	close(p[1]);
	usleep(rnd(40000)); /* the moment of the kill, not a wait */
	kill(pid, SIGKILL);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status))
		fail_msg("child ended by itself (status %d)", status);
	apply_acks(p[0]);
	close(p[0]);

	char err[256];
	disp_registry *r = disp_registry_open(state_dir, err, sizeof err);
	if (!r)
		fail_msg("reopen after kill: %s", err);
	check_model(r);
	adopt_unknown(r);
	check_files(disp_registry_vm_home(r));
	disp_registry_close(r);
}

static void test_kill9(void **state)
{
	prlc_log_set_level(PRLC_LOG_WARN);
	snprintf(state_dir, sizeof state_dir, "/tmp/test_crash.XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	const char *env = getenv("DISP_CRASH_ITER");
	int iters = env ? atoi(env) : 300;
	size_t acked = 0;
	for (int i = 0; i < iters; i++) {
		one_round(i);
		acked = nmodel;
	}
	size_t deleted = 0;
	for (size_t i = 0; i < nmodel; i++)
		deleted += model[i].deleted;
	print_message("%d kills; %zu VMs seen, %zu deleted\n", iters, acked,
		      deleted);
	assert_true(nmodel > 10);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
