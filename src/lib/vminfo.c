/*
 * vminfo.c — PHT_VM_INFO (PrlVmInfo_*): a snapshot of a VM's state.
 *
 * The object is immutable once built — from a wire VmInfo (PrlVm_GetState's
 * result) or from a VM's cached state (PrlVmCfg_GetVmInfo) — so its getters
 * need no lock.  It also carries what its access rights (acl.c) need: the
 * VM owner's name and the session's user name.
 */
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#include "vm.h"
#include "PrlApi.h"

typedef struct vminfo {
	prl__obj base;
	uint32_t state;                  /* VIRTUAL_MACHINE_STATE */
	uint32_t addition_state;         /* VMAS_* bits */
	int invalid;
	uint32_t access_rights;
	char *owner, *session_user;      /* NULL when unknown */
} vminfo;

static void vminfo_destroy(prl__obj *o)
{
	vminfo *i = (vminfo *)o;
	free(i->owner);
	free(i->session_user);
	free(i);
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

void prl__vminfo_set_owner(prl__obj *o, const char *owner, const char *session_user)
{
	if (!o || o->ops != &vminfo_type)
		return;
	vminfo *i = (vminfo *)o;
	i->owner = owner ? strdup(owner) : NULL;
	i->session_user = session_user ? strdup(session_user) : NULL;
}

prl__obj *prl__vminfo_from_wire(prl__server *s, const Prl__VmInfo *w)
{
	if (!w)
		return NULL;
	prl__obj *o = prl__vminfo_new(w->state, w->has_addition_state ? w->addition_state
								   : VMAS_NOSTATE,
				      w->has_invalid && w->invalid, w->access_rights);
	char *user = o ? prl__conn_session_user(s) : NULL;
	prl__vminfo_set_owner(o, w->owner, user);
	free(user);
	return o;
}

PRL_METHOD(PrlVmInfo_GetAccessRights)(PRL_HANDLE hVmInfo, PRL_HANDLE_PTR phAccessRights)
{
	PRL__OBJ(i, vminfo, hVmInfo, PHT_VM_INFO);
	PRL__CHECK_ARG(phAccessRights);
	prl__obj *acl = prl__acl_new(i->owner, i->session_user);
	if (!acl)
		return PRL_ERR_OUT_OF_MEMORY;
	*phAccessRights = prl__handle(acl);
	return PRL_ERR_SUCCESS;
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
