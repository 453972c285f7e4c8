/*
 * vminfo.c — PHT_VM_INFO (PrlVmInfo_*): a snapshot of a VM's state.
 *
 * The object is immutable once built — from a wire VmInfo (PrlVm_GetState's
 * result) or from a VM's cached state (PrlVmCfg_GetVmInfo) — so its getters
 * need no lock.  Access rights (PHT_ACCESS_RIGHTS) are not modelled yet;
 * PrlVmInfo_GetAccessRights is still served by its stub.
 */
#include <stdlib.h>

#include "vm.h"
#include "PrlApi.h"

typedef struct vminfo {
	prl__obj base;
	uint32_t state;                  /* VIRTUAL_MACHINE_STATE */
	uint32_t addition_state;         /* VMAS_* bits */
	int invalid;
	uint32_t access_rights;
} vminfo;

static void vminfo_destroy(prl__obj *o)
{
	free(o);
}

static const prl__type vminfo_type = { PHT_VM_INFO, vminfo_destroy };

prl__obj *prl__vminfo_new(uint32_t state, uint32_t addition_state, int invalid,
			  uint32_t access_rights)
{
	vminfo *i = prl__new(sizeof(*i), &vminfo_type);
	if (!i)
		return NULL;
	i->state = state;
	i->addition_state = addition_state;
	i->invalid = invalid;
	i->access_rights = access_rights;
	return &i->base;
}

prl__obj *prl__vminfo_from_wire(const Prl__VmInfo *w)
{
	if (!w)
		return NULL;
	return prl__vminfo_new(w->state, w->has_addition_state ? w->addition_state : VMAS_NOSTATE,
			       w->has_invalid && w->invalid, w->access_rights);
}

uint32_t prl__vminfo_state(const prl__obj *o)
{
	if (!o || o->ops != &vminfo_type)
		return 0;
	return ((const vminfo *)o)->state;
}

PRL_METHOD(PrlVmInfo_GetState)(PRL_HANDLE handle, VIRTUAL_MACHINE_STATE_PTR pVmState)
{
	PRL__OBJ(i, vminfo, handle, PHT_VM_INFO);
	PRL__CHECK_ARG(pVmState);
	*pVmState = (VIRTUAL_MACHINE_STATE)i->state;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlVmInfo_GetAdditionState)(PRL_HANDLE handle,
				       VIRTUAL_MACHINE_ADDITION_STATE_PTR pVmState)
{
	PRL__OBJ(i, vminfo, handle, PHT_VM_INFO);
	PRL__CHECK_ARG(pVmState);
	*pVmState = (VIRTUAL_MACHINE_ADDITION_STATE)i->addition_state;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlVmInfo_IsInvalid)(PRL_HANDLE handle, PRL_BOOL_PTR pbIsInvalid)
{
	PRL__OBJ(i, vminfo, handle, PHT_VM_INFO);
	PRL__CHECK_ARG(pbIsInvalid);
	*pbIsInvalid = i->invalid ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}
