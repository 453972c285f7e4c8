/*
 * ops_prefs.c — the dispatcher's preferences as clients read them
 * (PJOC_SRV_GET_COMMON_PREFS → PHT_DISP_CONFIG): the default VM home and the
 * minimal security level it enforces on TCP logins.  Editing them over the
 * wire (CommonPrefsBeginEdit/Commit) is not offered: they come from the
 * command line and the configuration file.
 */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "prlc_consts.h"
#ifdef DISP_HAVE_REGISTRY
#include "registry.h"
#endif

static const char *vm_home(disp_server *srv)
{
#ifdef DISP_HAVE_REGISTRY
	if (srv->registry)
		return disp_registry_vm_home(srv->registry);
#endif
	(void)srv;
	return "";
}

static int get_common_prefs_run(disp_req *r)
{
	disp_server *srv = disp_req_server(r);
	Prl__Value *v = calloc(1, sizeof(*v));
	Prl__DispConfig *c = calloc(1, sizeof(*c));
	char *dir = strdup(vm_home(srv));
	if (!v || !c || !dir) {
		free(v);
		free(c);
		free(dir);
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	prl__value__init(v);
	prl__disp_config__init(c);
	c->default_vm_dir = dir;
	c->has_min_security_level = 1;
	c->min_security_level = srv->opt->min_security;
	v->v_case = PRL__VALUE__V_DISP_CONFIG;
	v->disp_config = c;
	if (disp_req_add_value(r, v, NULL) < 0)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	return PRL_ERR_SUCCESS;
}

static const disp_op prefs_ops[] = {
	{ PJOC_SRV_GET_COMMON_PREFS, "SRV_GET_COMMON_PREFS", 0,
	  get_common_prefs_run, NULL },
};
DISP_OPS_REGISTER(prefs_ops)
