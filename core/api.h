/* Route handlers of the HTTP API, one file per resource (api_<resource>.c); the table is in http.c. */
#ifndef VOCD_API_H
#define VOCD_API_H

#include "http.h"

/* api_health.c */
int vocd_api_healthz(struct vocd_req *req);
int vocd_api_metrics(struct vocd_req *req);
int vocd_api_whoami(struct vocd_req *req);

/* api_admin.c */
int vocd_api_admin_reload(struct vocd_req *req);
int vocd_api_admin_plugins(struct vocd_req *req);
int vocd_api_admin_dead_letters(struct vocd_req *req);
int vocd_api_admin_replay(struct vocd_req *req);

/* api_service_events.c */
int vocd_api_service_event_create(struct vocd_req *req);
int vocd_api_service_event_get(struct vocd_req *req);
int vocd_api_service_event_list(struct vocd_req *req);

/* api_plugins.c */
int vocd_api_plugin_call(struct vocd_req *req);

#endif
