/*
 * dispcfg.c — PHT_DISP_CONFIG (PrlDispCfg_*): the dispatcher's preferences
 * as PrlSrv_GetCommonPrefs returns them — the default VM home and the
 * minimal security level of TCP logins.  Read-only: the object holds a copy
 * of the wire message.
 */
#include <stdlib.h>
#include <string.h>

#include "dispcfg.h"
#include "PrlApi.h"

typedef struct prl__dispcfg {
	prl__obj base;
	char *vm_dir;
	PRL_SECURITY_LEVEL min_security;
} prl__dispcfg;

static void dispcfg_destroy(prl__obj *o)
{
	prl__dispcfg *c = (prl__dispcfg *)o;
	free(c->vm_dir);
	free(c);
}

static const prl__type dispcfg_type = { PHT_DISP_CONFIG, dispcfg_destroy };

prl__obj *prl__dispcfg_new(const Prl__DispConfig *w)
{
	prl__dispcfg *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->vm_dir = strdup(w && w->default_vm_dir ? w->default_vm_dir : "");
	c->min_security = w && w->has_min_security_level
		? (PRL_SECURITY_LEVEL)w->min_security_level : PSL_LOW_SECURITY;
	if (!c->vm_dir) {
		free(c);
		return NULL;
	}
	return prl__register(&c->base, &dispcfg_type);
}

PRL_METHOD(PrlDispCfg_GetDefaultVmDir)(PRL_HANDLE hDispConfig, PRL_STR sDefaultVmDir,
				       PRL_UINT32_PTR pnDefaultVmDirBufLength)
{
	PRL__OBJ(c, prl__dispcfg, hDispConfig, PHT_DISP_CONFIG);
	return prl__copy_str(c->vm_dir, sDefaultVmDir, pnDefaultVmDirBufLength);
}

PRL_METHOD(PrlDispCfg_GetMinSecurityLevel)(PRL_HANDLE hDispConfig,
					   PRL_SECURITY_LEVEL_PTR pnMinSecurityLevel)
{
	PRL__OBJ(c, prl__dispcfg, hDispConfig, PHT_DISP_CONFIG);
	PRL__CHECK_ARG(pnMinSecurityLevel);
	*pnMinSecurityLevel = c->min_security;
	return PRL_ERR_SUCCESS;
}
