divert(-1)
#
# FEATURE(`ratecontrol' [, `nodelay' [, `terminate']]) - the access map's
# ClientRate: entries limit a client's connections per
# ConnectionRateWindowSize: words ratecontrol, ratecontrol_nodelay,
# ratecontrol_terminate in {Features}.
#
define(`_CF_LOADED_', `1')dnl
_CF_CLIENT_LIMIT_(`ratecontrol')
