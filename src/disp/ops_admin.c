/*
 * ops_admin.c — stopping the dispatcher from a client (PrlSrv_Shutdown,
 * PJOC_SRV_SHUTDOWN): root only.  The stop is posted to the loop, so the
 * request's own response is queued before every session receives
 * PET_DSP_EVT_DISP_SHUTDOWN and is closed — the same path as SIGTERM.
 */
#include "ops.h"
#include "prlc_consts.h"

static void stop_later(void *arg)
{
	disp_server_shutdown(arg);
}

static int shutdown_run(disp_req *r)
{
	const disp_session *s = disp_req_session(r);
	if (s->user_uid != 0)
		return disp_req_fail(r, PRL_ERR_ACCESS_DENIED,
				     "only root may stop the dispatcher");
	PRLC_INFO("stop requested by a client");
	if (disp_server_post(disp_req_server(r), stop_later, disp_req_server(r)) < 0)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "cannot schedule the stop");
	return PRL_ERR_SUCCESS;
}

static const disp_op admin_ops[] = {
	{ PJOC_SRV_SHUTDOWN, "SRV_SHUTDOWN", 0, shutdown_run, NULL },
};
DISP_OPS_REGISTER(admin_ops)
