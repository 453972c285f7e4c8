/*
 * found.c — searching the host's disks for unregistered VMs:
 * PrlSrv_StartSearchVms and the PHT_FOUND_VM_INFO objects of its answer
 * (PrlFoundVmInfo_*).
 *
 * The request carries the directories to search as one argument "paths"
 * (Value.strings), read from the caller's strings list through the public
 * PrlStrList_* getters.  The dispatcher answers one Value.strings per VM
 * found, [name, config path, os_version, uuid, template] (docs/protocol.md;
 * a dispatcher that sends four items knows no templates); the
 * reader thread turns each into a PHT_FOUND_VM_INFO (prl__found_from_wire,
 * called from objects.c), so the job's result holds one such object per VM
 * in the order the dispatcher found them.  A found-VM object never changes
 * after it is made, so its getters take no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "found.h"
#include "PrlApi.h"

typedef struct prl__found {
	prl__obj base;
	char *name;
	char *config_path;
	char *uuid;
	uint32_t os_version;
	int is_template;
} prl__found;

static void found_destroy(prl__obj *o)
{
	prl__found *f = (prl__found *)o;
	free(f->name);
	free(f->config_path);
	free(f->uuid);
	free(f);
}

static const prl__type found_type = { PHT_FOUND_VM_INFO, found_destroy };

prl__obj *prl__found_from_wire(const Prl__StringList *l)
{
	if (!l || l->n_item < 2)
		return NULL;
	prl__found *f = prl__new(sizeof(*f), &found_type);
	if (!f)
		return NULL;
	f->name = strdup(l->item[0]);
	f->config_path = strdup(l->item[1]);
	f->os_version = l->n_item > 2 ? (uint32_t)strtoul(l->item[2], NULL, 10) : 0;
	f->uuid = strdup(l->n_item > 3 ? l->item[3] : "");
	f->is_template = l->n_item > 4 && !strcmp(l->item[4], "1");
	if (!f->name || !f->config_path || !f->uuid) {
		prl__put(&f->base);
		return NULL;
	}
	return &f->base;
}

PRL_METHOD(PrlFoundVmInfo_GetName)(PRL_HANDLE handle, PRL_STR sName,
				   PRL_UINT32_PTR pnNameBufLength)
{
	PRL__OBJ(f, prl__found, handle, PHT_FOUND_VM_INFO);
	return prl__copy_str(f->name, sName, pnNameBufLength);
}

PRL_METHOD(PrlFoundVmInfo_GetConfigPath)(PRL_HANDLE handle, PRL_STR sPath,
					 PRL_UINT32_PTR pnPathBufLength)
{
	PRL__OBJ(f, prl__found, handle, PHT_FOUND_VM_INFO);
	return prl__copy_str(f->config_path, sPath, pnPathBufLength);
}

/* ---- the search ---------------------------------------------------------- */

/* The job is the caller's; a bad server or list handle gives a job already
 * failed with PRL_ERR_INVALID_ARG.  Any thread. */
PRL_ASYNC_METHOD(PrlSrv_StartSearchVms)(PRL_HANDLE hServer, PRL_HANDLE hStringsList)
{
	const PRL_JOB_OPERATION_CODE op = PJOC_SRV_START_SEARCH_VMS;
	prl__auto prl__server *s = prl__server_from(hServer);
	if (!s)
		return prl__job_failed(op, prl__bad_handle());
	Prl__StringList paths = PRL__STRING_LIST__INIT;
	PRL_RESULT rc = prl__strlist_to_wire(hStringsList, &paths);
	Prl__Value v = PRL__VALUE__INIT;
	v.v_case = PRL__VALUE__V_STRINGS;
	v.strings = &paths;
	prl__req r;
	prl__req_init(&r, op);
	if (PRL_SUCCEEDED(rc) && prl__req_add_value(&r, "paths", &v))
		rc = PRL_ERR_OUT_OF_MEMORY;
	prl__job *j = PRL_SUCCEEDED(rc) ? prl__job_new(op, s) : NULL;
	PRL_HANDLE h;
	if (j) {
		h = prl__conn_request(s, j, &r);    /* sent before it returns */
	} else {
		prl__req_clear(&r);
		h = prl__job_failed(op, PRL_FAILED(rc) ? rc : PRL_ERR_OUT_OF_MEMORY);
	}
	prl__wire_strings_clear(&paths);
	return h;
}

PRL_METHOD(PrlFoundVmInfo_GetOSVersion)(PRL_HANDLE handle, PRL_UINT32_PTR pnOSVersion)
{
	PRL__OBJ(f, prl__found, handle, PHT_FOUND_VM_INFO);
	PRL__CHECK_ARG(pnOSVersion);
	*pnOSVersion = f->os_version;
	return PRL_ERR_SUCCESS;
}

/* Every configuration the dispatcher reads is in its current format. */
PRL_METHOD(PrlFoundVmInfo_IsOldConfig)(PRL_HANDLE handle, PRL_BOOL_PTR pbOldVersion)
{
	PRL__OBJ(f, prl__found, handle, PHT_FOUND_VM_INFO);
	PRL__CHECK_ARG(pbOldVersion);
	(void)f;
	*pbOldVersion = PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlFoundVmInfo_IsTemplate)(PRL_HANDLE handle, PRL_BOOL_PTR pbIsTemplate)
{
	PRL__OBJ(f, prl__found, handle, PHT_FOUND_VM_INFO);
	PRL__CHECK_ARG(pbIsTemplate);
	*pbIsTemplate = f->is_template ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}
