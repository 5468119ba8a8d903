divert(-1)
#
# FEATURE(`conncontrol' [, `nodelay' [, `terminate']]) - the access map's
# ClientConn: entries limit a client's open connections: words
# conncontrol, conncontrol_nodelay, conncontrol_terminate in {Features}.
#
define(`_CF_LOADED_', `1')dnl
_CF_CLIENT_LIMIT_(`conncontrol')
