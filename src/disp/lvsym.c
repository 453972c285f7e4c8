/*
 * lvsym.c — see lvsym.h.
 */
#define DISP_LV_NO_REDIRECT
#include "lvsym.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

disp_lv disp_lv_syms;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int load_state;                  /* 0 not tried, 1 loaded, -1 failed */
static char load_err[256];

/* Every pointer, or the name of the first missing function. */
static const char *resolve(void *h)
{
#define DISP_LV_RESOLVE(f)                                                   \
	if (!(*(void **)&disp_lv_syms.p_##f = dlsym(h, #f)))                 \
		return #f;
	DISP_LV_FUNCS(DISP_LV_RESOLVE)
#undef DISP_LV_RESOLVE
	return NULL;
}

int disp_lv_load(char *err, size_t errlen)
{
	pthread_mutex_lock(&load_lock);
	if (load_state == 0) {
		void *h = dlopen(DISP_LV_SONAME, RTLD_NOW | RTLD_LOCAL);
		const char *missing = h ? resolve(h) : NULL;
		if (!h)
			snprintf(load_err, sizeof load_err, "cannot load %s: %s",
				 DISP_LV_SONAME, dlerror());
		else if (missing)
			snprintf(load_err, sizeof load_err, "%s lacks %s",
				 DISP_LV_SONAME, missing);
		load_state = h && !missing ? 1 : -1;
		/* Loaded for good: libvirt keeps threads and GLib types. */
	}
	int rc = load_state == 1 ? 0 : -1;
	if (rc < 0 && err && errlen)
		snprintf(err, errlen, "%s", load_err);
	pthread_mutex_unlock(&load_lock);
	return rc;
}
